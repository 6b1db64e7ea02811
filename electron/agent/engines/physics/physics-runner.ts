// Owns running one physics task off the calling thread: a worker thread per task (a chunk or a
// variant is seconds to minutes of work; starting a thread and Rapier costs ~0.1 s), progress
// passed on, the result handed back, and cancelling by ending the thread, whatever it is doing.

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

export function runPhysicsTask(task: PhysicsTask, { signal, onProgress }: PhysicsRunOptions = {}): Promise<PhysicsTaskResult> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<PhysicsTaskResult>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = startPhysicsWorker();
    } catch (err) {
      reject(new EngineStoppedError(`the physics thread could not start: ${(err as Error).message}`));
      return;
    }
    let settled = false;
    let threadError = '';
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = (): void => finish(() => reject(abortReason(signal!)));
    signal?.addEventListener('abort', onAbort);
    // Without an 'error' listener a crash in the thread would throw in the agent itself.
    worker.on('error', (err) => (threadError = err.message));
    worker.on('message', (reply: PhysicsWorkerReply) => {
      if (reply.type === 'progress') {
        if (!settled) onProgress?.(reply.stepsDone, reply.steps);
      } else if (reply.type === 'done') {
        finish(() => resolve(reply.result));
      } else {
        const Named = NAMED[reply.name];
        finish(() => reject(Named ? new Named(reply.message) : new TroupeError(reply.code, reply.message)));
      }
    });
    worker.once('exit', (code) => {
      finish(() => reject(new EngineStoppedError(`the physics thread stopped unexpectedly${threadError ? `: ${threadError}` : ` (exit code ${code})`}`)));
    });
    worker.postMessage({ type: 'run', task } satisfies PhysicsWorkerRequest);
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The physics task was aborted', 'AbortError');
}
