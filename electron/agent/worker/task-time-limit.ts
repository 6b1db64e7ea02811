// Owns the words of a teammate's task stopped at the worker's time limit: what happened, whose
// setting it is, and what the job's owner (who reads them on their own machine) can change.

import { TroupeError } from '../../../shared/errors.js';

export class TaskTimeLimitError extends TroupeError {
  /** `advice`: what the job's owner can change so each task takes less time (the engine's own words, Engine.timeLimitAdvice). */
  constructor(
    readonly limitMs: number,
    advice?: string,
  ) {
    super(
      'task-time-limit',
      `the task ran longer than the ${formatLimit(limitMs)} its worker allows a teammate's task ` +
        `(that machine's setting: troupe agent --task-time-limit, or TROUPE_TASK_TIME_LIMIT) and was stopped there; ` +
        `${advice ?? 'split the job into smaller tasks'}, or ask that machine's owner to allow more`,
    );
    this.name = 'TaskTimeLimitError';
  }
}

/** 4 h, 1 h 30 min, 90 s, 20 ms. */
export function formatLimit(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const minutes = Math.round(s / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}
