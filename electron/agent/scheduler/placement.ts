// Owns the scheduler's judgement: which ready task suits a worker, when a frame is worth splitting
// into buckets, and which straggler an idle worker should race. It reads the records and speeds and
// decides; the scheduler carries the decision out (leases, splits, journal).

import type { Attempt, JobRecord, TaskRecord } from './job-records.js';
import type { WorkerSpeeds } from './worker-speeds.js';

/**
 * Split a frame when this worker would need more than this share of the time the whole team has
 * left: frame costs vary (a frame can take twice the average), so a slow machine must not start a
 * whole frame that the end of the job would wait for.
 */
const SPLIT_SHARE = 0.35; // tuned in the simulation (npm run bench:jobs): 0.3-0.35 best, 0.4+ straggles
const MAX_SPLIT_PARTS = 16;
/** After this long with no lease given to anyone, any worker gets any ready task (liveness first). */
const HOLD_BACK_MAX_MS = 3000;
/** A bake's chain of chunks moves to another machine only if that one is this much faster. */
const CHAIN_HANDOVER_SPEEDUP = 2;
/**
 * The held chunk goes to anyone once its machine has not taken it this long after the chunk before
 * ended: a machine that is coming asks within a second (at once when its task ends, else at its
 * poll), and one that does not (hung, or busy with another coordinator's task) must not stall the bake.
 */
const CHAIN_HOLD_MAX_MS = 5000;
/** Speculate only if the new copy is predicted to finish this much earlier than the running ones. */
const SPECULATION_GAIN = 0.8;
/**
 * Live copies a task may have. A second copy can land on a machine that hangs too; a third is
 * allowed once both are overdue, and no more: three machines stuck on one task is a broken task.
 */
const MAX_LIVE_COPIES = 3;

export type Choice = { job: JobRecord; task: TaskRecord; splitParts: number } | null;

export class Placement {
  constructor(
    private readonly jobs: Map<string, JobRecord>,
    private readonly activeWorkers: Set<string>,
    private readonly speeds: WorkerSpeeds,
  ) {}

  /**
   * The first ready task this worker can finish within its share of the time the team has left;
   * a frame that is too big for it is to be split into buckets that are not (splitParts > 1). A
   * task too big for this worker but fine for a much faster teammate is left for that teammate:
   * near the end, a slow machine idling costs less than a slow machine straggling.
   */
  choose(ready: [JobRecord, TaskRecord][], workerId: string, now: number, canSplit: boolean, lastLeaseAtMs: number): Choice {
    const speed = this.speeds.speed(workerId);
    const budget = this.teamWindow(now) * SPLIT_SHARE;
    let fastest = speed;
    for (const w of this.activeWorkers) fastest = Math.max(fastest, this.speeds.speed(w));
    for (const [job, task] of ready) {
      if (this.heldForChainHolder(job, task, workerId, speed, now)) continue;
      const mine = task.spec.cost / speed;
      if (mine <= budget) return { job, task, splitParts: 1 };
      if (canSplit && this.activeWorkers.size > 1 && task.spec.splittable)
        return { job, task, splitParts: Math.min(MAX_SPLIT_PARTS, Math.ceil(mine / budget)) };
      if (mine <= 2 * (task.spec.cost / fastest)) return { job, task, splitParts: 1 };
      // A worker measured on too few tasks may only look slow (its first task paid for start-up).
      if (!this.speeds.isKnown(workerId)) return { job, task, splitParts: 1 };
      // Holding a task back for a faster teammate is only right while someone is taking work.
      if (now - lastLeaseAtMs > HOLD_BACK_MAX_MS) return { job, task, splitParts: 1 };
    }
    return null;
  }

  /**
   * A bake's next time chunk stays with the machine that ran the last one (its world is warm there,
   * and chunks run one after another anyway) while that machine is on the team, sharing and coming
   * for it, unless this one is much faster: a chain moves only when its machine leaves, stops
   * asking, or is far slower.
   */
  private heldForChainHolder(job: JobRecord, task: TaskRecord, workerId: string, speed: number, now: number): boolean {
    if (!task.spec.sticky || task.spec.dependsOn.length !== 1) return false;
    const before = job.tasks.get(task.spec.dependsOn[0]!);
    const holder = before?.outcome?.workerId;
    if (!holder || holder === workerId || !this.activeWorkers.has(holder)) return false;
    // Ended here, by the coordinator's clock (after a restart nothing is known, and nothing is held).
    const endedAtMs = before!.attempts.find((a) => a.result === 'done' && a.lease.workerId === holder)?.endedAtMs;
    if (endedAtMs == null || now - endedAtMs > CHAIN_HOLD_MAX_MS) return false;
    return speed < CHAIN_HANDOVER_SPEEDUP * this.speeds.speed(holder);
  }

  /**
   * Nothing queued: of the running tasks this worker would beat, the one predicted to finish last.
   * Each is weighed on its own: a last task no one can beat must not hide one that this worker can.
   */
  straggler(workerId: string, now: number, eligible: (job: JobRecord, task: TaskRecord) => boolean): Choice {
    const speed = this.speeds.speed(workerId);
    let best: { job: JobRecord; task: TaskRecord; left: number } | null = null;
    for (const job of this.jobs.values()) {
      if (job.state !== 'running') continue;
      for (const t of job.tasks.values()) {
        if ((t.state !== 'leased' && t.state !== 'running') || !eligible(job, t)) continue;
        const live = t.attempts.filter((a) => a.live);
        if (live.length === 0 || live.length >= MAX_LIVE_COPIES || live.some((a) => a.lease.workerId === workerId)) continue;
        // The soonest any live copy is predicted to end.
        const left = Math.min(...live.map((a) => this.remainingCostOf(t, a, now) / this.speeds.speed(a.lease.workerId)));
        if (t.spec.cost / speed >= left * SPECULATION_GAIN) continue;
        if (!best || left > best.left) best = { job, task: t, left };
      }
    }
    return best && { job: best.job, task: best.task, splitParts: 1 };
  }

  /** How long the active team needs, at its current pace, for everything still open. */
  teamWindow(now: number): number {
    let remainingCost = 0;
    for (const j of this.jobs.values()) {
      if (j.state !== 'queued' && j.state !== 'running') continue;
      for (const t of j.tasks.values()) {
        if (t.state === 'queued') remainingCost += t.spec.cost;
        else if (t.state === 'leased' || t.state === 'running') remainingCost += this.remainingCost(t, now);
      }
    }
    let teamSpeed = 0;
    for (const w of this.activeWorkers) teamSpeed += this.speeds.speed(w);
    return Math.max(remainingCost / Math.max(teamSpeed, 1e-12), 1);
  }

  private remainingCost(t: TaskRecord, now: number): number {
    const live = t.attempts.filter((a) => a.live);
    if (live.length === 0) return t.spec.cost;
    return Math.min(...live.map((a) => this.remainingCostOf(t, a, now)));
  }

  private remainingCostOf(t: TaskRecord, a: Attempt, now: number): number {
    const done = (now - a.lease.startedAtMs) * this.speeds.speed(a.lease.workerId);
    // Past its estimate, a task is a straggler of unknown size: assume it needs as much again
    // as it overran, and never less than a quarter of its estimate.
    return Math.max(t.spec.cost - done, (done - t.spec.cost) * 0.5, t.spec.cost * 0.25);
  }
}
