import { describe, expect, it } from 'vitest';
import { compileRenderJob } from '../../../../../electron/agent/jobs/compile-render-job.js';
import { MemoryJobJournal } from '../../../../../electron/agent/scheduler/ports.js';
import { PullScheduler } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { CHECK_GIVE_UP_MS, CHECK_OVERDUE_MS, ResultChecks } from '../../../../../electron/agent/scheduler/result-checks.js';
import { ASKER_DRAWN, renderSubmission } from './scheduler-fixtures.js';

const submission = renderSubmission;

/** A scheduler whose jobs are all checkable; `self` is this machine. Results are the frame's "bytes": right unless the worker lies. */
function setup(rate = 1e-9) { // each worker's first task only (0 turns checks off)
  let now = 0;
  const finished: string[] = [];
  const sched = new PullScheduler(
    { now: () => now },
    new MemoryJobJournal(),
    null,
    { jobFinished: (id, state) => finished.push(`${id}:${state}`) },
    5000,
    true,
    null,
    { checks: new ResultChecks({ now: () => now }, 'self', rate, undefined, ASKER_DRAWN), checkable: () => true },
  );
  const out = (frame: number, liar = false) => ({ [`frame:${frame}`]: { hash: (liar ? 'bad' : 'ok') + frame, sizeBytes: 1 } });
  const finish = (workerId: string, liar = false) => {
    const l = sched.requestWork(workerId)!;
    if (sched.isCheck(l.leaseId, workerId)) return { lease: l, verdict: sched.checkDone(l.leaseId, workerId, out(l.task.frames[0]!, liar)) };
    sched.taskSucceeded(l.leaseId, { workerId, startedAtMs: now, endedAtMs: now + 10, outputs: out(l.task.frames[0]!, liar) });
    return { lease: l, verdict: null };
  };
  return { sched, finished, finish, advance: (ms: number) => (now += ms) };
}

describe('ResultChecks', () => {
  it("checks each teammate's first task on another machine before the job is done; agreeing results say nothing", () => {
    const { sched, finished, finish } = setup();
    sched.addJob('j', submission(2), compileRenderJob('j', submission(2), { workersHint: 2 }));
    ['self', 'b'].forEach((w) => sched.workerJoined(w, 1));
    finish('b'); // frame 1 by the teammate
    expect(finish('self').lease.task.frames).toEqual([2]); // a check waits while this machine has a task to run
    expect(finished).toEqual([]); // b's frame is still to be checked
    const { lease, verdict } = finish('self'); // nothing else to run: the check
    expect(lease.task.frames).toEqual([1]);
    expect(verdict).toEqual({ kind: 'agreed', jobId: 'j' });
    expect(finished).toEqual(['j:done']);
    expect(sched.jobInfo('j').errors).toEqual([]);
  });

  it("a wrong result found by this machine: the worker is untrusted for the job and everything it did is done again", () => {
    const { sched, finished, finish, advance } = setup();
    sched.addJob('j', submission(4), compileRenderJob('j', submission(4), { workersHint: 2 }));
    ['self', 'liar'].forEach((w) => sched.workerJoined(w, 1));
    finish('liar', true);
    finish('liar', true);
    advance(CHECK_OVERDUE_MS); // a check that has waited this long comes before new work
    const { verdict } = finish('self');
    expect(verdict).toMatchObject({ kind: 'untrusted', workerIds: ['liar'], checkedBy: ['self'] });
    sched.distrust('j', ['liar'], 'liar returned a wrong result');
    expect(sched.isBlocklisted('j', 'liar')).toBe(true);
    expect(sched.requestWork('liar')).toBeNull();
    expect(sched.tasksOf('j').filter((t) => t.state === 'queued').map((t) => t.spec.frames[0])).toEqual([1, 2, 3, 4]);
    for (let i = 0; i < 4; i++) finish('self');
    expect(finished).toEqual(['j:done']);
    expect(sched.tasksOf('j').every((t) => t.outcome?.workerId === 'self')).toBe(true);
    expect(sched.jobInfo('j').errors).toEqual(['liar returned a wrong result']);
  });

  it('two teammates that disagree: this machine decides (no other may), and the odd one out is untrusted', () => {
    const { sched, finish } = setup(1); // every task checked
    sched.addJob('j', submission(2), compileRenderJob('j', submission(2), { workersHint: 3 }));
    ['a', 'b', 'c'].forEach((w) => sched.workerJoined(w, 1));
    finish('a'); // frame 1, a's first: checked by this machine
    const first = sched.requestCheck('self')!;
    expect(sched.checkDone(first.leaseId, 'self', { 'frame:1': { hash: 'ok1' } })).toEqual({ kind: 'agreed', jobId: 'j' });
    finish('a', true); // a lies about frame 2: sampled, drawn (here, for whoever asks)
    expect(finish('b').verdict).toEqual({ kind: 'undecided', jobId: 'j' }); // b checks it: they differ
    expect(sched.requestWork('b')).toBeNull(); // b cannot check twice, and there is nothing else
    // Before: c, whoever asked next, decided; a colluder of a's would have blamed b.
    expect(sched.requestWork('c')).toBeNull();
    const settle = sched.requestCheck('self')!; // this machine's worker, sharing or not
    expect(sched.checkDone(settle.leaseId, 'self', { 'frame:2': { hash: 'ok2' } })).toMatchObject({ kind: 'untrusted', workerIds: ['a'], checkedBy: ['b', 'self'] });
  });

  it('a check nobody runs in time is given up once the job is otherwise done, in the job\'s words', () => {
    const { sched, finished, finish, advance } = setup();
    sched.addJob('j', submission(1), compileRenderJob('j', submission(1), { workersHint: 1 }));
    sched.workerJoined('b', 1);
    finish('b');
    expect(finished).toEqual([]);
    advance(1000);
    sched.expireLeases();
    expect(finished).toEqual([]); // this machine may run it, sharing or not: the job waits for it
    advance(CHECK_GIVE_UP_MS);
    sched.expireLeases();
    expect(finished).toEqual(['j:done']);
    expect(sched.jobInfo('j').errors[0]).toMatch(/was not checked: no other machine was free/);
    expect(CHECK_GIVE_UP_MS).toBeGreaterThan(60_000);
  });

  it('samples about the rate given, the same tasks every time', () => {
    const checks = (rate: number) => {
      const rc = new ResultChecks({ now: () => 0 }, 'self', rate, new Uint8Array(32), ASKER_DRAWN); // one key: the same sample each time
      for (let i = 0; i < 2000; i++) rc.consider('j', { taskId: `j:f${i}`, kind: 'frames', frames: [i], region: null, dependsOn: [], cost: 1 }, { workerId: 'b', hashes: 'x' });
      let n = 0;
      while (rc.next('c', () => true, (jobId, spec) => ({ leaseId: `${n++}`, jobId, task: spec, workerId: 'c', startedAtMs: 0, expiresAtMs: 1e9, speculative: false }), () => ['c'])) continue;
      return n;
    };
    const n = checks(0.02);
    expect(n).toBeGreaterThan(20); // 1 (the worker's first) + ~2 % of 1999
    expect(n).toBeLessThan(65);
    expect(checks(0.02)).toBe(n);
    expect(checks(0)).toBe(0);
  });
});
