// A model of result checks against colluding teammates: a job's tasks dealt in turn to the
// teammates still trusted. Colluders are careful: honest on their first task (always checked),
// wrong on every later one, and as checkers they confirm each other's results and leave honest
// ones alone. After each task every machine asks for checks until none is left to run. The
// coordinator (this machine) does not share. A worker found wrong is untrusted and its tasks are
// done again (by whoever is trusted: a colluder may get them, and lie again).
//
// Policies: 'drawn' runs the real ResultChecks (today: the coordinator draws who checks, itself
// among them, and decides every disagreement); 'first-come' is the rule before, modelled here: the
// first teammate to ask took any check (colluders ask first), a check whose results all agree was
// accepted, a disagreement went to the next to ask and the result most shared won.
//
// Measured: the share of wrong results still in the job at its end, and honest machines blamed.

import type { TaskSpec } from '../../shared/model/jobs.js';
import type { Lease } from '../../electron/agent/scheduler/job-records.js';
import { ResultChecks } from '../../electron/agent/scheduler/result-checks.js';
import { mulberry32 } from '../../shared/seeded-random.js';

export interface CollusionCase {
  /** Teammates (the coordinator comes on top and does not share). */
  machines: number;
  colluders: number;
  /** Share of tasks checked beyond each worker's first. */
  rate: number;
  policy: 'drawn' | 'first-come';
  tasks: number;
  seed: number;
}

export interface CollusionOutcome {
  wrongProduced: number;
  wrongSurviving: number;
  survivingShare: number;
  honestBlamed: number;
  checksRun: number;
}

export function simulateCollusion(c: CollusionCase): CollusionOutcome {
  return c.policy === 'drawn' ? drawnModel(c) : firstComeModel(c);
}

function drawnModel(c: CollusionCase): CollusionOutcome {
  const random = mulberry32(c.seed);
  const workers = Array.from({ length: c.machines }, (_, i) => `w${i}`);
  const colluding = new Set(workers.slice(0, c.colluders));
  const untrusted = new Set<string>();
  const key = Uint8Array.from({ length: 32 }, () => Math.floor(random() * 256));
  const checks = new ResultChecks({ now: () => 0 }, 'self', c.rate, key, (pool) => pool[Math.floor(random() * pool.length)]!);
  const final = new Map<number, { worker: string; hash: string }>();
  let wrongProduced = 0;
  let checksRun = 0;
  let leaseSeq = 0;
  let turn = 0;
  const spec = (i: number): TaskSpec => ({ taskId: `job:t${i}`, kind: 'frames', frames: [i], region: null, dependsOn: [], cost: 1 });
  const trusted = () => workers.filter((w) => !untrusted.has(w));
  const doneBy = new Map<string, number>();
  /** A worker's result for a task: colluders are honest on their first, wrong after. */
  const resultOf = (w: string) => {
    const n = doneBy.get(w) ?? 0;
    doneBy.set(w, n + 1);
    return colluding.has(w) && n > 0 ? 'wrong' : 'right';
  };
  /** A checker's result: a colluder repeats a fellow colluder's, and leaves an honest one alone. */
  const checkOf = (checker: string, taskIndex: number) => {
    const suspect = final.get(taskIndex)!;
    return colluding.has(checker) && colluding.has(suspect.worker) ? suspect.hash : 'right';
  };
  const queue = Array.from({ length: c.tasks }, (_, i) => i);

  const runChecks = (): void => {
    for (let granted = true; granted; ) {
      granted = false;
      const askers = trusted().sort(() => random() - 0.5);
      askers.push('self'); // its worker asks for what it was drawn for, sharing or not
      for (const w of askers) {
        if (untrusted.has(w)) continue;
        const lease = checks.next(
          w,
          () => true,
          (jobId, task): Lease => ({ leaseId: `l${++leaseSeq}`, jobId, task, workerId: w, startedAtMs: 0, expiresAtMs: 1e12, speculative: false }),
          () => trusted(),
        );
        if (!lease) continue;
        granted = true;
        checksRun++;
        const verdict = checks.done(lease.leaseId, { workerId: w, hashes: checkOf(w, lease.task.frames[0]!) });
        if (verdict?.kind !== 'untrusted') continue;
        for (const bad of verdict.workerIds) {
          if (untrusted.has(bad)) continue;
          untrusted.add(bad);
          checks.drop('job', bad);
          for (const [i, r] of final) if (r.worker === bad) queue.push(i); // done again
        }
      }
    }
  };

  while (queue.length > 0 && trusted().length > 0) {
    const i = queue.shift()!;
    const pool = trusted();
    const worker = pool[turn++ % pool.length]!;
    const hash = resultOf(worker);
    if (hash === 'wrong') wrongProduced++;
    final.set(i, { worker, hash });
    checks.forget('job', [spec(i).taskId]);
    checks.consider('job', spec(i), { workerId: worker, hashes: hash });
    runChecks();
  }
  return outcome(final, wrongProduced, untrusted, colluding, checksRun);
}

