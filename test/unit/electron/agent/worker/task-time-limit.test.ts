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
    expect(parseTimeLimit('0')).toBeNull();
    for (const bad of ['', 'h', '4 hours', '-3m', '0s', '1d']) expect(() => parseTimeLimit(bad)).toThrow(/written like "4h"/);
  });

  it('names the limit and what the job owner can do', () => {
    expect(formatLimit(4 * 3600_000)).toBe('4 h');
    expect(formatLimit(90 * 60_000)).toBe('1 h 30 min');
    expect(formatLimit(3_000)).toBe('3 s');
    const err = new TaskTimeLimitError(2 * 3600_000);
    expect(err.code).toBe('task-time-limit');
    expect(err.message).toMatch(/longer than the 2 h this machine lets a teammate's task run.*fewer frames per task/);
  });
});
