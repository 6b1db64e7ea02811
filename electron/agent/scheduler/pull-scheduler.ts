// Owns who runs what: workers pull, get a task under a lease, and report back. Lapsed leases and
// lost workers send tasks back to the queue; near the end, a frame a slow worker would straggle on
// is split into buckets, and idle workers re-run stragglers (first result wins). Depends only on
// ports (clock, journal) so the same code runs in the discrete-event simulation.

import type { JobState, JobSubmission, TaskSpec, TaskState } from '../../../shared/model/jobs.js';
import type { Clock, JobJournal, JournalSnapshot, TaskOutcome } from './ports.js';
import { WorkerSpeeds } from './worker-speeds.js';
import { isFinal, type Attempt, type AttemptInfo, type JobRecord, type Lease, type TaskRecord } from './job-records.js';
import { Placement, type Choice } from './placement.js';
import { outputHashes, type CheckVerdict, type ResultChecks } from './result-checks.js';

export type { AttemptInfo, Lease } from './job-records.js';

export const MAX_FAILURES_PER_WORKER = 3; // a worker failing a job's tasks this often is blocklisted for it
export const MAX_WORKERS_FAILING_TASK = 3; // a task failed on this many workers fails the job
const DEFAULT_LEASE_MS = 10_000;
/**
 * Leases a worker may hold beyond the tasks it can run at once: the next task, asked for while the
 * last one ends. More would let one member hoard a job the rest of the team could be running.
 */
export const PREFETCH_LEASES = 1;
/** A worker that asked for work this recently may take a waiting check (idle workers ask every second). */
const ASKED_RECENTLY_MS = 5000;

/** Splits a not-yet-started single-frame task into buckets plus a merge; null if it cannot be split. */
export type TaskSplitter = (job: JobSubmission, jobId: string, task: TaskSpec, parts: number) => TaskSpec[] | null;

/**
 * Whether a worker can run a job's tasks at all (it has the job's engine, at a version the job
 * accepts). The scheduler asks, never knows why: engines are the coordinator's business.
 */
export type WorkerFit = (job: JobSubmission, workerId: string) => boolean;

/** Checking teammates' results (result-checks.ts), for the jobs `checkable` says are deterministic. */
export interface Verification {
  checks: ResultChecks;
  checkable(job: JobSubmission): boolean;
}

export interface SchedulerEvents {
  /**
   * A task's state or attempts changed (leased, started, an attempt ended, done, split, cancelled).
   * Told as it happens, once per change: whoever shows tasks updates these alone, never the job's
   * every task (a 10,000-task job is as cheap to follow as a 10-task one).
   */
  taskChanged?(jobId: string, taskId: string): void;
  taskDone?(jobId: string, task: TaskSpec, outcome: TaskOutcome): void;
  jobFinished?(jobId: string, state: JobState): void;
  /** Leases the worker should stop (a copy elsewhere won, or the job was cancelled). */
  cancelLeases?(leases: Lease[]): void;
}

/** A task as the scheduler's readers see it. */
export interface TaskInfo {
  spec: TaskSpec;
  state: TaskState;
  outcome: TaskOutcome | null;
  failures: { workerId: string; error: string }[];
  attempts: AttemptInfo[];
}

function taskInfo(t: TaskRecord): TaskInfo {
  return { spec: t.spec, state: t.state, outcome: t.outcome, failures: t.failures, attempts: t.attempts.map((a) => ({ ...a.lease, result: a.result, endedAtMs: a.endedAtMs, error: a.error })) };
}

export class PullScheduler {
  readonly speeds = new WorkerSpeeds();
  private readonly jobs = new Map<string, JobRecord>();
  private readonly leases = new Map<string, { job: JobRecord; task: TaskRecord; attempt: Attempt }>();
  private readonly activeWorkers = new Set<string>();
  /** Tasks each worker can run at once, from what it announced; 1 until it says. */
  private readonly taskSlots = new Map<string, number>();
  private leaseSeq = 0;
  /** When each worker last asked for work: who may still take a check. */
  private readonly lastAskedAtMs = new Map<string, number>();
  private lastLeaseAtMs = 0;
  private readonly placement = new Placement(this.jobs, this.activeWorkers, this.speeds);
  // Lease ids must not repeat across restarts: a worker may report on a lease from before a crash.
  private readonly leasePrefix = Math.random().toString(36).slice(2, 8);