/** The rule before (see the top): first come, first check; the most shared result wins a dispute. */
function firstComeModel(c: CollusionCase): CollusionOutcome {
  const random = mulberry32(c.seed);
  const workers = Array.from({ length: c.machines }, (_, i) => `w${i}`);
  const colluding = new Set(workers.slice(0, c.colluders));
  const untrusted = new Set<string>();
  const final = new Map<number, { worker: string; hash: string }>();
  const doneBy = new Map<string, number>();
  const firstSeen = new Set<string>();
  type Check = { task: number; results: { worker: string; hash: string }[] };
  let pending: Check[] = [];
  let wrongProduced = 0;
  let checksRun = 0;
  let turn = 0;
  const trusted = () => workers.filter((w) => !untrusted.has(w));
  const queue = Array.from({ length: c.tasks }, (_, i) => i);
  const distrust = (bad: string[]) => {
    for (const b of bad) {
      if (untrusted.has(b)) continue;
      untrusted.add(b);
      pending = pending.filter((p) => p.results[0]!.worker !== b);
      for (const [i, r] of final) if (r.worker === b) queue.push(i);
    }
  };
  while (queue.length > 0 && trusted().length > 0) {
    const i = queue.shift()!;
    const pool = trusted();
    const worker = pool[turn++ % pool.length]!;
    const n = doneBy.get(worker) ?? 0;
    doneBy.set(worker, n + 1);
    const hash = colluding.has(worker) && n > 0 ? 'wrong' : 'right';
    if (hash === 'wrong') wrongProduced++;
    final.set(i, { worker, hash });
    pending = pending.filter((p) => p.task !== i);
    if (!firstSeen.has(worker) || random() < c.rate) {
      firstSeen.add(worker);
      pending.push({ task: i, results: [{ worker, hash }] });
    }
    for (let granted = true; granted; ) {
      granted = false;
      // Colluders ask first: they are after the checks.
      const askers = trusted().sort((a, b) => Number(colluding.has(b)) - Number(colluding.has(a)));
      for (const w of askers) {
        const check = pending.find((p) => !p.results.some((r) => r.worker === w));
        if (!check || untrusted.has(w)) continue;
        granted = true;
        checksRun++;
        const suspect = final.get(check.task)!;
        check.results.push({ worker: w, hash: colluding.has(w) && colluding.has(suspect.worker) ? suspect.hash : 'right' });
        if (check.results.every((r) => r.hash === check.results[0]!.hash)) {
          pending = pending.filter((p) => p !== check);
          continue;
        }
        const counts = new Map<string, number>();
        for (const r of check.results) counts.set(r.hash, (counts.get(r.hash) ?? 0) + 1);
        const [top, next] = [...counts].sort((a, b) => b[1] - a[1]);
        if (top![1] < 2 || (next && next[1] === top![1])) continue; // undecided: the next to ask
        pending = pending.filter((p) => p !== check);
        distrust(check.results.filter((r) => r.hash !== top![0]).map((r) => r.worker));
      }
    }
  }
  return outcome(final, wrongProduced, untrusted, colluding, checksRun);
}

function outcome(final: Map<number, { hash: string }>, wrongProduced: number, untrusted: Set<string>, colluding: Set<string>, checksRun: number): CollusionOutcome {
  const wrongSurviving = [...final.values()].filter((r) => r.hash === 'wrong').length;
  return {
    wrongProduced,
    wrongSurviving,
    survivingShare: wrongProduced === 0 ? 0 : wrongSurviving / wrongProduced,
    honestBlamed: [...untrusted].filter((w) => !colluding.has(w)).length,
    checksRun,
  };
}
