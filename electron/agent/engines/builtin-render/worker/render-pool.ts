// Owns the render threads: N workers that live across jobs, one job at a time across all of
// them, each job's frame handed to every thread in shared memory, rows handed out through a
// shared atomic counter, results written straight into shared memory. Abort sets a shared flag
// the threads check as they go.

import type { Worker } from 'node:worker_threads';
import { TroupeError } from '../../../../../shared/errors.js';
import type { SharedFrame } from '../reading/frame-scene.js';
import type { Region } from '../../../../../shared/model/jobs.js';
import type { CheckedSettings } from './render-request.js';
import { startRenderWorker } from './worker-launch.js';
import { CONTROL_ABORT, CONTROL_SLOTS, type CollectMessage, type RenderJobMessage, type WorkerReply } from './worker-protocol.js';

export interface PoolJob {
  frame: SharedFrame;
  settings: CheckedSettings;
  region: Region;
}

export interface PoolJobOptions {
  signal?: AbortSignal;
  onProgress?: (rowsDone: number, rows: number) => void;
}

export class RenderPool {
  private readonly workers: Worker[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private nextJobId = 1;
  private closed = false;
  private lastThreadError = '';

  constructor(private readonly threads: number) {
    if (!Number.isInteger(threads) || threads < 1) throw new TroupeError('bad-request', `threads must be a whole number of at least 1, not ${threads}`);
  }

  /** Jobs run one after another: each already uses every thread. Resolves to a view of shared memory. */
  run(job: PoolJob, options: PoolJobOptions = {}): Promise<Float32Array> {
    const result = this.queue.then(() => this.runNow(job, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Has every thread collect garbage, so frames dropped by the caller free their shared memory now. */
  collect(): Promise<void> {
    const done = this.queue.then(() => this.collectNow());
    this.queue = done.catch(() => undefined);
    return done;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }

  private spawn(): void {
    const worker = startRenderWorker();
    // Without an 'error' listener a crash in a thread would throw in the agent itself; the
    // 'exit' that follows is what fails the job.
    worker.on('error', (err) => {
      this.lastThreadError = err.message;
    });
    worker.once('exit', () => {
      const i = this.workers.indexOf(worker);
      if (i >= 0) this.workers.splice(i, 1);
    });
    worker.unref();
    this.workers.push(worker);
  }

  private collectNow(): Promise<void> {
    const jobId = this.nextJobId++;
    return Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            const finish = (): void => {
              worker.off('message', onMessage);
              worker.off('exit', finish);
              resolve();
            };
            const onMessage = (reply: WorkerReply): void => {
              if (reply.jobId === jobId) finish();
            };
            worker.on('message', onMessage);
            worker.once('exit', finish);
            worker.postMessage({ type: 'collect', jobId } satisfies CollectMessage);
          }),
      ),
    ).then(() => undefined);
  }

  private runNow(job: PoolJob, { signal, onProgress }: PoolJobOptions): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new TroupeError('internal', 'the renderer was closed'));
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    while (this.workers.length < this.threads) this.spawn();
    const { region } = job;
    const output = new SharedArrayBuffer(region.width * region.height * 4 * Float32Array.BYTES_PER_ELEMENT);
    const control = new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT);
    const controlView = new Int32Array(control);
    const jobId = this.nextJobId++;
    const message: RenderJobMessage = { type: 'render', jobId, ...job, output, control };
    const workers = [...this.workers];
    return new Promise<Float32Array>((resolve, reject) => {
      let running = workers.length;
      let rowsDone = 0;
      let failure: unknown = null;
      const stop = (reason: unknown): void => {
        failure ??= reason;
        Atomics.store(controlView, CONTROL_ABORT, 1);
      };
      const onAbort = (): void => stop(abortReason(signal!));
      const cleanups: (() => void)[] = [];
      const finished = (): void => {
        if (--running > 0) return;
        signal?.removeEventListener('abort', onAbort);
        cleanups.forEach((c) => c());
        if (failure) reject(failure);
        else resolve(new Float32Array(output));
      };
      signal?.addEventListener('abort', onAbort);
      for (const worker of workers) {
        const onMessage = (reply: WorkerReply): void => {
          if (reply.jobId !== jobId) return;
          if (reply.type === 'row') {
            rowsDone++;
            if (!failure) onProgress?.(rowsDone, region.height);
          } else {
            if (reply.type === 'error') stop(new TroupeError(reply.code, reply.message));
            finished();
          }
        };
        const onExit = (code: number): void => {
          // A thread that died (out of memory, a bug) is replaced on the next job.
          const detail = this.lastThreadError ? `: ${this.lastThreadError}` : ` (exit code ${code})`;
          stop(new TroupeError('internal', `a render thread stopped unexpectedly${detail}`));
          finished();
        };
        worker.on('message', onMessage);
        worker.once('exit', onExit);
        worker.ref();
        cleanups.push(() => {
          worker.off('message', onMessage);
          worker.off('exit', onExit);
          // Idle threads must not keep the process alive.
          worker.unref();
        });
        worker.postMessage(message);
      }
    });
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The render was aborted', 'AbortError');
}