  constructor(
    private readonly clock: Clock,
    private readonly journal: JobJournal,
    private readonly splitter: TaskSplitter | null,
    private readonly events: SchedulerEvents = {},
    private readonly leaseMs = DEFAULT_LEASE_MS,
    /** Tasks whose trait is `runsOn: 'coordinator'` run where their inputs are held (the coordinator asks with requestMerge), not on workers. */
    private readonly mergesByCoordinator = false,
    /** Null: every worker can run every job. */
    private readonly fits: WorkerFit | null = null,
    /** Null: results are taken as they come. */
    private readonly verification: Verification | null = null,
  ) {}

  // ---- jobs ----

  addJob(jobId: string, submission: JobSubmission, tasks: TaskSpec[]): void {
    const now = this.clock.now();
    this.journal.jobCreated(jobId, submission, now, tasks);
    const job = this.record(jobId, submission, 'queued', now);
    for (const spec of tasks) this.addTask(job, spec, 'queued', null);
  }

  /** Rebuilds state from the journal after a restart: done stays done, everything in flight is queued again. */
  restore(snapshot: JournalSnapshot): void {
    for (const j of snapshot.jobs) {
      const job = this.record(j.jobId, j.submission, j.state, j.createdAtMs);
      job.finishedAtMs = j.finishedAtMs;
      job.errors = [...j.errors];
      job.untrusted = new Set(j.untrusted);
      for (const t of j.tasks) {
        const state: TaskState = t.state === 'leased' || t.state === 'running' ? 'queued' : t.state;
        const rec = this.addTask(job, t.spec, state, t.outcome);
        rec.failures = [...t.failures];
        for (const f of t.failures) job.failuresByWorker.set(f.workerId, (job.failuresByWorker.get(f.workerId) ?? 0) + 1);
      }
      this.maybeFinish(job);
    }
  }

  cancelJob(jobId: string): void {
    const job = this.job(jobId);
    if (!isFinal(job.state)) this.stopJob(job, 'cancelled');
  }

  pauseJob(jobId: string): void {
    const job = this.job(jobId);
    if (job.state === 'queued' || job.state === 'running') this.setJobState(job, 'paused'); // running tasks finish; no new leases
  }

  resumeJob(jobId: string): void {
    const job = this.job(jobId);
    if (job.state === 'paused') this.setJobState(job, this.hasStarted(job) ? 'running' : 'queued');
  }

  setPriority(jobId: string, priority: number): void {
    const job = this.job(jobId);
    job.submission = { ...job.submission, priority };
    this.journal.jobPriorityChanged(jobId, priority);
  }

  // ---- workers ----

  workerJoined(workerId: string, coresHint: number): void {
    this.activeWorkers.add(workerId);
    this.speeds.hint(workerId, coresHint);
  }

  /** A worker's owner stopped (or resumed) sharing: it keeps what it holds but is not counted on. */
  setWorkerAvailable(workerId: string, available: boolean): void {
    if (available) this.activeWorkers.add(workerId);
    else this.activeWorkers.delete(workerId);
  }

  /** How many tasks a worker can run at once (from its announced capacity): it holds at most that many leases, plus PREFETCH_LEASES. */
  setTaskSlots(workerId: string, slots: number): void {
    this.taskSlots.set(workerId, Math.max(0, Math.floor(slots)));
  }

  /** The most leases a worker may hold at once. */
  leaseLimit(workerId: string): number {
    return (this.taskSlots.get(workerId) ?? 1) + PREFETCH_LEASES;
  }

  /** The link to a worker is gone: whatever it held goes back to the queue now. */
  workerLost(workerId: string): void {
    this.activeWorkers.delete(workerId);
    this.verification?.checks.workerLost(workerId);
    for (const [leaseId, l] of this.leases) if (l.attempt.lease.workerId === workerId) this.lapse(leaseId);
  }

