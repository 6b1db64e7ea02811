// Result checks against dishonest teammates: a cheater that predicts which of its results are
// checked, liars that outnumber an honest worker without agreeing, a disputed check nobody can
// decide, and a check whose task was done again since.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import { compileRenderJob } from '../../../../../electron/agent/jobs/compile-render-job.js';
import { MemoryJobJournal } from '../../../../../electron/agent/scheduler/ports.js';
import { PullScheduler } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { DEFAULT_CHECK_RATE, ResultChecks } from '../../../../../electron/agent/scheduler/result-checks.js';
import type { Lease } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { ASKER_DRAWN, renderSubmission } from './scheduler-fixtures.js';

const spec = (i: number): TaskSpec => ({ taskId: `5e0c9a1f27b4d803:f${i}`, kind: 'frames', frames: [i], region: null, dependsOn: [], cost: 1 });
const leaseFor = (workerId: string) => {
  let n = 0;
  return (jobId: string, task: TaskSpec): Lease => ({ leaseId: `${workerId}-${n++}`, jobId, task, workerId, startedAtMs: 0, expiresAtMs: 1e12, speculative: false });
};

/** The rule the sample used to follow: anyone who knows a task id (every worker, from its lease) could apply it. */
const publicSample = (taskId: string, rate: number): boolean => parseInt(createHash('sha256').update(taskId).digest('hex').slice(0, 8), 16) / 2 ** 32 < rate;

