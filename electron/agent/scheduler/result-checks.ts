// Owns checking teammates' results for jobs whose engine is deterministic (the built-in renderer,
// physics): the same task run on another machine must give the same output hashes. A sample of
// done tasks is checked: every worker's first task of a job, then about 2 % of the rest, chosen by
// a keyed hash of the task id whose key never leaves this machine (task ids are public: with a
// plain hash a worker could tell which of its tasks will be checked, and lie on the others). This
// machine's own results are the user's and are never checked; its verdict is final. Between
// teammates that disagree, more machines decide: the result most of them share (at least two,
// more than any other) is right, and the machines that differ from it are untrusted for the job.
// No such result yet: nobody is blamed, and another machine runs it.
//
// Who checks is the coordinator's choice, never the asker's. Each worker's first task of a job is
// checked by this machine itself (one that lies from the start is caught at once, whatever it
// colludes with); each sampled task after it goes to one machine drawn at random (from a source no
// teammate sees) among those that may run it, and only that machine gets it when it asks; a
// machine that ran the task or one of its inputs never checks it.
// So two colluding teammates cannot check each other's lies on purpose: one asking again and again
// for checks gets only those it was drawn for (before, the first to ask got any check, and one
// colluder's word confirmed the other's). This machine (the coordinator, whose owner's job it is)
// is always in the draw, whether it shares or not, and a disagreement always goes to it: its word
// is final. So with two colluders, each of their checks has a chance to land on a machine that is
// not theirs, and none of their disagreements with an honest machine can be voted their way.
//
//   done (by W) --sampled--> pending --leased to a machine not W--> checking --hashes agree--> agreed
//                               ^                                      |
//                               +--- lease lapsed or check failed -----+--differ, checker is us--> W untrusted
//                                                                      +--differ--> pending (another machine)
//                                                                                    --> those who differ from the most shared result are untrusted
//   pending, the job's own tasks all done, and no other machine sharing (or none free for CHECK_GIVE_UP_MS) --> given up (said on the job)
//   the checked task done again (its result, or one it was made from, was replaced) --> forgotten: its old result no longer stands

import { createHmac, randomBytes, randomInt } from 'node:crypto';
import type { TaskSpec } from '../../../shared/model/jobs.js';
import type { Clock } from './ports.js';
import type { Lease } from './job-records.js';

/** Share of done tasks checked beyond each worker's first. */
export const DEFAULT_CHECK_RATE = 0.02;
export const CHECK_GIVE_UP_MS = 120_000;
/**
 * Checks wait for a machine with nothing else to run (a job's tail, where a check costs no time)
 * for this long; after it, any machine that may takes one before its next task.
 */
export const CHECK_OVERDUE_MS = 30_000;

interface Result {
  workerId: string;
  hashes: string;
  /** How long the worker took (its own clock); sets how long a checker may take. */
  workMs?: number;
}

/** A checker may take this many times the first run's time (at least CHECK_MIN_MS) before another machine checks instead. */
const CHECK_SLOWDOWN = 4;
const CHECK_MIN_MS = 15_000;

interface Check {
  checkId: string;
  jobId: string;
  spec: TaskSpec;
  /** The first result (the suspect's), then each checker's. */
  results: Result[];
  lease: Lease | null;
  /** Machines that may not check it (they already gave a result, ran one of its inputs, or failed the check). */
  excluded: Set<string>;
  /** The machine drawn to run it next; null until one is drawn (or the last one drawn left). */
  designee: string | null;
  /** This machine runs it, no other: a worker's first task, or a disagreement. */
  byUs: boolean;
  createdAtMs: number;
}

export type CheckVerdict =
  | { kind: 'agreed'; jobId: string }
  | { kind: 'undecided'; jobId: string }
  | { kind: 'untrusted'; jobId: string; taskId: string; workerIds: string[]; checkedBy: string[] };

/** Output hashes in a form two runs of the same task can be compared by, whatever the outputs are called. */
export function outputHashes(outputs: Record<string, { hash: string }>): string {
  return Object.values(outputs)
    .map((o) => o.hash)
    .sort()
    .join(',');
}