  /**
   * Keeps a worker's leases alive: those in `only` when given (what its heartbeat says it works on;
   * one it does not list, whose messages were lost on the way, lapses and its task runs again), else all.
   */
  renewLeases(workerId: string, only: readonly string[] | null = null): void {
    const until = this.clock.now() + this.leaseMs;
    const listed = only && new Set(only);
    for (const [leaseId, l] of this.leases) if (l.attempt.lease.workerId === workerId && (!listed || listed.has(leaseId))) l.attempt.lease.expiresAtMs = until;
    this.verification?.checks.renew(workerId, until, listed);
  }

  /** Call periodically: leases nobody renewed (teammate gone, link cut) return their tasks to the queue. */
  expireLeases(): void {
    const now = this.clock.now();
    for (const [leaseId, l] of this.leases) if (l.attempt.lease.expiresAtMs < now) this.lapse(leaseId);
    const takenBack = this.verification?.checks.expire(
      (jobId) => [...this.job(jobId).tasks.values()].some((t) => t.state !== 'done' && t.state !== 'cancelled'),
      // Only machines that ask for work count: one that holds leases but never asks (a hoarder) would never check.
      // This machine always may (it runs its checks whatever its sharing setting).
      (jobId, excluded) =>
        !excluded.has(this.verification!.checks.selfId) ||
        [...this.activeWorkers].some(
          (w) => !excluded.has(w) && this.clock.now() - (this.lastAskedAtMs.get(w) ?? -Infinity) < ASKED_RECENTLY_MS && !this.isBlocklisted(jobId, w) && this.canRun(this.job(jobId), w),
        ),
      (jobId, words) => {
        const job = this.job(jobId);
        job.errors.push(words);
        this.maybeFinish(job);
      },
    );
    if (takenBack?.length) this.events.cancelLeases?.(takenBack);
  }

  /** A worker with free capacity asks for work: the next task under a lease, or null. */
  requestWork(workerId: string): Lease | null {
    this.lastAskedAtMs.set(workerId, this.clock.now());
    if (!this.activeWorkers.has(workerId)) {
      this.activeWorkers.add(workerId);
      if (!this.speeds.hasHint(workerId)) this.speeds.hint(workerId, 1); // keep what it announced if we know it
    }
    if (this.leasesHeld(workerId) >= this.leaseLimit(workerId)) return null;
    const now = this.clock.now();
    const ready = this.readyTasks(workerId);
    // A check runs when this worker has nothing else to do (a job's tail, where it costs nothing),
    // or once it has waited a while (a long job still catches a wrong machine early).
    const check = this.nextCheck(workerId, ready.length > 0);
    if (check) return check;
    if (ready.length === 0) {
      const straggler = this.stragglerFor(workerId, now);
      return straggler ? this.lease(straggler.job, straggler.task, workerId, true) : null;
    }
    const choice = this.placement.choose(ready, workerId, now, this.splitter !== null, this.lastLeaseAtMs);
    if (!choice) return null;
    const task = choice.splitParts > 1 ? (this.split(choice.job, choice.task, choice.splitParts) ?? choice.task) : choice.task;
    return this.lease(choice.job, task, workerId, false);
  }

  /**
   * This machine's own worker while it does not share: only the checks drawn for it or left to it
   * (disputes), which it runs whatever its sharing setting, as it runs merges: the results are its
   * owner's.
   */
  requestCheck(workerId: string): Lease | null {
    if (!this.verification || workerId !== this.verification.checks.selfId) return null;
    return this.nextCheck(workerId, false);
  }

  /** Whether a check waits for this machine's own worker (see requestCheck). */
  hasCheckForSelf(): boolean {
    return this.verification?.checks.hasCheckForSelf() ?? false;
  }

  /** The next ready merge, for the coordinator to run itself. */
  requestMerge(workerId: string): Lease | null {
    for (const job of this.jobs.values()) {
      if (job.state !== 'running' && job.state !== 'queued') continue;
      for (const t of job.tasks.values()) {
        if (t.state === 'queued' && t.spec.runsOn === 'coordinator' && t.spec.dependsOn.every((d) => job.tasks.get(d)?.state === 'done'))
          return this.lease(job, t, workerId, false);
      }
    }
    return null;
  }

