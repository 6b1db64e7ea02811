// The time limit's words and its setting: how an owner writes it, and what a job's owner reads.

import { describe, expect, it } from 'vitest';
import { parseTimeLimit } from '../../../../../electron/agent/config/agent-config.js';
import { TaskTimeLimitError, formatLimit } from '../../../../../electron/agent/worker/task-time-limit.js';

describe('the task time limit', () => {
  it('is written in hours, minutes and seconds; a bare number is minutes; 0 or none is no limit', () => {
    expect(parseTimeLimit('4h')).toBe(4 * 3600_000);
    expect(parseTimeLimit('1h30m')).toBe(90 * 60_000);
    expect(parseTimeLimit('45s')).toBe(45_000);
    expect(parseTimeLimit('90')).toBe(90 * 60_000);
    expect(parseTimeLimit('none')).toBeNull();
    for (const none of ['0', '00', '0.0', '0m']) expect(parseTimeLimit(none)).toBeNull();
    // A timer cannot wait past 2^31 ms (it would fire at once, stopping every task): refused in words.
    expect(parseTimeLimit('500h')).toBe(500 * 3600_000);
    for (const bad of ['', 'h', '4 hours', '-3m', '1d', '600h', '40000']) expect(() => parseTimeLimit(bad)).toThrow(/written like "4h".*at most 500h/);
  });

  it('names the limit and what the job owner can do', () => {
    expect(formatLimit(4 * 3600_000)).toBe('4 h');
    expect(formatLimit(90 * 60_000)).toBe('1 h 30 min');
    expect(formatLimit(3_000)).toBe('3 s');
    expect(formatLimit(2 * 3600_000 - 10_000)).toBe('2 h');
    const err = new TaskTimeLimitError(2 * 3600_000, 'render fewer frames per task, in regions, or with fewer samples');
    expect(err.code).toBe('task-time-limit');
    expect(err.message).toMatch(/longer than the 2 h its worker allows a teammate's task .*TROUPE_TASK_TIME_LIMIT.*fewer frames per task/);
    expect(new TaskTimeLimitError(60_000).message).toMatch(/split the job into smaller tasks/);
  });
});
