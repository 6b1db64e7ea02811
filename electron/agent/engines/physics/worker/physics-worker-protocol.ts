// Owns what the physics runner and its worker thread say to each other: one request in (a task to
// run; or, for the coordinator, a scene to read or a bake to join), progress and one result (or
// one error, by class name, code and words) out.

import type { ErrorCode } from '../../../../../shared/errors.js';
import type { BakeJoin, InspectedScene, SceneInspection } from '../coordinator/physics-coordinator-work.js';
import type { PhysicsTask, PhysicsTaskResult } from './physics-task.js';

export type PhysicsWorkerRequest = { type: 'run'; task: PhysicsTask } | { type: 'inspect'; inspection: SceneInspection } | { type: 'join'; join: BakeJoin };

/** What each request answers. */
export interface PhysicsWorkerResults {
  run: PhysicsTaskResult;
  inspect: InspectedScene;
  join: { glb: Uint8Array; warnings: string[] };
}

export type PhysicsWorkerReply =
  | { type: 'progress'; stepsDone: number; steps: number }
  /** The most memory the task should take, once its scene is read (the runner stops the thread past it). */
  | { type: 'memory'; bytes: number }
  | { type: 'done'; result: PhysicsWorkerResults[keyof PhysicsWorkerResults] }
  /** `name` is the error's class, so the runner can throw the same named error. */
  | { type: 'error'; name: string; code: ErrorCode; message: string };