  /** Marks a lease's task running; only the worker holding the lease may. */
  taskStarted(leaseId: string, workerId: string): void {
    const l = this.leases.get(leaseId);
    if (l && l.attempt.lease.workerId === workerId && l.task.state === 'leased') this.setTaskState(l.job, l.task, 'running');
  }

  /** The worker gives a lease back unrun (it arrived too late, or the worker is stopping): no failure. */
  releaseLease(leaseId: string, workerId: string): void {
    if (this.verification?.checks.release(leaseId, workerId, false)) return;
    const l = this.leases.get(leaseId);
    if (l && l.attempt.lease.workerId === workerId) this.lapse(leaseId);
  }

  /** Puts done tasks back in the queue (their results were lost, say a tile evicted before its merge). */
  redo(jobId: string, taskIds: string[]): void {
    const job = this.job(jobId);
    for (const id of taskIds) {
      const t = job.tasks.get(id);
      if (!t || t.state !== 'done') continue;
      t.outcome = null;
      this.setTaskState(job, t, 'queued');
    }
    // Their old results no longer stand: a check of one (run from a replacement's inputs, say a
    // bake's new snapshot) would judge an honest worker by what it never had.
    const stale = this.verification?.checks.forget(jobId, taskIds) ?? [];
    if (stale.length) this.events.cancelLeases?.(stale);
  }

  /** A check that cannot be leased (what it needs is gone): it is dropped, not retried. */
  dropCheck(leaseId: string): void {
    const lease = this.verification?.checks.leaseById(leaseId);
    if (lease) this.verification!.checks.forget(lease.jobId, [lease.task.taskId]);
  }

  /** Fails a job for a reason outside any one task (a merge that cannot be done, say). */
  failJobWith(jobId: string, error: string): void {
    const job = this.job(jobId);
    if (!isFinal(job.state)) this.failJob(job, error);
  }

  /** A result arrived. False if it was not needed (another copy won, or the lease was gone). */
  taskSucceeded(leaseId: string, outcome: TaskOutcome): boolean {
    const l = this.leases.get(leaseId);
    if (!l) return false;
    const { job, task, attempt } = l;
    this.leases.delete(leaseId);
    this.endAttempt(attempt, 'done');
    if (task.state === 'done' || task.state === 'cancelled' || isFinal(job.state)) {
      attempt.result = 'cancelled'; // finished, but another copy had won
      this.events.taskChanged?.(job.jobId, task.spec.taskId);
      return false;
    }
    this.speeds.observe(outcome.workerId, task.spec.cost, outcome.endedAtMs - outcome.startedAtMs);
    task.outcome = outcome;
    task.state = 'done';
    this.events.taskChanged?.(job.jobId, task.spec.taskId);
    this.journal.taskCompleted(job.jobId, task.spec.taskId, outcome);
    const losers = this.endAttempts(task);
    if (losers.length) this.events.cancelLeases?.(losers);
    this.events.taskDone?.(job.jobId, task.spec, outcome);
    if (this.verification?.checkable(job.submission)) {
      // Whoever made this task's inputs (a bake's previous chunk) may not check it.
      const inputsBy = task.spec.dependsOn.flatMap((d) => job.tasks.get(d)?.outcome?.workerId ?? []);
      this.verification.checks.consider(job.jobId, task.spec, { workerId: outcome.workerId, hashes: outputHashes(outcome.outputs), workMs: outcome.endedAtMs - outcome.startedAtMs }, inputsBy);
    }
    this.maybeFinish(job);
    return true;
  }

  /** Whether a queued task of the job waits on this one (a bake's next chunk, a stitch): cheap, for every result. */
  hasQueuedDependent(jobId: string, taskId: string): boolean {
    for (const t of this.job(jobId).tasks.values()) if (t.state === 'queued' && t.spec.dependsOn.includes(taskId)) return true;
    return false;
  }

