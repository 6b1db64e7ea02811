// Owns running one leased task on this machine with the built-in renderer: inputs pinned in the
// cache and laid out under their (checked) names in a job folder, frames or a bucket rendered,
// results put in the blob store for the coordinator to fetch. The renderer's engine process stays
// up between tasks, so a scene is parsed once per job, not once per frame; a scene too large for
// its memory limits fails the task with the reason, and the next task gets a fresh process. The
// engine writes each result to a file, streamed into the store: no frame passes through memory here.

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { link, copyFile, mkdir, readdir, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { WorkLease } from '../../../shared/protocol/index.js';
import type { BuiltinRenderer, BuiltinRendererOptions } from '../engines/builtin-render/index.js';
import { checkAssetName } from '../jobs/asset-name.js';
import type { BlobCache } from '../storage/blob-cache.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { TaskResult, WorkSource } from './work-source.js';

const PRUNE_INTERVAL_MS = 3600_000;
/** Under workDir, beside the coordinators' folders: results on their way into the blob store. */
const OUTPUT_DIR = '.outputs';
const JOB_DIR_MAX_IDLE_MS = 24 * 3600_000;

export class TaskRunner {
  private renderer: BuiltinRenderer | null = null;
  private lastPruneMs = 0;
  private threads = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly cache: BlobCache,
    private readonly workDir: string,
    /** Limits for the renderer (defaults in engines/builtin-render/render-limits.ts); tests lower them. */
    private readonly engine: Omit<BuiltinRendererOptions, 'threads'> = {},
  ) {}

  async run(lease: WorkLease, source: WorkSource, threads: number, signal: AbortSignal): Promise<TaskResult> {
    const names = lease.assets.map((a) => checkAssetName(a.name)); // a hostile name fails before any byte is written
    // Pinned before fetching, so trimming after another task cannot take an input away in between.
    const release = await this.cache.pin(lease.assets.map((a) => a.hash));
    try {
      for (const asset of lease.assets) await source.fetchAsset(asset);
      // One folder per coordinator and job: a teammate cannot plant files in another coordinator's job.
      const jobDir = join(this.workDir, source.coordinatorId.slice(0, 16), lease.jobId);
      await mkdir(jobDir, { recursive: true });
      const now = new Date();
      await utimes(jobDir, now, now); // recency, for pruneJobDirs
      for (const [i, asset] of lease.assets.entries()) await this.materialize(asset.hash, join(jobDir, names[i]!));
      const scenePath = join(jobDir, checkAssetName(lease.scene));
      const renderer = await this.rendererFor(threads);
      const startedAtMs = Date.now();
      const outputs: TaskResult['outputs'] = {};
      const { task, settings } = lease;
      // A bucket is a float tile, stitched exactly on the coordinator; a frame is its image file.
      const format = task.kind === 'bucket' ? 'float' : settings.format;
      const outputDir = join(this.workDir, OUTPUT_DIR);
      await mkdir(outputDir, { recursive: true });
      for (const frame of task.frames) {
        signal.throwIfAborted();
        const region = task.region ?? { x: 0, y: 0, width: settings.width, height: settings.height };
        // Not named after the lease: its id comes from a teammate.
        const path = join(outputDir, randomBytes(8).toString('hex'));
        try {
          await renderer.renderToFile(scenePath, { ...settings, frame }, region, { path, format }, { signal });
          const stored = await this.blobs.put(createReadStream(path));
          outputs[task.kind === 'bucket' ? 'tile' : `frame:${frame}`] = { hash: stored.hash, sizeBytes: stored.sizeBytes };
        } finally {
          await rm(path, { force: true });
        }
      }
      return { startedAtMs, endedAtMs: Date.now(), outputs };
    } finally {
      release();
      void this.cache.trim().catch(() => undefined); // best effort; the next task trims again
      void this.pruneJobDirs().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.renderer?.close();
    this.renderer = null;
  }

  /** Loaded on the first task, not at start: an agent that never renders stays small. */
  private async rendererFor(threads: number): Promise<BuiltinRenderer> {
    if (!this.renderer || this.threads !== threads) {
      void this.renderer?.close();
      const { BuiltinRenderer } = await import('../engines/builtin-render/index.js');
      this.renderer = new BuiltinRenderer({ ...this.engine, threads });
      this.threads = threads;
    }
    return this.renderer;
  }

  /**
   * Job folders hold hard links to cached blobs, which would keep evicted blobs on disk: folders
   * unused for a day go (a job running that long touches its folder with every task).
   */
  private async pruneJobDirs(): Promise<void> {
    if (Date.now() - this.lastPruneMs < PRUNE_INTERVAL_MS) return;
    this.lastPruneMs = Date.now();
    for (const coordinator of await readdir(this.workDir).catch(() => [] as string[])) {
      if (coordinator === OUTPUT_DIR) continue;
      for (const job of await readdir(join(this.workDir, coordinator)).catch(() => [] as string[])) {
        const dir = join(this.workDir, coordinator, job);
        const s = await stat(dir).catch(() => null);
        if (s && Date.now() - s.mtimeMs > JOB_DIR_MAX_IDLE_MS) await rm(dir, { recursive: true, force: true });
      }
    }
  }

  /** A hard link to the cached blob; an existing file is kept only if it is that very blob (same inode). */
  private async materialize(hash: string, target: string): Promise<void> {
    const existing = await stat(target).catch(() => null);
    const source = this.blobs.pathOf(hash);
    if (existing && existing.ino === (await stat(source)).ino) return;
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await link(source, target).catch(() => copyFile(source, target));
  }
}
