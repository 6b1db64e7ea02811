// Owns what the scheduler needs from the world, as interfaces: time and a durable journal. The
// real agent passes the system clock and SQLite; the simulation a virtual clock and memory.

import type { JobState, JobSubmission, TaskSpec, TaskState } from '../../../shared/model/jobs.js';

export interface Clock {
  now(): number;
}

export interface TaskOutcome {
  workerId: string;
  startedAtMs: number;
  endedAtMs: number;
  /** Content addresses of what the task produced (images, tiles), by output name. */
  outputs: Record<string, { hash: string; sizeBytes: number }>;
  /** What the worker warned of (a file missing there); shown on the job. None when absent. */
  warnings?: string[];
}

/** Everything the coordinator must not forget across a crash. Calls are synchronous and durable on return. */
export interface JobJournal {
  jobCreated(jobId: string, submission: JobSubmission, createdAtMs: number, tasks: TaskSpec[]): void;
  /** New tasks (a frame split into buckets); `superseded` is the task they replace. */
  tasksAdded(jobId: string, tasks: TaskSpec[], superseded: string | null): void;
  taskStateChanged(jobId: string, taskId: string, state: TaskState, note?: string): void;
  taskCompleted(jobId: string, taskId: string, outcome: TaskOutcome): void;
  taskAttemptFailed(jobId: string, taskId: string, workerId: string, error: string, atMs: number): void;
  jobStateChanged(jobId: string, state: JobState, atMs: number, errors?: string[]): void;
  jobPriorityChanged(jobId: string, priority: number): void;
  /** Every worker found returning wrong results for the job so far, and its errors, which say so. */
  workersUntrusted(jobId: string, workerIds: string[], errors: string[]): void;
  /** Everything recorded, for a coordinator starting again. */
  load(): JournalSnapshot;
  /** Runs `fn` so the calls it makes commit together (one disk flush for a cancel of many tasks). */
  batch<T>(fn: () => T): T;
}

export interface JournalSnapshot {
  jobs: {
    jobId: string;
    submission: JobSubmission;
    state: JobState;
    createdAtMs: number;
    finishedAtMs: number | null;
    errors: string[];
    /** Workers found returning wrong results for it (result checks). */
    untrusted: string[];
    tasks: { spec: TaskSpec; state: TaskState; outcome: TaskOutcome | null; failures: { workerId: string; error: string }[] }[];
  }[];
}

/** A journal that forgets: for simulations and unit tests. */
export class MemoryJobJournal implements JobJournal {
  jobCreated(): void {}
  tasksAdded(): void {}
  taskStateChanged(): void {}
  taskCompleted(): void {}
  taskAttemptFailed(): void {}
  jobStateChanged(): void {}
  jobPriorityChanged(): void {}
  workersUntrusted(): void {}
  load(): JournalSnapshot {
    return { jobs: [] };
  }
  batch<T>(fn: () => T): T {
    return fn();
  }
}