  /** Whether a live lease is a check of another worker's result (its result is compared, not kept). */
  isCheck(leaseId: string, workerId: string): boolean {
    return this.verification?.checks.leaseOf(leaseId, workerId) != null;
  }

  /** A check's outputs (by name, as the worker made them): agreed, undecided (a third machine runs it), or who is wrong. */
  checkDone(leaseId: string, workerId: string, outputs: Record<string, { hash: string }>): CheckVerdict | null {
    const verdict = this.verification?.checks.done(leaseId, { workerId, hashes: outputHashes(outputs) }) ?? null;
    if (verdict?.kind === 'agreed') this.maybeFinish(this.job(verdict.jobId));
    return verdict;
  }

  /**
   * Workers found returning wrong results for a job: they get none of its tasks again, and every
   * task they did (with whatever was made from it: a bake's later chunks, a still's merge) is done again.
   */
  distrust(jobId: string, workerIds: string[], words: string): void {
    const job = this.job(jobId);
    if (isFinal(job.state)) return;
    for (const w of workerIds) job.untrusted.add(w);
    job.errors.push(words);
    // Journaled before the work is redone: after a restart the machine still gets none of the job.
    this.journal.workersUntrusted(jobId, [...job.untrusted], job.errors);
    const redo = new Set<string>();
    for (const t of job.tasks.values()) if (t.state === 'done' && t.outcome && workerIds.includes(t.outcome.workerId)) redo.add(t.spec.taskId);
    for (let grew = true; grew; ) {
      grew = false;
      for (const t of job.tasks.values()) {
        if (t.state === 'done' && !redo.has(t.spec.taskId) && t.spec.dependsOn.some((d) => redo.has(d))) {
          redo.add(t.spec.taskId);
          grew = true;
        }
      }
    }
    const stop: Lease[] = [];
    for (const [leaseId, l] of this.leases) {
      if (l.job !== job || !workerIds.includes(l.attempt.lease.workerId)) continue;
      this.leases.delete(leaseId);
      this.endAttempt(l.attempt, 'cancelled', 'its results for this job were found wrong');
      if (!l.task.attempts.some((a) => a.live) && (l.task.state === 'leased' || l.task.state === 'running')) this.setTaskState(job, l.task, 'queued');
      stop.push(l.attempt.lease);
    }
    for (const w of workerIds) stop.push(...(this.verification?.checks.drop(jobId, w) ?? []));
    this.redo(jobId, [...redo]);
    if (stop.length) this.events.cancelLeases?.(stop);
  }

  taskFailed(leaseId: string, error: string): void {
    const l = this.leases.get(leaseId);
    if (!l) {
      // A failed check: another machine checks instead (this one may not have what the task needs).
      const check = this.verification?.checks.leaseById(leaseId);
      if (check) this.verification!.checks.release(leaseId, check.workerId, true);
      return;
    }
    const { job, task, attempt } = l;
    this.leases.delete(leaseId);
    this.endAttempt(attempt, 'failed', error);
    const workerId = attempt.lease.workerId;
    const now = this.clock.now();
    task.failures.push({ workerId, error });
    this.journal.taskAttemptFailed(job.jobId, task.spec.taskId, workerId, error, now);
    job.failuresByWorker.set(workerId, (job.failuresByWorker.get(workerId) ?? 0) + 1);
    if (task.state === 'done' || task.state === 'cancelled') return;
    const failedOn = new Set(task.failures.map((f) => f.workerId));
    if (failedOn.size >= MAX_WORKERS_FAILING_TASK) {
      this.setTaskState(job, task, 'failed');
      const detail = task.failures.map((f) => `${f.workerId.slice(0, 7)}: ${f.error}`).join('; ');
      this.failJob(job, `Task ${task.spec.taskId} failed on ${failedOn.size} machines: ${detail}`);
      return;
    }
    if (!task.attempts.some((a) => a.live)) this.setTaskState(job, task, 'queued');
    const eligible = [...this.activeWorkers].filter((w) => !this.isBlocklisted(job.jobId, w));
    if (this.activeWorkers.size > 0 && eligible.length === 0) {
      const detail = task.failures.slice(-3).map((f) => `${f.workerId.slice(0, 7)}: ${f.error}`).join('; ');
      this.failJob(job, `Every machine on the team failed this job's tasks ${MAX_FAILURES_PER_WORKER} times (last: ${detail})`);
    }
  }

