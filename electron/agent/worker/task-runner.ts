// Owns running one leased task on this machine with the built-in renderer: inputs pinned in the
// cache and laid out under their (checked) names in a job folder, frames or a bucket rendered,
// results put in the blob store for the coordinator to fetch. The renderer stays loaded between
// tasks, so a scene is parsed once per job, not once per frame.

import { link, copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { WorkLease } from '../../../shared/protocol/index.js';
import type { BuiltinRenderer } from '../engines/builtin-render/index.js';
import { encodeExr, encodePng } from '../engines/builtin-render/image-encode.js';
import { checkAssetName } from '../jobs/asset-name.js';
import type { BlobCache } from '../storage/blob-cache.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { TaskResult, WorkSource } from './work-source.js';

export class TaskRunner {
  private renderer: BuiltinRenderer | null = null;
  private threads = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly cache: BlobCache,
    private readonly workDir: string,
  ) {}

  async run(lease: WorkLease, source: WorkSource, threads: number, signal: AbortSignal): Promise<TaskResult> {
    const names = lease.assets.map((a) => checkAssetName(a.name)); // a hostile name fails before any byte is written
    for (const asset of lease.assets) await source.fetchAsset(asset);
    const release = await this.cache.pin(lease.assets.map((a) => a.hash));
    try {
      const jobDir = join(this.workDir, lease.jobId);
      for (const [i, asset] of lease.assets.entries()) await this.materialize(asset.hash, join(jobDir, names[i]!));
      const scenePath = join(jobDir, checkAssetName(lease.scene));
      const renderer = await this.rendererFor(threads);
      const startedAtMs = Date.now();
      const outputs: TaskResult['outputs'] = {};
      const { task, settings } = lease;
      for (const frame of task.frames) {
        signal.throwIfAborted();
        const region = task.region ?? { x: 0, y: 0, width: settings.width, height: settings.height };
        const pixels = await renderer.render(scenePath, { ...settings, samplesPerPixel: settings.samplesPerPixel, frame }, region, { signal });
        const bytes =
          task.kind === 'bucket'
            ? Buffer.from(pixels.buffer, pixels.byteOffset, pixels.byteLength) // float tile: stitched exactly on the coordinator
            : settings.format === 'exr'
              ? encodeExr(pixels, settings.width, settings.height)
              : encodePng(pixels, settings.width, settings.height);
        const stored = await this.blobs.put(Readable.from([bytes]));
        outputs[task.kind === 'bucket' ? 'tile' : `frame:${frame}`] = { hash: stored.hash, sizeBytes: stored.sizeBytes };
      }
      return { startedAtMs, endedAtMs: Date.now(), outputs };
    } finally {
      release();
      void this.cache.trim();
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
      this.renderer = new BuiltinRenderer({ threads });
      this.threads = threads;
    }
    return this.renderer;
  }

  /** A hard link to the cached blob (no copy, and the cache entry cannot be altered through it unnoticed). */
  private async materialize(hash: string, target: string): Promise<void> {
    const existing = await stat(target).catch(() => null);
    const source = this.blobs.pathOf(hash);
    if (existing && existing.size === (await stat(source)).size) return;
    await mkdir(dirname(target), { recursive: true });
    await rm(target, { force: true });
    await link(source, target).catch(() => copyFile(source, target));
  }
}