describe('ResultChecks against dishonest teammates', () => {
  it('a cheater cannot tell which of its results will be checked: lying only on the ones a public hash leaves out gets caught', () => {
    const key = new Uint8Array(32).fill(7); // fixed, so the test is the same every run; the agent draws its own
    const checks = new ResultChecks({ now: () => 0 }, 'self', DEFAULT_CHECK_RATE, key, ASKER_DRAWN);
    const lied = new Set<string>();
    for (let i = 0; i < 3000; i++) {
      const task = spec(i);
      // Honest on its first task (always checked) and on what it predicts is sampled; lies on the rest.
      const honest = i === 0 || publicSample(task.taskId, DEFAULT_CHECK_RATE);
      if (!honest) lied.add(task.taskId);
      checks.consider('5e0c9a1f27b4d803', task, { workerId: 'cheater', hashes: honest ? 'right' : 'wrong' });
    }
    const checked: string[] = [];
    for (let l; (l = checks.next('self', () => true, leaseFor('self'), () => ['self'])); ) checked.push(l.task.taskId);
    expect(lied.size).toBeGreaterThan(2900);
    // About 2 % of its lies are checked (60 of 3000); before, none: the sample was the public one.
    expect(checked.filter((t) => lied.has(t)).length).toBeGreaterThan(20);
  });

  it('samples about the rate, the same tasks for the same key and other tasks for another key', () => {
    const sample = (key: Uint8Array) => {
      const checks = new ResultChecks({ now: () => 0 }, 'self', 0.02, key, ASKER_DRAWN);
      for (let i = 0; i < 3000; i++) checks.consider('j', spec(i), { workerId: 'b', hashes: 'x' });
      const ids: string[] = [];
      for (let l; (l = checks.next('c', () => true, leaseFor('c'), () => ['c'])); ) ids.push(l.task.taskId);
      return ids;
    };
    const a = sample(new Uint8Array(32).fill(1));
    expect(a.length).toBeGreaterThan(30);
    expect(a.length).toBeLessThan(95);
    expect(sample(new Uint8Array(32).fill(1))).toEqual(a);
    const b = sample(new Uint8Array(32).fill(2));
    expect(b.slice(1)).not.toEqual(a.slice(1)); // beyond each worker's first task
  });

  it('a disagreement goes to this machine alone: a second liar cannot take it, and the honest worker is not outvoted', () => {
    const checks = new ResultChecks({ now: () => 0 }, 'self', 1, undefined, ASKER_DRAWN);
    checks.consider('j', spec(0), { workerId: 'honest', hashes: 'right' }); // its first: checked here
    const mine = checks.next('self', () => true, leaseFor('self'), () => [])!;
    expect(checks.done(mine.leaseId, { workerId: 'self', hashes: 'right' })).toEqual({ kind: 'agreed', jobId: 'j' });
    checks.consider('j', spec(1), { workerId: 'honest', hashes: 'right' }); // sampled: drawn (here, whoever asks)
    const run = (workerId: string, hashes: string) => {
      const lease = checks.next(workerId, () => true, leaseFor(workerId), () => [workerId]);
      return lease && checks.done(lease.leaseId, { workerId, hashes });
    };
    expect(run('liar1', 'wrong')).toEqual({ kind: 'undecided', jobId: 'j' });
    // Before: liar2 took the check next and, agreeing with liar1, got the honest worker untrusted.
    expect(run('liar2', 'wrong')).toBeNull();
    expect(run('self', 'right')).toMatchObject({ kind: 'untrusted', workerIds: ['liar1'], checkedBy: ['liar1', 'self'] });
  });

  it('with two teammates and a coordinator that does not share, a disputed check is settled by the coordinator itself', () => {
    const now = 0;
    const submission = renderSubmission(3);
    const sched = new PullScheduler({ now: () => now }, new MemoryJobJournal(), null, {}, 5000, true, null, {
      checks: new ResultChecks({ now: () => now }, 'self', 1, undefined, ASKER_DRAWN), // every task checked
      checkable: () => true,
    });
    sched.addJob('j', submission, compileRenderJob('j', submission, { workersHint: 2 }));
    ['honest', 'liar'].forEach((w) => sched.workerJoined(w, 1));
    const answer = (workerId: string, l: Lease, hash: string) =>
      sched.isCheck(l.leaseId, workerId)
        ? sched.checkDone(l.leaseId, workerId, { [`frame:${l.task.frames[0]}`]: { hash } })
        : (sched.taskSucceeded(l.leaseId, { workerId, startedAtMs: now, endedAtMs: now + 1, outputs: { [`frame:${l.task.frames[0]}`]: { hash: 'ok', sizeBytes: 1 } } }), null);
    answer('honest', sched.requestWork('honest')!, 'ok'); // frame 1
    answer('liar', sched.requestWork('liar')!, 'ok'); // frame 2, honestly
    // First tasks are checked here, whatever this machine's sharing: the liar cannot take them.
    for (let l; (l = sched.requestCheck('self')); ) expect(answer('self', l, 'ok')).toEqual({ kind: 'agreed', jobId: 'j' });
    answer('honest', sched.requestWork('honest')!, 'ok'); // frame 3: sampled, drawn (here, for whoever asks)
    expect(answer('liar', sched.requestWork('liar')!, 'forged')).toEqual({ kind: 'undecided', jobId: 'j' });
    // Before: given up, "no other machine was free to decide", the honest result kept unconfirmed.
    expect(sched.requestWork('honest')).toBeNull(); // nobody else may take it
    const settle = sched.requestCheck('self')!;
    expect(answer('self', settle, 'ok')).toMatchObject({ kind: 'untrusted', workerIds: ['liar'] });
    expect(sched.isBlocklisted('j', 'honest')).toBe(false);
  });

  it('a task done again drops the check of its old result: an honest worker is not judged on inputs it never had', () => {
    const checks = new ResultChecks({ now: () => 0 }, 'self', 1e-9, undefined, ASKER_DRAWN);
    // A bake's chunk by an honest worker, made from a chunk a liar did; the liar is caught and both are
    // done again (the chunk now starts from another snapshot, and gives other bytes, rightly).
    checks.consider('j', spec(4), { workerId: 'honest', hashes: 'from-the-liars-snapshot' });
    checks.consider('j', spec(4), { workerId: 'other', hashes: 'from-the-true-snapshot' });
    const lease = checks.next('self', () => true, leaseFor('self'), () => ['self'])!;
    // This machine re-runs it from today's inputs; before, it got the honest worker's old result to judge, and distrusted it.
    expect(checks.done(lease.leaseId, { workerId: 'self', hashes: 'from-the-true-snapshot' })).toEqual({ kind: 'agreed', jobId: 'j' });
    expect(checks.next('self', () => true, leaseFor('self'), () => ['self'])).toBeNull();
  });

  it('forget() drops the checks of tasks being done again and hands back their live leases', () => {
    const checks = new ResultChecks({ now: () => 0 }, 'self', 1e-9, undefined, ASKER_DRAWN);
    checks.consider('j', spec(1), { workerId: 'a', hashes: 'x' });
    checks.consider('j', spec(2), { workerId: 'b', hashes: 'y' });
    const lease = checks.next('self', () => true, leaseFor('self'), () => ['c'])!;
    expect(checks.forget('j', [lease.task.taskId])).toEqual([lease]);
    expect(checks.done(lease.leaseId, { workerId: 'self', hashes: 'z' })).toBeNull();
    expect(checks.pendingFor('j')).toBe(true); // the other task's check stays
    expect(checks.forget('j', ['5e0c9a1f27b4d803:f2'])).toEqual([]);
    expect(checks.pendingFor('j')).toBe(false);
  });

  it("a worker that says its tasks took no time does not get the checks of them taken from the machines running them", () => {
    let now = 0;
    const checks = new ResultChecks({ now: () => now }, 'self', 1e-9, undefined, ASKER_DRAWN);
    // An honest teammate's variants take a minute each; the cheater's, by its own clock, none.
    for (let i = 0; i < 4; i++) checks.consider('j', { ...spec(i), cost: 1000 }, { workerId: 'honest', hashes: `h${i}`, workMs: 60_000 });
    checks.consider('j', { ...spec(9), cost: 1000 }, { workerId: 'cheater', hashes: 'lie', workMs: 0 });
    const first = checks.next('self', () => true, leaseFor('self'), () => ['checker'])!; // the honest one's first task
    expect(checks.done(first.leaseId, { workerId: 'self', hashes: 'h0' })).toEqual({ kind: 'agreed', jobId: 'j' });
    const lease = checks.next('self', () => true, leaseFor('self'), () => ['checker'])!;
    expect(lease.task.taskId).toBe(spec(9).taskId);
    const expire = () => checks.expire(() => true, () => true, () => {});
    now += 60_000; // running it takes as long as the honest machine's variants did
    // Before: taken back after 15 s (4 x the 0 ms it claimed, at least 15 s), from every checker in turn, then given up.
    expect(expire()).toEqual([]);
    now += 200_000;
    expect(expire()).toEqual([lease]); // past 4 x a minute: a checker that holds on is still replaced
  });
});