  // ---- views ----

  /**
   * Whether a worker asking now could be given something: a queued task, a result check, or a
   * straggler an idle teammate would beat. Heartbeats carry this every second, and workers ask only
   * coordinators that say so; without the last, a task held by a teammate that stays linked but never
   * finishes (hung, or hoarding) would wait for ever once the queue is empty, as nobody would ask.
   */
  hasWorkToOffer(): boolean {
    for (const job of this.jobs.values()) {
      if (job.state !== 'queued' && job.state !== 'running') continue;
      for (const t of job.tasks.values()) if (t.state === 'queued' && !this.onCoordinator(t)) return true;
    }
    if (this.verification?.checks.hasUnleased()) return true;
    // Only a worker holding nothing here may be asking: a worker asks only while it runs nothing.
    const holding = new Set<string>();
    for (const l of this.leases.values()) holding.add(l.attempt.lease.workerId);
    const now = this.clock.now();
    for (const w of this.activeWorkers) if (!holding.has(w) && !this.verification?.checks.heldBy(w) && this.stragglerFor(w, now)) return true;
    return false;
  }

  jobIds(): string[] {
    return [...this.jobs.keys()];
  }

  jobState(jobId: string): JobState | null {
    return this.jobs.get(jobId)?.state ?? null;
  }

  tasksOf(jobId: string): TaskInfo[] {
    return [...this.job(jobId).tasks.values()].sort((a, b) => a.order - b.order).map(taskInfo);
  }

  /** One task, as tasksOf has it; null if the job or task is not known. */
  taskOf(jobId: string, taskId: string): TaskInfo | null {
    const task = this.jobs.get(jobId)?.tasks.get(taskId);
    return task ? taskInfo(task) : null;
  }

  jobInfo(jobId: string): { submission: JobSubmission; state: JobState; createdAtMs: number; finishedAtMs: number | null; errors: string[] } {
    const j = this.job(jobId);
    return { submission: j.submission, state: j.state, createdAtMs: j.createdAtMs, finishedAtMs: j.finishedAtMs, errors: j.errors };
  }

  isBlocklisted(jobId: string, workerId: string): boolean {
    const job = this.jobs.get(jobId);
    return (job?.failuresByWorker.get(workerId) ?? 0) >= MAX_FAILURES_PER_WORKER || (job?.untrusted.has(workerId) ?? false);
  }

  /** The live lease with this id, if `workerId` holds it (a task's, or a check's). */
  leaseOf(leaseId: string, workerId: string): Lease | null {
    const l = this.leases.get(leaseId);
    if (l) return l.attempt.lease.workerId === workerId ? l.attempt.lease : null;
    return this.verification?.checks.leaseOf(leaseId, workerId) ?? null;
  }

  leasesHeld(workerId: string): number {
    let n = this.verification?.checks.heldBy(workerId) ?? 0;
    for (const l of this.leases.values()) if (l.attempt.lease.workerId === workerId) n++;
    return n;
  }

  liveLeases(): Lease[] {
    return [...this.leases.values()].map((l) => l.attempt.lease);
  }

  // ---- internals ----

  private record(jobId: string, submission: JobSubmission, state: JobState, createdAtMs: number): JobRecord {
    const job: JobRecord = { jobId, submission, state, createdAtMs, finishedAtMs: null, tasks: new Map(), failuresByWorker: new Map(), untrusted: new Set(), errors: [], nextOrder: 0 };
    this.jobs.set(jobId, job);
    return job;
  }

  private addTask(job: JobRecord, spec: TaskSpec, state: TaskState, outcome: TaskOutcome | null): TaskRecord {
    const rec: TaskRecord = { spec, state, attempts: [], failures: [], outcome, order: job.nextOrder++ };
    job.tasks.set(spec.taskId, rec);
    return rec;
  }

