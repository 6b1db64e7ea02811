// Owns the scheduler's in-memory records of jobs, tasks and lease attempts: plain data that the
// scheduler mutates and the placement policy reads.

import type { JobState, JobSubmission, TaskSpec, TaskState } from '../../../shared/model/jobs.js';
import type { TaskOutcome } from './ports.js';

export interface Lease {
  leaseId: string;
  jobId: string;
  task: TaskSpec;
  workerId: string;
  startedAtMs: number;
  expiresAtMs: number;
  speculative: boolean;
}

export interface Attempt {
  lease: Lease;
  live: boolean;
  /** How the attempt ended, and when (the coordinator's clock). */
  result: 'done' | 'failed' | 'lost' | 'cancelled' | null;
  endedAtMs: number | null;
  error: string | null;
}

export interface AttemptInfo extends Lease {
  result: Attempt['result'];
  endedAtMs: number | null;
  error: string | null;
}

export interface TaskRecord {
  spec: TaskSpec;
  state: TaskState;
  attempts: Attempt[];
  failures: { workerId: string; error: string }[];
  outcome: TaskOutcome | null;
  order: number;
}

export interface JobRecord {
  jobId: string;
  submission: JobSubmission;
  state: JobState;
  createdAtMs: number;
  finishedAtMs: number | null;
  tasks: Map<string, TaskRecord>;
  failuresByWorker: Map<string, number>;
  /** Workers whose results for this job were found wrong (result-checks): they get none of its tasks. */
  untrusted: Set<string>;
  errors: string[];
  nextOrder: number;
}

export function isFinal(state: JobState): boolean {
  return state === 'done' || state === 'failed' || state === 'cancelled';
}
