// Owns running physics tasks off the calling thread. A PhysicsThread is one worker thread kept
// between tasks: Rapier's 4 MB of JavaScript and its WebAssembly are compiled once, not for every
// chunk of a bake or variant of a wedge (a fresh thread cost 0.3-1 s a task on a busy machine).
// Tasks run one at a time. Cancelling ends the thread whatever it is doing, and so does a task
// that fails, or that takes more memory than its scene declares it needs (the thread's heap has
// a limit, Rapier's WebAssembly memory does not, and it is this process's); the next task starts
// a new one. An idle thread ends after a minute, so an agent that simulated once stays small. A
// worker's thread lives in the physics engine process (physics-service), inside the sandbox; the
// coordinator has a thread of its own in the agent, for reading submitted scenes and joining bakes.

import type { Worker } from 'node:worker_threads';
import { TroupeError } from '../../../../../shared/errors.js';
import { EngineStoppedError } from '../../engine-errors.js';
import { formatBytes } from '../../format-bytes.js';
import {
  BadPhysicsChunksError,
  BadPhysicsOverrideError,
  BadPhysicsSceneError,
  BadPhysicsSettingsError,
  BadPhysicsSnapshotError,
  BadWedgeSpecError,
} from '../physics-errors.js';
import type { PhysicsTask, PhysicsTaskResult } from './physics-task.js';
import { KEYFRAME_COPIES, PHYSICS_SCENE_BUDGET_BYTES, THREAD_BASE_BYTES } from '../reading/physics-budget.js';
import { MAX_KEYFRAME_BYTES } from '../physics-settings.js';
import { startPhysicsWorker } from './physics-worker-launch.js';
import type { BakeJoin, InspectedScene, SceneInspection } from '../coordinator/physics-coordinator-work.js';
import type { PhysicsWorkerReply, PhysicsWorkerRequest, PhysicsWorkerResults } from './physics-worker-protocol.js';

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
/** How often the agent's resident memory is looked at while a request runs. */
const MEMORY_CHECK_MS = 100;
/** Until a task says what its scene needs: reading is held to the scene budget; a bake's join holds its keyframes besides. */
const DEFAULT_MEMORY_BYTES = THREAD_BASE_BYTES + PHYSICS_SCENE_BUDGET_BYTES + MAX_KEYFRAME_BYTES * KEYFRAME_COPIES;

/** The memory each request running now in this agent's physics threads may take. */
const running = new Set<{ bytes: number }>();

export interface PhysicsThreadOptions {
  /** The thread does not keep the process alive (the coordinator's: an agent that stops does not wait for it to idle out). */
  unref?: boolean;
  /** Overrides the memory a request may add to the agent before the thread is stopped (tests). */
  memoryLimitBytes?: number;
}

export class PhysicsThread {
  private worker: Worker | null = null;
  /** The task in flight; tasks are chained so one runs at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: PhysicsThreadOptions = {}) {}

  run(task: PhysicsTask, options: PhysicsRunOptions = {}): Promise<PhysicsTaskResult> {
    return this.enqueue({ type: 'run', task }, options);
  }

  /** Reads a submitted scene and checks the job's variants against it (the coordinator's side). */
  inspect(inspection: SceneInspection, options: PhysicsRunOptions = {}): Promise<InspectedScene> {
    return this.enqueue({ type: 'inspect', inspection }, options);
  }

  /** Joins a bake's chunks into the baked .glb (the coordinator's side). */
  join(join: BakeJoin, options: PhysicsRunOptions = {}): Promise<PhysicsWorkerResults['join']> {
    return this.enqueue({ type: 'join', join }, options);
  }

  private enqueue<R extends PhysicsWorkerRequest>(request: R, options: PhysicsRunOptions): Promise<PhysicsWorkerResults[R['type']]> {
    const next = this.queue.then(() => this.runNow(request, options) as Promise<PhysicsWorkerResults[R['type']]>);
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

  private runNow(request: PhysicsWorkerRequest, { signal, onProgress }: PhysicsRunOptions): Promise<PhysicsWorkerResults[keyof PhysicsWorkerResults]> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.idleTimer) clearTimeout(this.idleTimer);
    let worker: Worker;
    try {
      worker = this.worker ??= this.start();
    } catch (err) {
      return Promise.reject(new EngineStoppedError(`the physics thread could not start: ${(err as Error).message}`));
    }
    return new Promise<PhysicsWorkerResults[keyof PhysicsWorkerResults]>((resolve, reject) => {
      let settled = false;
      let threadError = '';
      // The thread's heap has a limit; Rapier's WebAssembly memory and the run's arrays do not,
      // and they are this process's: bodies piled into one another made Rapier take 3 GiB in 3
      // steps. Watched from here, against what the task's own scene declares it needs.
      // Other physics threads of this agent (the coordinator's and a worker's) may grow at the same
      // time: the growth is measured against what all of them declared.
      const baseline = process.memoryUsage.rss();
      const bound = { bytes: this.options.memoryLimitBytes ?? DEFAULT_MEMORY_BYTES };
      running.add(bound);
      /** Stops the run if it grew past what was declared; true if it did. */
      const overBound = (): boolean => {
        const grown = process.memoryUsage.rss() - baseline;
        const limit = [...running].reduce((n, b) => n + b.bytes, 0);
        if (grown <= limit) return false;
        finish(false, () =>
          reject(new BadPhysicsSceneError(`the physics run took ${formatBytes(grown)} of memory, more than its scene needs (${formatBytes(limit)}): bodies that overlap each other make Rapier keep every pair; it was stopped`)),
        );
        return true;
      };
      const watchdog = setInterval(overBound, MEMORY_CHECK_MS);
      watchdog.unref();
      const finish = (ok: boolean, outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearInterval(watchdog);
        running.delete(bound);
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
        } else if (reply.type === 'memory') {
          bound.bytes = this.options.memoryLimitBytes ?? reply.bytes;
        } else if (reply.type === 'done') {
          // Checked once more at the end: on a busy machine a short run can finish before the
          // watchdog's next look, and WebAssembly memory, once grown, stays grown.
          if (!overBound()) finish(true, () => resolve(reply.result));
        } else {
          // The task's own failure (a scene refused, a bad snapshot, Rapier trapped). The thread
          // goes with it: a Rust panic in WebAssembly traps without unwinding, leaving Rapier's
          // stack pointer and heap as they were mid-call, and its memory never shrinks. On a
          // kept thread, a teammate's crafted snapshot could then spoil the next job's runs
          // (and get this machine distrusted for them). A fresh thread costs under a second.
          const Named = NAMED[reply.name];
          finish(false, () => reject(Named ? new Named(reply.message) : new TroupeError(reply.code, reply.message)));
        }
      };
      signal?.addEventListener('abort', onAbort);
      worker.on('error', onError);
      worker.on('message', onMessage);
      worker.once('exit', onExit);
      worker.postMessage(request);
    });
  }

  private start(): Worker {
    const worker = startPhysicsWorker();
    if (this.options.unref) worker.unref();
    return worker;
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

let coordinator: PhysicsThread | null = null;

/**
 * The coordinator's physics thread: what it reads of a submitted scene and the bakes it joins run
 * there, never in the agent's thread (§12.4). One thread, kept while used (a fresh one would load
 * the reader again for each of a bake's joins), ended after a minute idle or a failure.
 */
export function coordinatorThread(): PhysicsThread {
  return (coordinator ??= new PhysicsThread({ unref: true }));
}