export class ResultChecks {
  private readonly checks = new Map<string, Check>();
  private readonly checkedWorkers = new Map<string, Set<string>>();
  /** Per job and kind of task, each worker's recent time per unit of cost (checkTimeMs). */
  private readonly pace = new Map<string, Map<string, number[]>>();
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    /** This machine: trusted, never checked, always in the draw, and its checks are final. */
    readonly selfId: string,
    private readonly rate = DEFAULT_CHECK_RATE,
    /** Keys the sample; random, and never sent, so no teammate can predict which of its tasks are checked. */
    private readonly sampleKey: Uint8Array = randomBytes(32),
    /** Draws a check's machine from the pool (the asker is passed only so tests can fix the draw). */
    private readonly draw: (pool: readonly string[], asker: string) => string = (pool) => pool[randomInt(pool.length)]!,
  ) {}

  /** A task of a checkable job is done: maybe check it. `inputsBy`: the machines that made its inputs (they may not check it). */
  consider(jobId: string, spec: TaskSpec, result: Result, inputsBy: readonly string[] = []): void {
    // Done again (it was redone after a result it was made from was found wrong, or lost): the
    // result an older check holds no longer stands, and re-running the task now may start from
    // other inputs, which would make an honest worker's old result look wrong.
    this.forget(jobId, [spec.taskId]);
    this.recordPace(jobId, spec, result);
    if (result.workerId === this.selfId || spec.runsOn === 'coordinator' || this.rate <= 0) return;
    const seen = this.checkedWorkers.get(jobId) ?? new Set<string>();
    this.checkedWorkers.set(jobId, seen);
    const first = !seen.has(result.workerId);
    if (!first && !sampled(this.sampleKey, spec.taskId, this.rate)) return;
    seen.add(result.workerId);
    const checkId = `check-${++this.seq}`;
    const excluded = new Set([result.workerId, ...inputsBy]);
    // A worker's first task is checked here: one that lies from the start is caught at once,
    // whoever it colludes with. The sample after it is drawn among all that may run it.
    this.checks.set(checkId, { checkId, jobId, spec, results: [result], lease: null, excluded, designee: first ? this.selfId : null, byUs: first, createdAtMs: this.clock.now() });
  }

  /**
   * A check drawn for this worker that it may run now (oldest first), leased to it. `eligible` says
   * whether its job still runs; `candidates`, the machines that may run a job's checks now (active,
   * asking, able): a check whose designee is not among them is drawn again among them. `onlyOverdue`:
   * only one that has waited CHECK_OVERDUE_MS.
   */
  next(
    workerId: string,
    eligible: (jobId: string) => boolean,
    lease: (jobId: string, spec: TaskSpec) => Lease,
    candidates: (jobId: string) => readonly string[],
    onlyOverdue = false,
  ): Lease | null {
    const now = this.clock.now();
    for (const c of this.checks.values()) {
      if (c.lease || c.excluded.has(workerId) || (onlyOverdue && now - c.createdAtMs < CHECK_OVERDUE_MS) || !eligible(c.jobId)) continue;
      if (c.byUs || c.results.length > 1) {
        // A first task, or disputed: this machine runs it (and nobody else, whoever asks).
        if (workerId !== this.selfId) continue;
      } else {
        const pool = [...new Set([...candidates(c.jobId), this.selfId])].filter((w) => !c.excluded.has(w));
        if (c.designee === null || !pool.includes(c.designee)) c.designee = pool.length ? this.draw(pool, workerId) : null;
        if (c.designee !== workerId) continue;
      }
      c.lease = lease(c.jobId, c.spec);
      return c.lease;
    }
    return null;
  }

  leaseById(leaseId: string): Lease | null {
    for (const c of this.checks.values()) if (c.lease?.leaseId === leaseId) return c.lease;
    return null;
  }

  leaseOf(leaseId: string, workerId: string): Lease | null {
    for (const c of this.checks.values()) if (c.lease?.leaseId === leaseId && c.lease.workerId === workerId) return c.lease;
    return null;
  }

  /** A checker's hashes for its lease: the verdict, or null if the lease is not a live check. */
  done(leaseId: string, result: Result): CheckVerdict | null {
    const c = this.byLease(leaseId, result.workerId);
    if (!c) return null;
    c.lease = null;
    c.designee = null; // a disagreement goes to a machine drawn afresh
    c.excluded.add(result.workerId);
    c.results.push(result);
    const [first, ...checkers] = c.results;
    const jobId = c.jobId;
    if (checkers.every((r) => r.hashes === first!.hashes)) {
      this.checks.delete(c.checkId);
      return { kind: 'agreed', jobId };
    }
    const byUs = c.results.find((r) => r.workerId === this.selfId);
    // Without this machine's word, the result most checkers share decides; while none does (two
    // results that differ, or three that all differ), nobody is blamed: another machine runs it.
    const truth = byUs ?? plurality(c.results);
    if (!truth) return { kind: 'undecided', jobId };
    this.checks.delete(c.checkId);
    const wrong = c.results.filter((r) => r.hashes !== truth.hashes).map((r) => r.workerId);
    return { kind: 'untrusted', jobId, taskId: c.spec.taskId, workerIds: wrong, checkedBy: c.results.filter((r) => r.workerId !== first!.workerId).map((r) => r.workerId) };
  }

  /** A checker failed or gave its lease back: another machine checks instead. */
  release(leaseId: string, workerId: string, failed: boolean): boolean {
    const c = this.byLease(leaseId, workerId);
    if (!c) return false;
    c.lease = null;
    if (failed) {
      c.excluded.add(workerId);
      c.designee = null;
    }
    return true;
  }

  /** Keeps a worker's check leases alive: those in `only` when given, else all. */
  renew(workerId: string, untilMs: number, only: ReadonlySet<string> | null = null): void {
    for (const c of this.checks.values()) if (c.lease?.workerId === workerId && (!only || only.has(c.lease.leaseId))) c.lease.expiresAtMs = untilMs;
  }

  /**
   * Lapsed check leases go back to pending. Once a job's own tasks are all done, a check that no
   * machine on the team may run (only the suspect is sharing), or that nobody took for too long,
   * is given up, in the job's words.
   */
  expire(jobIsOpen: (jobId: string) => boolean, anyoneMayCheck: (jobId: string, excluded: ReadonlySet<string>) => boolean, note: (jobId: string, words: string) => void): Lease[] {
    const now = this.clock.now();
    const takenBack: Lease[] = [];
    for (const c of [...this.checks.values()]) {
      if (c.lease && c.lease.expiresAtMs < now) c.lease = null;
      // A checker that holds on (slow, or hoarding: its heartbeats keep the lease alive) must not
      // hold the job open: past its time, another machine checks instead.
      if (c.lease && now - c.lease.startedAtMs > this.checkTimeMs(c)) {
        takenBack.push(c.lease);
        c.excluded.add(c.lease.workerId);
        c.lease = null;
        c.designee = null;
      }
      if (!c.lease && !jobIsOpen(c.jobId) && (now - c.createdAtMs > CHECK_GIVE_UP_MS || !anyoneMayCheck(c.jobId, c.excluded))) {
        this.checks.delete(c.checkId);
        const by = c.results[0]!.workerId.slice(0, 7);
        const others = c.results.slice(1).map((r) => r.workerId.slice(0, 7));
        note(
          c.jobId,
          others.length === 0
            ? `Task ${c.spec.taskId} by ${by} was not checked: no other machine was free to run it again`
            : `Task ${c.spec.taskId} by ${by} was run again on ${others.join(', ')} and the results differ; no other machine was free to decide which is right, so its result was kept unconfirmed`,
        );
      }
    }
    return takenBack;
  }

  /** Check leases this worker holds now (they count towards what it may hold). */
  heldBy(workerId: string): number {
    let n = 0;
    for (const c of this.checks.values()) if (c.lease?.workerId === workerId) n++;
    return n;
  }

  workerLost(workerId: string): void {
    for (const c of this.checks.values()) if (c.lease?.workerId === workerId) c.lease = null;
  }

  /**
   * Forgets the checks of these tasks of a job (they are being done again: their results, or a
   * result they were made from, no longer stand); returns the checks' live leases, to stop.
   */
  forget(jobId: string, taskIds: readonly string[]): Lease[] {
    const live: Lease[] = [];
    for (const c of [...this.checks.values()]) {
      if (c.jobId !== jobId || !taskIds.includes(c.spec.taskId)) continue;
      if (c.lease) live.push(c.lease);
      this.checks.delete(c.checkId);
    }
    return live;
  }

  /** Forgets a job's checks (it ended, or its suspects' work is being redone). */
  drop(jobId: string, suspect?: string): Lease[] {
    const live: Lease[] = [];
    for (const c of [...this.checks.values()]) {
      if (c.jobId !== jobId || (suspect !== undefined && c.results[0]!.workerId !== suspect)) continue;
      if (c.lease) live.push(c.lease);
      this.checks.delete(c.checkId);
    }
    if (suspect === undefined) {
      this.checkedWorkers.delete(jobId);
      for (const key of this.pace.keys()) if (key.startsWith(`${jobId}\0`)) this.pace.delete(key);
    }
    return live;
  }

  /**
   * How long a checker may take: CHECK_SLOWDOWN times the first run's time. That time is the
   * suspect's own word (its clock), so it is at least what the job's other machines took for the
   * same work (their time per unit of cost, the median): a worker that says its every task took
   * no time would otherwise have each checker's lease taken back after CHECK_MIN_MS, until no
   * machine may check, and its results given up unchecked.
   */
  private checkTimeMs(c: Check): number {
    const suspect = c.results[0]!;
    const others = [...(this.pace.get(paceKey(c.jobId, c.spec)) ?? new Map<string, number[]>())].flatMap(([w, v]) => (w === suspect.workerId ? [] : v));
    const expected = others.length === 0 ? 0 : median(others) * c.spec.cost;
    return Math.max(CHECK_MIN_MS, CHECK_SLOWDOWN * Math.max(suspect.workMs ?? 0, expected));
  }

  /** Each worker's time per unit of cost for a job's tasks of one kind (the last PACE_SAMPLES). */
  private recordPace(jobId: string, spec: TaskSpec, result: Result): void {
    if (result.workMs === undefined || !(spec.cost > 0) || !Number.isFinite(result.workMs)) return;
    const key = paceKey(jobId, spec);
    const byWorker = this.pace.get(key) ?? new Map<string, number[]>();
    this.pace.set(key, byWorker);
    const samples = byWorker.get(result.workerId) ?? [];
    byWorker.set(result.workerId, [...samples.slice(-(PACE_SAMPLES - 1)), Math.max(0, result.workMs) / spec.cost]);
  }

  /** A check drawn for (or disputed, so left to) this machine waits to run. */
  hasCheckForSelf(): boolean {
    for (const c of this.checks.values()) if (!c.lease && (c.byUs || c.results.length > 1 || c.designee === this.selfId)) return true;
    return false;
  }

  /** A check waits for a machine to run it. */
  hasUnleased(): boolean {
    for (const c of this.checks.values()) if (!c.lease) return true;
    return false;
  }

  pendingFor(jobId: string): boolean {
    for (const c of this.checks.values()) if (c.jobId === jobId) return true;
    return false;
  }

  private byLease(leaseId: string, workerId: string): Check | null {
    for (const c of this.checks.values()) if (c.lease?.leaseId === leaseId && c.lease.workerId === workerId) return c;
    return null;
  }
}

const PACE_SAMPLES = 16;

function paceKey(jobId: string, spec: TaskSpec): string {
  return `${jobId}\0${spec.kind}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function sampled(key: Uint8Array, taskId: string, rate: number): boolean {
  return parseInt(createHmac('sha256', key).update(taskId).digest('hex').slice(0, 8), 16) / 2 ** 32 < rate;
}

/** The hashes at least two results share and more than share any other; null while there are none. */
function plurality(results: Result[]): Result | null {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.hashes, (counts.get(r.hashes) ?? 0) + 1);
  const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  const [top, next] = ranked;
  if (!top || top[1] < 2 || (next && next[1] === top[1])) return null;
  return results.find((r) => r.hashes === top[0])!;
}
