// Owns running one leased task on this machine, whatever its engine: inputs pinned in the cache
// and laid out under their (checked) names in a job folder, the task handed to the lease's engine
// (engines/engine.ts, looked up in the registry), and each output file it hands back streamed into
// the blob store for the coordinator to fetch: no result passes through memory here. A failed
// task's error carries the last lines the engine printed.

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, copyFile, lstat, mkdir, open, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MAX_TASK_WARNINGS, type WorkLease } from '../../../shared/protocol/index.js';
import type { Engine, EngineTask } from '../engines/engine.js';
import { checkAssetName } from '../jobs/asset-name.js';
import type { BlobCache } from '../storage/blob-cache.js';
import type { BlobStore } from '../storage/blob-store.js';
import { ProgressThrottle } from './progress-throttle.js';
import { TaskLog } from './task-log.js';
import { TaskTimeLimitError } from './task-time-limit.js';
import type { TaskResult, WorkSource } from './work-source.js';

/** The engines this worker runs, by engine id (the engine registry). */
export interface WorkerEngines {
  engine(id: string): Engine;
  close(): Promise<void>;
}

const PRUNE_INTERVAL_MS = 3600_000;
/** Under workDir, beside the coordinators' folders: results on their way into the blob store. */
const OUTPUT_DIR = '.outputs';
const JOB_DIR_MAX_IDLE_MS = 24 * 3600_000;

export class TaskRunner {
  private lastPruneMs = 0;

  constructor(
    private readonly blobs: BlobStore,
    private readonly cache: BlobCache,
    private readonly workDir: string,
    private readonly engines: WorkerEngines,
    /**
     * Test only (TROUPE_TEST_TAMPER_RESULTS=1): every binary output's last byte is flipped, as a
     * broken or dishonest machine would send, so tests can prove the coordinator's checks catch it.
     */
    private readonly tamperResults = false,
  ) {}

  /**
   * `timeLimitMs`: the engine's run is stopped after this long (its inputs' transfer does not
   * count) and the task fails with TaskTimeLimitError, which names the limit.
   */
  /**
   * The lease as its engine reads it: the link read only what every lease has; the engine's part
   * is read here, by the engine's own schema, before anything is fetched or made room for. Throws
   * in words for an engine this machine lacks or a lease its engine cannot read.
   */
  readLease(sent: WorkLease): WorkLease {
    const engine = this.engines.engine(sent.engine);
    const read = engine.wire.lease.safeParse(sent);
    if (read.success) return read.data;
    const issue = read.error.issues[0];
    throw new Error(`this machine could not read the ${sent.engine} task it was given (${issue?.path.join('.') || 'lease'}: ${issue?.message}); is its Troupe older or newer than the coordinator's?`);
  }