  /** A check of another worker's result, for a worker that may run it; `onlyOverdue` while it has tasks to run. */
  private nextCheck(workerId: string, onlyOverdue: boolean): Lease | null {
    if (!this.verification) return null;
    return this.verification.checks.next(
      workerId,
      (jobId) => {
        const job = this.jobs.get(jobId);
        return !!job && (job.state === 'running' || job.state === 'queued') && !this.isBlocklisted(jobId, workerId) && this.canRun(job, workerId);
      },
      (jobId, spec) => {
        const now = this.clock.now();
        return { leaseId: `${this.leasePrefix}-${++this.leaseSeq}`, jobId, task: spec, workerId, startedAtMs: now, expiresAtMs: now + this.leaseMs, speculative: false };
      },
      (jobId) => this.checkCandidates(jobId),
      onlyOverdue,
    );
  }

  /** The machines a job's checks may be drawn among now: active, asking recently, allowed and able to run it. */
  private checkCandidates(jobId: string): string[] {
    const job = this.jobs.get(jobId);
    if (!job) return [];
    const now = this.clock.now();
    return [...this.activeWorkers].filter(
      (w) => now - (this.lastAskedAtMs.get(w) ?? -Infinity) < ASKED_RECENTLY_MS && !this.isBlocklisted(jobId, w) && this.canRun(job, w),
    );
  }

  private stragglerFor(workerId: string, now: number): Choice {
    return this.placement.straggler(
      workerId,
      now,
      (job, task) => !this.isBlocklisted(job.jobId, workerId) && !this.onCoordinator(task) && this.canRun(job, workerId),
    );
  }

  private canRun(job: JobRecord, workerId: string): boolean {
    return this.fits === null || this.fits(job.submission, workerId);
  }

  private job(jobId: string): JobRecord {
    const job = this.jobs.get(jobId);
    if (!job) throw new Error(`no job ${jobId}`);
    return job;
  }

  private hasStarted(job: JobRecord): boolean {
    return [...job.tasks.values()].some((t) => t.state !== 'queued' && t.state !== 'cancelled');
  }

  /** Queued tasks whose dependencies are done, best job first, in task order. */
  private readyTasks(workerId: string): [JobRecord, TaskRecord][] {
    const jobs = [...this.jobs.values()]
      .filter((j) => (j.state === 'queued' || j.state === 'running') && !this.isBlocklisted(j.jobId, workerId) && this.canRun(j, workerId))
      .sort((a, b) => b.submission.priority - a.submission.priority || a.createdAtMs - b.createdAtMs);
    const out: [JobRecord, TaskRecord][] = [];
    for (const job of jobs) {
      for (const t of [...job.tasks.values()].sort((a, b) => a.order - b.order)) {
        if (t.state !== 'queued' || this.onCoordinator(t)) continue;
        if (t.spec.dependsOn.every((d) => job.tasks.get(d)?.state === 'done')) out.push([job, t]);
      }
      if (out.length > 0) return out; // the best job with work takes this worker
    }
    return out;
  }

  /** Replaces a queued frame with bucket tasks + merge; returns the first bucket to lease. */
  /** A task the coordinator runs itself (it joins results held there), never leased to a worker. */
  private onCoordinator(task: TaskRecord): boolean {
    return this.mergesByCoordinator && task.spec.runsOn === 'coordinator';
  }

  private split(job: JobRecord, task: TaskRecord, parts: number): TaskRecord | null {
    const pieces = this.splitter!(job.submission, job.jobId, task.spec, parts);
    if (!pieces || pieces.length < 2) return null;
    this.journal.tasksAdded(job.jobId, pieces, task.spec.taskId);
    task.state = 'cancelled';
    // Buckets take the frame's place in the order, so they run before later frames.
    const order = task.order;
    const records = pieces.map((spec) => this.addTask(job, spec, 'queued', null));
    for (const t of [task, ...records]) this.events.taskChanged?.(job.jobId, t.spec.taskId);
    records.forEach((r, i) => (r.order = order + (i + 1) / (records.length + 1)));
    return records[0]!;
  }

