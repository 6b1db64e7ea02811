// Two teammates that collude against result checks: a check is drawn by the coordinator among the
// machines that may run it (this one always among them), so a colluder that asks for every check
// gets only those drawn for it; a machine that made a task's inputs never checks it; and in the
// model of a whole job (test/sim/collusion-sim.ts), lies that survive fall with the draw.

import { describe, expect, it } from 'vitest';
import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import { ResultChecks } from '../../../../../electron/agent/scheduler/result-checks.js';
import type { Lease } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { simulateCollusion } from '../../../../sim/collusion-sim.js';

const spec = (i: number, dependsOn: string[] = []): TaskSpec => ({ taskId: `j:f${i}`, kind: 'frames', frames: [i], region: null, dependsOn, cost: 1 });
const leaseFor = (workerId: string) => {
  let n = 0;
  return (jobId: string, task: TaskSpec): Lease => ({ leaseId: `${workerId}-${n++}`, jobId, task, workerId, startedAtMs: 0, expiresAtMs: 1e12, speculative: false });
};

describe('result checks against colluding teammates', () => {
  it('a colluder asking for every check gets only those drawn for it, about one in four among three teammates and this machine', () => {
    const checks = new ResultChecks({ now: () => 0 }, 'self', 1);
    for (let i = 0; i < 400; i++) checks.consider('j', spec(i), { workerId: 'liar', hashes: 'lie' });
    const pool = () => ['colluder', 'honest1', 'honest2'];
    let got = 0;
    // The colluder asks first, every time; then the others, as before.
    for (let round = 0; round < 2000; round++) {
      let any = false;
      for (const w of ['colluder', 'honest1', 'honest2', 'self']) {
        const l = checks.next(w, () => true, leaseFor(w), pool);
        if (!l) continue;
        any = true;
        if (w === 'colluder') got++;
        checks.done(l.leaseId, { workerId: w, hashes: w === 'colluder' ? 'lie' : 'truth' });
      }
      if (!any) break;
    }
    // Before: the first to ask got every check (400 of 400).
    expect(got).toBeGreaterThan(40);
    expect(got).toBeLessThan(160);
  });

  it('a machine that made a task\'s inputs (a bake\'s previous chunk) is never drawn to check it', () => {
    const checks = new ResultChecks({ now: () => 0 }, 'self', 1);
    checks.consider('j', spec(2, ['j:f1']), { workerId: 'b', hashes: 'x' }, ['a']);
    for (let i = 0; i < 50; i++) expect(checks.next('a', () => true, leaseFor('a'), () => ['a'])).toBeNull();
    expect(checks.next('self', () => true, leaseFor('self'), () => ['a'])).not.toBeNull(); // left: this machine
  });

  it('in a model of whole jobs, fewer wrong results survive when the coordinator draws the checker than when the first to ask takes it', () => {
    const drawn = simulateCollusion({ machines: 3, colluders: 2, rate: 0.1, policy: 'drawn', tasks: 300, seed: 1 });
    const firstCome = simulateCollusion({ machines: 3, colluders: 2, rate: 0.1, policy: 'first-come', tasks: 300, seed: 1 });
    expect(firstCome.survivingShare).toBeGreaterThan(0.9); // colluders check each other: nothing is caught
    expect(drawn.survivingShare).toBeLessThan(firstCome.survivingShare / 2);
    expect(simulateCollusion({ machines: 5, colluders: 0, rate: 0.02, policy: 'drawn', tasks: 300, seed: 1 }).honestBlamed).toBe(0);
  });
});