  async run(sent: WorkLease, source: WorkSource, threads: number, signal: AbortSignal, timeLimitMs: number | null = null): Promise<TaskResult> {
    const engine = this.engines.engine(sent.engine);
    const lease = this.readLease(sent);
    const names = lease.assets.map((a) => checkAssetName(a.name)); // a hostile name fails before any byte is written
    // Pinned before fetching, so trimming after another task cannot take an input away in between.
    const release = await this.cache.pin(lease.assets.map((a) => a.hash));
    try {
      for (const asset of lease.assets) await source.fetchAsset(asset);
      // One folder per coordinator and job: a teammate cannot plant files in another coordinator's job.
      const jobDir = join(this.workDir, source.coordinatorId.slice(0, 16), lease.jobId);
      const jobKey = `${source.coordinatorId.slice(0, 16)}/${lease.jobId}`;
      await engine.prepare?.(lease, jobKey);
      await mkdir(jobDir, { recursive: true });
      const now = new Date();
      await utimes(jobDir, now, now); // recency, for pruneJobDirs
      for (const [i, asset] of lease.assets.entries()) await this.materialize(asset.hash, join(jobDir, names[i]!));
      // This job's alone: an engine contained to it cannot touch another job's results.
      const outputDir = join(this.workDir, OUTPUT_DIR, source.coordinatorId.slice(0, 16), lease.jobId);
      await mkdir(outputDir, { recursive: true });
      const overTime = new AbortController();
      const outputs: TaskResult['outputs'] = {};
      const issued = new Set<string>();
      const log = new TaskLog();
      const warnings = new Set<string>();
      // Told to the coordinator a few times a second, never after the task ended.
      const progress = new ProgressThrottle((done, total) => source.progress(lease.leaseId, done, total));
      const task: EngineTask = {
        jobKey,
        jobDir,
        outputDir,
        threads,
        signal: AbortSignal.any([signal, overTime.signal]),
        // Not named after the lease: its id comes from a teammate.
        outputPath: () => {
          const path = join(outputDir, randomBytes(8).toString('hex'));
          issued.add(path);
          return path;
        },
        output: async (name, path) => {
          if (!issued.has(path)) throw new Error(`the engine handed over ${path}, which is not one of its output paths`);
          // Written by a contained engine: a link in its place (to the owner's key, say) is not read.
          if (!(await lstat(path).catch(() => null))?.isFile()) throw new Error(`the engine's output ${path} is not a plain file`);
          if (this.tamperResults && !name.endsWith('.json')) await flipLastByte(path);
          const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
          const stored = await this.blobs.put(file.createReadStream()).finally(() => file.close().catch(() => undefined));
          outputs[name] = { hash: stored.hash, sizeBytes: stored.sizeBytes };
          issued.delete(path);
          await rm(path, { force: true });
        },
        progress: (done, total) => progress.report(done, total),
        log: (line) => log.add(line),
        warn: (text) => {
          log.add(`[troupe] warning: ${text}`);
          if (warnings.size < MAX_TASK_WARNINGS) warnings.add(text.slice(0, 1000));
        },
      };
      const startedAtMs = Date.now();
      const limit =
        timeLimitMs !== null && timeLimitMs > 0 ? setTimeout(() => overTime.abort(new TaskTimeLimitError(timeLimitMs, engine.timeLimitAdvice)), Math.min(timeLimitMs, 2 ** 31 - 1)) : null;
      try {
        await engine.run(lease, task);
        // An engine that finished as the limit passed has its outputs: they stand.
      } catch (err) {
        // Whatever the engine said as it was stopped, the reason is the limit.
        throw log.attachTo(overTime.signal.aborted && !signal.aborted ? overTime.signal.reason : err);
      } finally {
        progress.stop();
        if (limit) clearTimeout(limit);
        for (const path of issued) await rm(path, { force: true }); // outputs of a task that failed midway
      }
      return { startedAtMs, endedAtMs: Date.now(), outputs, warnings: [...warnings] };
    } finally {
      release();
      void this.cache.trim().catch(() => undefined); // best effort; the next task trims again
      void this.pruneJobDirs().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.engines.close();
  }

  /**
   * Job folders hold hard links to cached blobs, which would keep evicted blobs on disk: folders
   * unused for a day go (a job running that long touches its folder with every task).
   */
  private async pruneJobDirs(): Promise<void> {
    if (Date.now() - this.lastPruneMs < PRUNE_INTERVAL_MS) return;
    this.lastPruneMs = Date.now();
    const roots = [this.workDir, join(this.workDir, OUTPUT_DIR)];
    for (const root of roots) for (const coordinator of await readdir(root).catch(() => [] as string[])) {
      if (root === this.workDir && coordinator === OUTPUT_DIR) continue;
      for (const job of await readdir(join(root, coordinator)).catch(() => [] as string[])) {
        const dir = join(root, coordinator, job);
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

async function flipLastByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  if (bytes.length === 0) return;
  bytes[bytes.length - 1]! ^= 0xff;
  await writeFile(path, bytes);
}
