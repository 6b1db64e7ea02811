import { describe, expect, it } from 'vitest';
import { compileRenderJob } from '../../../../../electron/agent/jobs/compile-render-job.js';
import type { Lease } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { checkedScheduler, renderSubmission } from './scheduler-fixtures.js';

const submission = renderSubmission(1);

describe('a check held on to', () => {
  it('by a hoarding teammate (its heartbeats keep the lease alive) is taken back in time, checked elsewhere, and the job ends', () => {
    let now = 0;
    const cancelled: Lease[] = [];
    const finished: string[] = [];
    // Every task checked: b's first by this machine, its second by the machine drawn (here, whoever asks).
    const sched = checkedScheduler(() => now, { cancelLeases: (l) => cancelled.push(...l), jobFinished: (id, state) => finished.push(`${id}:${state}`) }, 1);
    const two = renderSubmission(2);
    sched.addJob('j', two, compileRenderJob('j', two, { workersHint: 2 }));
    ['b', 'hoarder', 'self'].forEach((w) => sched.workerJoined(w, 1));
    for (const frameNo of [1, 2]) {
      const frame = sched.requestWork('b')!;
      sched.taskSucceeded(frame.leaseId, { workerId: 'b', startedAtMs: 0, endedAtMs: 1000, outputs: { [`frame:${frameNo}`]: { hash: 'h', sizeBytes: 1 } } });
    }
    const firstCheck = sched.requestCheck('self')!;
    expect(sched.checkDone(firstCheck.leaseId, 'self', { 'frame:1': { hash: 'h' } })).toEqual({ kind: 'agreed', jobId: 'j' });
    const hoarded = sched.requestWork('hoarder')!; // the check of b's second frame; never answered
    expect(sched.isCheck(hoarded.leaseId, 'hoarder')).toBe(true);
    let check: Lease | null = null;
    for (let t = 0; t < 20 && !check; t++) {
      now += 1000;
      sched.renewLeases('hoarder');
      sched.expireLeases();
      check = sched.requestWork('self'); // this machine's idle worker asks every second
    }
    expect(cancelled.map((l) => l.leaseId)).toContain(hoarded.leaseId);
    expect(finished).toEqual([]);
    expect(now).toBeLessThanOrEqual(16_000);
    expect(sched.isCheck(check!.leaseId, 'self')).toBe(true);
    expect(sched.checkDone(check!.leaseId, 'self', { 'frame:2': { hash: 'h' } })).toEqual({ kind: 'agreed', jobId: 'j' });
    expect(finished).toEqual(['j:done']);
    expect(sched.requestWork('hoarder')).toBeNull(); // it may not check this one again
  });

  it('a task done again drops the check of its old result', () => {
    const now = 0;
    const sched = checkedScheduler(() => now);
    sched.addJob('j', submission, compileRenderJob('j', submission, { workersHint: 2 }));
    ['b', 'self'].forEach((w) => sched.workerJoined(w, 1));
    const frame = sched.requestWork('b')!;
    sched.taskSucceeded(frame.leaseId, { workerId: 'b', startedAtMs: 0, endedAtMs: 1000, outputs: { 'frame:1': { hash: 'h', sizeBytes: 1 } } });
    sched.redo('j', [frame.task.taskId]); // its result was lost, say
    const next = sched.requestWork('self')!;
    expect(sched.isCheck(next.leaseId, 'self')).toBe(false); // the frame itself, not a check of the old result
    expect(next.task.taskId).toBe(frame.task.taskId);
  });
});
