// Owns the words of a teammate's task stopped at this machine's time limit: what happened, whose
// setting it is, and what the job's owner can do about it.

import { TroupeError } from '../../../shared/errors.js';

export class TaskTimeLimitError extends TroupeError {
  constructor(readonly limitMs: number) {
    super(
      'task-time-limit',
      `the task ran longer than the ${formatLimit(limitMs)} this machine lets a teammate's task run (its owner's --task-time-limit) and was stopped; ` +
        'render fewer frames per task or fewer samples, or ask the owner to allow more',
    );
    this.name = 'TaskTimeLimitError';
  }
}

/** 4 h, 1 h 30 min, 90 s. */
export function formatLimit(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return h === 0 ? `${m} min` : m === 0 ? `${h} h` : `${h} h ${m} min`;
}
