// A running task's progress reaches its coordinator a few times a second, the newest, and never
// after the task ended: an engine may report every row or every physics step.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressThrottle } from '../../../../../electron/agent/worker/progress-throttle.js';

describe('ProgressThrottle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends the first report at once, then the newest at most once an interval', () => {
    const sent: [number, number][] = [];
    const throttle = new ProgressThrottle((done, total) => sent.push([done, total]), 500, () => Date.now());
    throttle.report(1, 100);
    expect(sent).toEqual([[1, 100]]);
    for (let row = 2; row <= 40; row++) throttle.report(row, 100);
    expect(sent).toEqual([[1, 100]]);
    vi.advanceTimersByTime(500);
    expect(sent).toEqual([[1, 100], [40, 100]]);
    vi.advanceTimersByTime(5000); // nothing new: nothing sent
    expect(sent).toHaveLength(2);
  });

  it('sends nothing once stopped, and clamps what an engine says to 0..total', () => {
    const sent: [number, number][] = [];
    const throttle = new ProgressThrottle((done, total) => sent.push([done, total]), 500, () => Date.now());
    throttle.report(150, 100.7);
    throttle.report(5, 0); // no whole to be part of
    throttle.report(Number.NaN, 10);
    throttle.report(-3, 10); // waits for the interval...
    throttle.stop(); // ...and the task ended first
    throttle.report(7, 10); // an engine's late report
    vi.advanceTimersByTime(1000);
    expect(sent).toEqual([[100, 100]]);
  });
});
