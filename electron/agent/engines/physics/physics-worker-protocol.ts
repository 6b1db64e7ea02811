// Owns what the physics runner and its worker thread say to each other: one task in, progress
// and one result (or one error, by class name, code and words) out.

import type { ErrorCode } from '../../../../shared/errors.js';
import type { PhysicsTask, PhysicsTaskResult } from './physics-task.js';

export interface PhysicsWorkerRequest {
  type: 'run';
  task: PhysicsTask;
}

export type PhysicsWorkerReply =
  | { type: 'progress'; stepsDone: number; steps: number }
  | { type: 'done'; result: PhysicsTaskResult }
  /** `name` is the error's class, so the runner can throw the same named error. */
  | { type: 'error'; name: string; code: ErrorCode; message: string };
