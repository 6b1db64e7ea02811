import { describe, expect, it } from 'vitest';
import { TaskLog } from '../../../../../electron/agent/worker/task-log.js';

describe('TaskLog', () => {
  it('keeps the last lines and adds them to a failed task’s error, within task.failed’s 4000 characters', () => {
    const log = new TaskLog();
    for (let i = 0; i < 100; i++) log.add(`line ${i}`);
    expect(log.tail().split('\n')).toHaveLength(40);
    expect(log.tail().endsWith('line 99')).toBe(true);
    const err = log.attachTo(new Error('x'.repeat(5000))) as Error;
    expect(err.message.length).toBeLessThanOrEqual(4000);
    expect(err.message.endsWith('line 99')).toBe(true);
  });

  it('leaves an error alone when the engine said nothing', () => {
    const err = new Error('scene too large');
    expect((new TaskLog().attachTo(err) as Error).message).toBe('scene too large');
  });
});