  private lease(job: JobRecord, task: TaskRecord, workerId: string, speculative: boolean): Lease {
    const now = this.clock.now();
    const lease: Lease = {
      leaseId: `${this.leasePrefix}-${++this.leaseSeq}`,
      jobId: job.jobId,
      task: task.spec,
      workerId,
      startedAtMs: now,
      expiresAtMs: now + this.leaseMs,
      speculative,
    };
    const attempt: Attempt = { lease, live: true, result: null, endedAtMs: null, error: null };
    this.lastLeaseAtMs = now;
    task.attempts.push(attempt);
    this.leases.set(lease.leaseId, { job, task, attempt });
    if (task.state === 'queued') this.setTaskState(job, task, 'leased');
    else this.events.taskChanged?.(job.jobId, task.spec.taskId); // a second copy: one more attempt
    if (job.state === 'queued') this.setJobState(job, 'running');
    return lease;
  }

  private endAttempt(attempt: Attempt, result: NonNullable<Attempt['result']>, error: string | null = null): void {
    attempt.live = false;
    attempt.result = result;
    attempt.endedAtMs = this.clock.now();
    attempt.error = error;
    this.events.taskChanged?.(attempt.lease.jobId, attempt.lease.task.taskId);
  }

  private lapse(leaseId: string): void {
    const l = this.leases.get(leaseId);
    if (!l) return;
    this.leases.delete(leaseId);
    this.endAttempt(l.attempt, 'lost');
    if ((l.task.state === 'leased' || l.task.state === 'running') && !l.task.attempts.some((a) => a.live)) {
      this.setTaskState(l.job, l.task, 'queued');
    }
  }

  private endAttempts(task: TaskRecord): Lease[] {
    const ended: Lease[] = [];
    for (const a of task.attempts) {
      if (!a.live) continue;
      this.endAttempt(a, 'cancelled');
      this.leases.delete(a.lease.leaseId);
      ended.push(a.lease);
    }
    return ended;
  }

  private setTaskState(job: JobRecord, task: TaskRecord, state: TaskState): void {
    if (task.state === state) return;
    const before = task.state;
    task.state = state;
    this.events.taskChanged?.(job.jobId, task.spec.taskId);
    // Leased and running are not kept: after a restart they are queued again anyway, and each
    // write is a disk flush. The journal thus only ever holds queued, done, failed or cancelled.
    if (state === 'leased' || state === 'running') return;
    if (state === 'queued' && (before === 'leased' || before === 'running')) return;
    this.journal.taskStateChanged(job.jobId, task.spec.taskId, state);
  }

  private setJobState(job: JobRecord, state: JobState): void {
    if (job.state === state) return;
    job.state = state;
    if (isFinal(state)) job.finishedAtMs = this.clock.now();
    this.journal.jobStateChanged(job.jobId, state, this.clock.now(), job.errors);
    if (isFinal(state)) this.events.jobFinished?.(job.jobId, state);
  }

  private failJob(job: JobRecord, error: string): void {
    job.errors.push(error);
    this.stopJob(job, 'failed');
  }

  /** Cancels every open task (one journal commit for all of them) and tells their workers to stop. */
  private stopJob(job: JobRecord, state: 'cancelled' | 'failed'): void {
    const stop: Lease[] = [];
    this.journal.batch(() => {
      for (const t of job.tasks.values()) {
        if (t.state !== 'queued' && t.state !== 'leased' && t.state !== 'running') continue;
        stop.push(...this.endAttempts(t));
        this.setTaskState(job, t, 'cancelled');
      }
      this.setJobState(job, state);
    });
    stop.push(...(this.verification?.checks.drop(job.jobId) ?? []));
    if (stop.length) this.events.cancelLeases?.(stop);
  }

  private maybeFinish(job: JobRecord): void {
    if (isFinal(job.state)) return;
    const open = [...job.tasks.values()].some((t) => t.state !== 'done' && t.state !== 'cancelled');
    // A result being checked may yet be found wrong and its task done again: the job is not done.
    if (!open && !this.verification?.checks.pendingFor(job.jobId)) {
      this.setJobState(job, 'done');
      this.verification?.checks.drop(job.jobId);
    }
  }
}
