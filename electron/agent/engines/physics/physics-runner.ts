// Owns running physics tasks off the calling thread. A PhysicsThread is one worker thread kept
// between tasks: Rapier's 4 MB of JavaScript and its WebAssembly are compiled once, not for every
// chunk of a bake or variant of a wedge (a fresh thread cost 0.3-1 s a task on a busy machine).
// Tasks run one at a time. Cancelling ends the thread whatever it is doing; the next task starts
// a new one. An idle thread ends after a minute, so an agent that simulated once stays small.

import type { Worker } from 'node:worker_threads';
import { TroupeError } from '../../../../shared/errors.js';
import { EngineStoppedError } from '../engine-errors.js';
import {
  BadPhysicsChunksError,
  BadPhysicsOverrideError,
  BadPhysicsSceneError,
  BadPhysicsSettingsError,
  BadPhysicsSnapshotError,
  BadWedgeSpecError,
} from './physics-errors.js';
import type { PhysicsTask, PhysicsTaskResult } from './physics-task.js';
import { startPhysicsWorker } from './physics-worker-launch.js';
import type { PhysicsWorkerReply, PhysicsWorkerRequest } from './physics-worker-protocol.js';

export interface PhysicsRunOptions {
  /** Aborting ends the thread at once; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Steps done of this task's steps, a few times a second. */
  onProgress?: (stepsDone: number, steps: number) => void;
}

const NAMED: Record<string, new (message: string) => TroupeError> = {
  BadPhysicsSceneError,
  BadPhysicsSettingsError,
  BadPhysicsOverrideError,
  BadPhysicsSnapshotError,
  BadPhysicsChunksError,
  BadWedgeSpecError,
};

const IDLE_CLOSE_MS = 60_000;

export class PhysicsThread {
  private worker: Worker | null = null;
  /** The task in flight; tasks are chained so one runs at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;

  run(task: PhysicsTask, options: PhysicsRunOptions = {}): Promise<PhysicsTaskResult> {
    const next = this.queue.then(() => this.runNow(task, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const worker = this.worker;
    this.worker = null;
    await worker?.terminate();
  }

  private runNow(task: PhysicsTask, { signal, onProgress }: PhysicsRunOptions): Promise<PhysicsTaskResult> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    let worker: Worker;
    try {
      worker = this.worker ??= startPhysicsWorker();
    } catch (err) {
      return Promise.reject(new EngineStoppedError(`the physics thread could not start: ${(err as Error).message}`));
    }
    return new Promise<PhysicsTaskResult>((resolve, reject) => {
      let settled = false;
      let threadError = '';
      const finish = (ok: boolean, outcome: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (ok) this.idleTimer = setTimeout(() => void this.close(), IDLE_CLOSE_MS).unref();
        else this.drop(worker); // cancelled, crashed: the next task starts a clean thread
        outcome();
      };
      const onAbort = (): void => finish(false, () => reject(abortReason(signal!)));
      // Without an 'error' listener a crash in the thread would throw in the agent itself.
      const onError = (err: Error): void => void (threadError = err.message);
      const onExit = (code: number): void =>
        finish(false, () => reject(new EngineStoppedError(`the physics thread stopped unexpectedly${threadError ? `: ${threadError}` : ` (exit code ${code})`}`)));
      const onMessage = (reply: PhysicsWorkerReply): void => {
        if (reply.type === 'progress') {
          if (!settled) onProgress?.(reply.stepsDone, reply.steps);
        } else if (reply.type === 'done') {
          finish(true, () => resolve(reply.result));
        } else {
          // The task's own failure (a scene refused, a bad snapshot): the thread is fine and stays.
          const Named = NAMED[reply.name];
          finish(true, () => reject(Named ? new Named(reply.message) : new TroupeError(reply.code, reply.message)));
        }
      };
      signal?.addEventListener('abort', onAbort);
      worker.on('error', onError);
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage({ type: 'run', task } satisfies PhysicsWorkerRequest);
    });
  }

  private drop(worker: Worker): void {
    if (this.worker === worker) this.worker = null;
    void worker.terminate();
  }
}

/** One task on a thread of its own, ended afterwards (tests, one-off runs). */
export async function runPhysicsTask(task: PhysicsTask, options: PhysicsRunOptions = {}): Promise<PhysicsTaskResult> {
  const thread = new PhysicsThread();
  try {
    return await thread.run(task, options);
  } finally {
    await thread.close();
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The physics task was aborted', 'AbortError');
}
