// Owns the jobs this machine's user submitted: the scheduler and its journal, leases to teammates
// (and to this machine's own worker), results fetched back by content address and written out.
// Links and the worker loop are given to it; it knows nothing of TLS or engines: what a job's
// tasks, leases and results are is its job type's (jobs/job-type.ts), looked up by engine.

import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import type { JobView, SubmitJob, TaskView, JobPreview } from '../../../shared/control-api/index.js';
import type { EngineAdvert, JobAbout, JobSubmission, ResultTable, TaskSpec } from '../../../shared/model/jobs.js';
import type { LinkMessage, WorkLease } from '../../../shared/protocol/index.js';
import type { JobType, JobTypes } from '../jobs/job-type.js';
import type { JobJournal, JournalSnapshot, TaskOutcome } from '../scheduler/ports.js';
import { PullScheduler, type Lease, type TaskInfo } from '../scheduler/pull-scheduler.js';
import { DEFAULT_CHECK_RATE, ResultChecks } from '../scheduler/result-checks.js';
import type { BlobStore } from '../storage/blob-store.js';
import { OutputWriter } from './output-writer.js';
import { checkedPng } from '../jobs/task-pictures.js';

const LEASE_MS = 10_000;
/**
 * Tasks a worker runs at once while it shares its machine: the work loop runs one task at a time
 * on every core it shares, so its announced free cores run one task. Workers that run tasks side
 * by side would make this their free cores ÷ the cores a task takes.
 */
const TASKS_AT_ONCE = 1;

const TICK_MS = 1000;
/** The coordinator itself, as the worker that runs merges (they need the tiles it already holds). */
export const COORDINATOR_WORKER = 'coordinator';

export interface CoordinatorDeps {
  selfId: string;
  blobs: BlobStore;
  journal: JobJournal;
  /** What each engine's jobs are (the engine registry). */
  jobTypes: JobTypes;
  /** The engines a worker advertised (this machine's own, a teammate's from its heartbeat); default: the built-in renderer alone. */
  workerEngines?(workerId: string): readonly EngineAdvert[];
  /** Sends a message to a teammate's link. */
  send(peerId: string, message: LinkMessage): void;
  /** Makes sure a teammate's output blob is in our store (no-op for our own worker). */
  fetchOutput(peerId: string, hash: string, sizeBytes: number): Promise<void>;
  /** Stops a lease held by this machine's own worker. */
  cancelLocal(leaseId: string): void;
  /** A job's summary changed: told at most every JOB_VIEW_INTERVAL_MS while it runs, at once when it ends. */
  jobChanged(view: JobView): void;
  /** One task changed (its state, an attempt, its progress): told as it happens, before the job's summary. */
  taskChanged?(jobId: string, task: TaskView): void;
  /** Whether this machine's owner shares it with the team right now. */
  selfSharing(): boolean;
  workAvailable(): void;
  /** A teammate's name, for the words a job shows (a check that caught a wrong result). */
  nameOf?(workerId: string): string | undefined;
  /** Share of done tasks re-run elsewhere to check them (deterministic engines only); default 2 %. */
  checkRate?: number;
  /** A teammate's result was stored and written out: the store may have grown past its cap. */
  resultStored?(): void;
  log(line: string): void;
}

/** JobAbout.description's limit (shared/model/jobs.ts). */
const MAX_DESCRIPTION_CHARS = 300;
/** A job view lists at most this many different task warnings. */
const MAX_JOB_WARNINGS = 50;
/**
 * A running job's summary (counts, outputs) is told at most this often: it is a walk of all its
 * tasks, and every client is sent it whole. Its tasks' changes are told as they happen.
 */
export const JOB_VIEW_INTERVAL_MS = 250;
/** A lease's progress is told at most this often, whatever its worker sends. */
const PROGRESS_TOLD_MS = 250;

export class JobCoordinator {
  readonly scheduler: PullScheduler;
  private readonly writer: OutputWriter;
  private readonly timer: NodeJS.Timeout;
  private merging = false;
  /** Leases whose results are being fetched, by worker: kept alive here (see acceptResult). */
  private readonly taking = new Map<string, Set<string>>();
  /** Per task (job/task id), the write of a copy's result in progress: copies write one at a time. */
  private readonly writing = new Map<string, Promise<void>>();
  /** What changed since it was last told (see flush): tasks by job, and jobs whose summary is due. */
  private readonly changedTasks = new Map<string, Set<string>>();
  private readonly changedJobs = new Set<string>();
  private readonly jobToldAtMs = new Map<string, number>();
  private flushQueued = false;
  private flushTimer: NodeJS.Timeout | null = null;
  /** Running attempts' progress as their workers last told it, by lease id. */
  private readonly progress = new Map<string, { done: number; total: number; toldAtMs: number }>();
  /** Each job's JobAbout, by job id. */
  private readonly abouts = new Map<string, JobAbout>();
  /** Journaled jobs whose submission this build cannot read (restored failed). */
  private readonly unreadable = new Set<string>();

  constructor(private readonly deps: CoordinatorDeps) {
    this.writer = new OutputWriter(deps.blobs);
    this.scheduler = new PullScheduler(
      { now: Date.now },
      deps.journal,
      (job, jobId, task, parts) => this.typeOf(job).split(job, jobId, task, parts),
      {
        cancelLeases: (leases) => leases.forEach((l) => this.cancelLease(l, 'another copy finished first or the job stopped')),
        jobFinished: (jobId) => this.changed(jobId),
        taskChanged: (jobId, taskId) => this.taskChanged(jobId, taskId),
      },
      LEASE_MS,
      true,
      (job, workerId) => this.typeOf(job).runsOn(job, this.enginesOf(workerId)),
      { checks: new ResultChecks({ now: Date.now }, deps.selfId, deps.checkRate ?? DEFAULT_CHECK_RATE), checkable: (job) => this.typeOf(job).deterministic },
    );
    this.scheduler.restore(this.readable(deps.journal.load()));
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  /** What submitting `req` would send (its files and sizes), checked as a submit checks it; nothing is stored. */
  async preview(req: SubmitJob): Promise<JobPreview> {
    const checked = this.deps.jobTypes.parseRequest(req);
    const jobType = this.deps.jobTypes.jobType(req.engine ?? this.deps.jobTypes.ids()[0]!);
    if (!jobType.preview) throw new TroupeError('bad-request', `A ${jobType.wire.id} job has nothing to list before it is sent`);
    return jobType.preview(checked);
  }

  /** `machines`: this machine and the teammates online now (their device ids). */
  async submit(req: SubmitJob, machines: readonly string[]): Promise<JobView> {
    const checked = this.deps.jobTypes.parseRequest(req);
    const jobType = this.deps.jobTypes.jobType(req.engine ?? this.deps.jobTypes.ids()[0]!);
    const submission = await jobType.prepare(checked, this.deps.blobs);
    const workersHint = Math.max(1, machines.length);
    // A job no machine of the team can run would wait for ever: say why now, while the user is here.
    if (jobType.whyNoMachine && machines.length > 0 && !machines.some((id) => jobType.runsOn(submission, this.enginesOf(id))))
      throw new TroupeError('bad-scene', jobType.whyNoMachine(submission));
    const jobId = randomBytes(8).toString('hex');
    const frameMsEstimate = this.measuredFrameMs(submission);
    this.scheduler.addJob(jobId, submission, jobType.compile(jobId, submission, { workersHint, frameMsEstimate }));
    this.changed(jobId);
    this.deps.workAvailable();
    return this.view(jobId);
  }

  hasWork(): boolean {
    return this.scheduler.hasWorkToOffer();
  }

  // ---- workers ----

  /** Our own worker, not sharing: a check drawn for it or left to it, or null (pull-scheduler requestCheck). */
  requestCheck(workerId: string): WorkLease | null {
    return this.toWorkLease(workerId, this.scheduler.requestCheck(workerId));
  }

  hasCheckForSelf(): boolean {
    return this.scheduler.hasCheckForSelf();
  }

  /** A worker asks for work (a teammate over its link, or our own worker with its device id). */
  requestWork(workerId: string): WorkLease | null {
    return this.toWorkLease(workerId, this.scheduler.requestWork(workerId));
  }

  private toWorkLease(workerId: string, lease: Lease | null): WorkLease | null {
    if (!lease) return null;
    this.changed(lease.jobId);
    const job = this.scheduler.jobInfo(lease.jobId).submission;
    const deps = lease.task.dependsOn;
    const done = deps.length === 0 ? [] : this.scheduler.tasksOf(lease.jobId).filter((t) => t.outcome && deps.includes(t.spec.taskId)).map((t) => ({ spec: t.spec, outputs: t.outcome!.outputs }));
    try {
      return this.typeOf(job).lease(job, { type: 'work.lease', requestId: 0, leaseId: lease.leaseId, jobId: lease.jobId, task: lease.task, leaseMs: LEASE_MS }, done);
    } catch (err) {
      if (!this.scheduler.isCheck(lease.leaseId, workerId)) throw err;
      // A check whose inputs are gone (its task is being done again): nothing to check any more.
      this.scheduler.dropCheck(lease.leaseId);
      return null;
    }
  }

  workerJoined(workerId: string, cores: number, sharing = true): void {
    this.scheduler.workerJoined(workerId, cores);
    this.scheduler.setTaskSlots(workerId, sharing ? TASKS_AT_ONCE : 0);
  }

  /**
   * A worker's heartbeat: the leases it lists live on (all of its leases, from a worker that lists
   * none), whether its owner shares it now, and so how much it may hold.
   */
  heartbeat(workerId: string, sharing: boolean, leases: readonly string[] | null = null): void {
    this.scheduler.renewLeases(workerId, leases);
    this.scheduler.setWorkerAvailable(workerId, sharing);
    this.scheduler.setTaskSlots(workerId, sharing ? TASKS_AT_ONCE : 0);
  }

  workerLost(workerId: string): void {
    const had = this.scheduler.liveLeases().filter((l) => l.workerId === workerId);
    this.scheduler.workerLost(workerId);
    had.forEach((l) => this.changed(l.jobId));
    if (had.length) this.deps.workAvailable();
  }

  /** A worker says how far it is with a task it holds (its engine's own unit). */
  taskProgress(workerId: string, leaseId: string, done: number, total: number): void {
    const lease = this.scheduler.leaseOf(leaseId, workerId);
    if (!lease || this.scheduler.isCheck(leaseId, workerId) || !(total >= 1)) return;
    const before = this.progress.get(leaseId);
    const now = Date.now();
    this.progress.set(leaseId, { done: Math.max(0, Math.min(done, total)), total, toldAtMs: before && now - before.toldAtMs < PROGRESS_TOLD_MS ? before.toldAtMs : now });
    // Workers send at most 2 a second; one that floods is told at that pace (the newest value rides the next).
    if (!before || now - before.toldAtMs >= PROGRESS_TOLD_MS) this.taskChanged(lease.jobId, lease.task.taskId);
  }

  taskStarted(workerId: string, leaseId: string): void {
    this.scheduler.taskStarted(leaseId, workerId);
    const lease = this.scheduler.leaseOf(leaseId, workerId);
    if (lease) this.changed(lease.jobId);
  }

  /** A worker hands back a lease it will not run (it came after the worker stopped waiting). */
  releaseLease(workerId: string, leaseId: string): void {
    const lease = this.scheduler.leaseOf(leaseId, workerId);
    if (!lease) return;
    this.scheduler.releaseLease(leaseId, workerId);
    this.changed(lease.jobId);
    this.deps.workAvailable();
  }

  /** Blobs the coordinator still needs: inputs of unfinished jobs and tiles waiting for their merge. */
  neededBlobs(): Set<string> {
    const keep = new Set<string>();
    for (const id of this.scheduler.jobIds()) {
      const info = this.scheduler.jobInfo(id);
      if (info.state === 'done' || info.state === 'failed' || info.state === 'cancelled') continue;
      for (const a of info.submission.assets) keep.add(a.hash);
      const jobType = this.typeOf(info.submission);
      for (const t of this.scheduler.tasksOf(id)) if (t.outcome) for (const hash of jobType.heldBlobs(t.spec, t.outcome.outputs)) keep.add(hash);
    }
    return keep;
  }

  /** A worker's result; never rejects (a failure here is logged and the task goes back to the queue). */
  async taskDone(workerId: string, leaseId: string, outcome: Omit<TaskOutcome, 'workerId'>): Promise<void> {
    try {
      await this.acceptResult(workerId, leaseId, outcome);
    } catch (err) {
      this.deps.log(`result ${leaseId} from ${workerId.slice(0, 7)}: ${(err as Error).message}`);
    }
  }

  private async acceptResult(workerId: string, leaseId: string, outcome: Omit<TaskOutcome, 'workerId'>): Promise<void> {
    const lease = this.scheduler.leaseOf(leaseId, workerId);
    if (!lease) return; // lapsed, superseded, or from before a restart: not needed
    if (this.scheduler.isCheck(leaseId, workerId)) return this.acceptCheck(workerId, lease, outcome);
    // The worker's heartbeats stop naming the lease once it has sent the result: this machine
    // keeps it alive while it fetches the outputs, however long that takes.
    const taking = this.taking.get(workerId) ?? new Set<string>();
    this.taking.set(workerId, taking.add(leaseId));
    try {
      await this.takeResult(workerId, leaseId, lease, outcome);
    } finally {
      taking.delete(leaseId);
      if (taking.size === 0) this.taking.delete(workerId);
    }
  }

  private async takeResult(workerId: string, leaseId: string, lease: Lease, outcome: Omit<TaskOutcome, 'workerId'>): Promise<void> {
    const job = this.scheduler.jobInfo(lease.jobId).submission;
    const jobType = this.typeOf(job);
    let expected: TaskOutcome['outputs'];
    try {
      expected = jobType.expectedOutputs(job, lease.task, outcome.outputs); // only what the task makes, at the size it must have
      for (const out of Object.values(expected)) await this.deps.fetchOutput(workerId, out.hash, out.sizeBytes);
    } catch (err) {
      this.deps.log(`result of ${lease.task.taskId} from ${workerId.slice(0, 7)} could not be taken: ${(err as Error).message}`);
      this.scheduler.taskFailed(leaseId, `its result could not be fetched: ${(err as Error).message}`);
      this.changed(lease.jobId);
      return;
    }
    // Copies of a task (a racing copy, a redo after a check) write its files one at a time, and each
    // decides under the lock whether it still counts: a copy that lost while it was fetched writes
    // nothing. Before, a loser's write could land after the winner's, and a cheat's tampered .glb
    // stayed in the output folder of a job that said done (seen beside stress-ng).
    const counted = await this.oneWriterPerTask(`${lease.jobId}/${lease.task.taskId}`, async () => {
      if (!this.scheduler.leaseOf(leaseId, workerId)) return false; // a copy elsewhere won, or the job stopped
      let outputs: TaskOutcome['outputs'];
      try {
        outputs = await jobType.keepResult(job, lease.task, expected, this.writer);
      } catch (err) {
        this.deps.log(`result of ${lease.task.taskId} from ${workerId.slice(0, 7)} could not be taken: ${(err as Error).message}`);
        this.scheduler.taskFailed(leaseId, `its result could not be fetched: ${(err as Error).message}`);
        this.changed(lease.jobId);
        return false;
      }
      if (this.scheduler.taskSucceeded(leaseId, { ...outcome, outputs, workerId })) return true;
      // Its lease ended while the files were written (its worker was found wrong, or it lapsed): the
      // task runs again, and until then no file of this copy stays in the owner's folder.
      for (const name of jobType.outputFiles(lease.task, outputs)) await rm(join(job.outputDir, name), { force: true }).catch(() => undefined);
      return false;
    });
    if (!counted) return;
    this.changed(lease.jobId);
    this.deps.resultStored?.();
    // A task waiting on this one (a bake's next chunk, a Blender stitch) may be ready now: workers
    // that asked a moment ago were told "none" and would otherwise wait for their next poll.
    if (this.scheduler.hasQueuedDependent(lease.jobId, lease.task.taskId)) this.deps.workAvailable();
    void this.runMerges();
  }

  /**
   * A check's result: only its hashes are compared with the first result's (nothing is fetched or
   * written). A worker found wrong gets none of the job's tasks again and its work is done again.
   */
  private acceptCheck(workerId: string, lease: Lease, outcome: Omit<TaskOutcome, 'workerId'>): void {
    const job = this.scheduler.jobInfo(lease.jobId).submission;
    let verdict;
    try {
      verdict = this.scheduler.checkDone(lease.leaseId, workerId, this.typeOf(job).expectedOutputs(job, lease.task, outcome.outputs));
    } catch (err) {
      // Outputs that cannot be right (missing, oversized) are a different result, not a failed check.
      verdict = this.scheduler.checkDone(lease.leaseId, workerId, { invalid: { hash: `invalid: ${(err as Error).message}` } });
    }
    if (verdict?.kind === 'untrusted') {
      const who = verdict.workerIds.map((w) => this.deps.nameOf?.(w) ?? w.slice(0, 7)).join(' and ');
      const by = verdict.checkedBy.map((w) => this.deps.nameOf?.(w) ?? w.slice(0, 7)).join(', ');
      const words = `${who} returned a wrong result for task ${verdict.taskId} (run again on ${by}, the results differ): its work on this job is done again elsewhere, and it gets no more of this job's tasks`;
      this.deps.log(words);
      this.scheduler.distrust(verdict.jobId, verdict.workerIds, words);
      this.deps.workAvailable();
    } else if (verdict?.kind === 'undecided') {
      this.deps.workAvailable(); // a third machine decides
    }
    this.changed(lease.jobId);
  }

  taskFailed(workerId: string, leaseId: string, error: string): void {
    const lease = this.scheduler.leaseOf(leaseId, workerId);
    if (!lease) return;
    this.scheduler.taskFailed(leaseId, error);
    this.changed(lease.jobId);
    this.deps.workAvailable();
  }

  // ---- user commands ----

  cancel(jobId: string): JobView {
    this.requireJob(jobId);
    this.scheduler.cancelJob(jobId);
    this.changed(jobId);
    return this.view(jobId);
  }
  pause(jobId: string): JobView {
    this.requireJob(jobId);
    this.scheduler.pauseJob(jobId);
    this.changed(jobId);
    return this.view(jobId);
  }
  resume(jobId: string): JobView {
    this.requireJob(jobId);
    this.scheduler.resumeJob(jobId);
    this.changed(jobId);
    this.deps.workAvailable();
    return this.view(jobId);
  }
  setPriority(jobId: string, priority: number): JobView {
    this.requireJob(jobId);
    this.scheduler.setPriority(jobId, priority);
    this.changed(jobId);
    return this.view(jobId);
  }

  list(): JobView[] {
    return this.scheduler.jobIds().map((id) => this.view(id)).sort((a, b) => b.createdAtMs - a.createdAtMs);
  }

  view(jobId: string): JobView {
    this.requireJob(jobId);
    const info = this.scheduler.jobInfo(jobId);
    // A running job's cancelled tasks were superseded (split); an ended job's are the ones it never ran.
    const ended = info.state === 'cancelled' || info.state === 'failed';
    const tasks = this.scheduler.tasksOf(jobId).filter((t) => t.state !== 'cancelled' || ended);
    // A job this build cannot read (its engine is gone) lists no files: which outputs are files is its job type's to say.
    const jobType = this.unreadable.has(jobId) ? null : this.typeOf(info.submission);
    const outputs = new Set<string>();
    for (const t of tasks) if (jobType && t.state === 'done' && t.outcome) for (const name of jobType.outputFiles(t.spec, t.outcome.outputs)) outputs.add(name);
    return {
      jobId,
      submission: info.submission,
      about: this.aboutOf(jobId, info.submission),
      state: info.state,
      createdAtMs: info.createdAtMs,
      finishedAtMs: info.finishedAtMs,
      tasksDone: tasks.filter((t) => t.state === 'done').length,
      tasksTotal: tasks.length,
      outputs: [...outputs].sort(),
      errors: info.errors,
      warnings: [...new Set(tasks.flatMap((t) => (t.state === 'done' && t.outcome?.warnings) || []))].slice(0, MAX_JOB_WARNINGS),
    };
  }

  tasks(jobId: string): TaskView[] {
    this.requireJob(jobId);
    return this.scheduler.tasksOf(jobId).map((t) => this.taskView(t));
  }

  private taskView(t: TaskInfo): TaskView {
    return {
      ...t.spec,
      state: t.state,
      attempts: t.attempts.map((a) => {
        const told = a.result === null ? this.progress.get(a.leaseId) : undefined;
        const progress = told && { done: told.done, total: told.total };
        return {
          workerId: a.workerId,
          startedAtMs: a.startedAtMs,
          endedAtMs: a.endedAtMs,
          workMs: a.result === 'done' && t.outcome?.workerId === a.workerId ? t.outcome.endedAtMs - t.outcome.startedAtMs : null,
          outcome: a.result ?? 'running',
          speculative: a.speculative,
          error: a.error,
          warnings: (a.result === 'done' && t.outcome?.workerId === a.workerId && t.outcome.warnings) || [],
          ...(progress ? { progress } : {}),
        };
      }),
    };
  }

  /** A done task's picture for the app, as PNG bytes (its job type's), or a TroupeError that says why there is none. */
  async taskImage(jobId: string, taskId: string): Promise<Uint8Array> {
    this.requireJob(jobId);
    const task = this.scheduler.tasksOf(jobId).find((t) => t.spec.taskId === taskId);
    if (!task) throw new TroupeError('not-found', `No task ${taskId} in job ${jobId}`);
    if (task.state !== 'done') throw new TroupeError('not-found', `Task ${taskId} has no image yet (it is ${task.state})`);
    const job = this.scheduler.jobInfo(jobId).submission;
    const about = this.aboutOf(jobId, job);
    const jobType = about.images === null ? null : this.typeOf(job);
    if (!about.images || !jobType?.taskImage) throw new TroupeError('not-found', `Task ${taskId} makes files, not an image: they are in ${job.outputDir}`);
    // A teammate made it: only a PNG of the size it must be reaches the app (a bomb of a header would not).
    const { width, height } = task.spec.region ?? about.images;
    return checkedPng(await jobType.taskImage(job, task.spec, task.outcome?.outputs ?? {}, this.writer), width, height, taskId, !task.spec.region);
  }

  // ---- internals ----

  /**
   * How long a whole frame of this scene took at these settings in earlier jobs (median over
   * frames tasks), so short frames can be chunked; undefined when nothing comparable ran yet.
   */
  private measuredFrameMs(job: JobSubmission): number | undefined {
    const key = this.typeOf(job).workKey(job);
    const times: number[] = [];
    for (const id of this.scheduler.jobIds()) {
      const info = this.scheduler.jobInfo(id);
      if (key === null || this.unreadable.has(id) || this.typeOf(info.submission).workKey(info.submission) !== key) continue;
      for (const t of this.scheduler.tasksOf(id)) {
        if (t.state !== 'done' || t.spec.kind !== 'frames' || !t.outcome) continue;
        times.push((t.outcome.endedAtMs - t.outcome.startedAtMs) / t.spec.frames.length);
      }
    }
    if (times.length === 0) return undefined;
    return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
  }

  private requireJob(jobId: string): void {
    if (this.scheduler.jobState(jobId) === null) throw new TroupeError('not-found', `No job ${jobId} on this machine`);
  }

  /** Merges need the tiles, which are here: the coordinator runs them itself, whatever its sharing setting. */
  private async runMerges(): Promise<void> {
    if (this.merging) return;
    this.merging = true;
    try {
      await this.mergeReady();
    } catch (err) {
      this.deps.log(`merging: ${(err as Error).message}`);
    } finally {
      this.merging = false;
    }
  }

  private async mergeReady(): Promise<void> {
    let lease: Lease | null;
    while ((lease = this.scheduler.requestMerge(COORDINATOR_WORKER))) {
      const { jobId, task: merge } = lease;
      const started = Date.now();
      const job = this.scheduler.jobInfo(jobId).submission;
      const jobType = this.typeOf(job);
      const buckets = this.scheduler.tasksOf(jobId).filter((t) => merge.dependsOn.includes(t.spec.taskId));
      const lost = buckets.filter((t) => !t.outcome || jobType.heldBlobs(t.spec, t.outcome.outputs).some((hash) => !existsSync(this.deps.blobs.pathOf(hash))));
      if (lost.length > 0) {
        // A tile is gone (a damaged disk, a hand-cleaned cache): render those buckets again.
        this.scheduler.releaseLease(lease.leaseId, COORDINATOR_WORKER);
        this.scheduler.redo(jobId, lost.map((t) => t.spec.taskId));
        this.deps.workAvailable();
        this.changed(jobId);
        break;
      }
      try {
        const parts = buckets.map((t) => ({ spec: t.spec, outputs: t.outcome!.outputs }));
        const outputs = await jobType.finish(job, merge, parts, this.writer);
        const accepted = this.scheduler.taskSucceeded(lease.leaseId, { workerId: COORDINATOR_WORKER, startedAtMs: started, endedAtMs: Date.now(), outputs });
        if (!accepted) break; // the job stopped meanwhile; the next tick looks again
      } catch (err) {
        // Stitching is deterministic: trying again gives the same error, so say it and stop the job.
        this.scheduler.taskFailed(lease.leaseId, `stitching failed: ${(err as Error).message}`);
        this.scheduler.failJobWith(jobId, `Frame ${merge.frames[0]} could not be stitched: ${(err as Error).message}`);
      }
      this.changed(jobId);
    }
  }

  /** Runs `write` after any other write of the same task's result has ended. */
  private oneWriterPerTask<T>(key: string, write: () => Promise<T>): Promise<T> {
    const before = this.writing.get(key) ?? Promise.resolve();
    const mine = before.then(write);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.writing.set(key, settled);
    void settled.then(() => {
      if (this.writing.get(key) === settled) this.writing.delete(key);
    });
    return mine;
  }

  private cancelLease(lease: Lease, reason: string): void {
    if (lease.workerId === this.deps.selfId) this.deps.cancelLocal(lease.leaseId);
    else if (lease.workerId !== COORDINATOR_WORKER) this.deps.send(lease.workerId, { type: 'task.cancel', leaseId: lease.leaseId, reason });
  }

  private tick(): void {
    this.scheduler.renewLeases(this.deps.selfId);
    this.scheduler.renewLeases(COORDINATOR_WORKER); // a long stitch must not lapse while it runs
    for (const [workerId, leaseIds] of this.taking) this.scheduler.renewLeases(workerId, [...leaseIds]);
    const sharing = this.deps.selfSharing();
    this.scheduler.setWorkerAvailable(this.deps.selfId, sharing);
    this.scheduler.setTaskSlots(this.deps.selfId, sharing ? TASKS_AT_ONCE : 0);
    const before = this.scheduler.liveLeases().length;
    this.scheduler.expireLeases();
    if (this.scheduler.liveLeases().length !== before) this.deps.workAvailable();
    void this.runMerges();
  }

  /** One of the job's result tables (its job type's), from the tasks done so far. */
  table(jobId: string, name: string, sort: string): Promise<ResultTable> {
    this.requireJob(jobId);
    const job = this.scheduler.jobInfo(jobId).submission;
    if (!this.aboutOf(jobId, job).tables.some((t) => t.name === name)) throw new TroupeError('not-found', `Job ${jobId} has no table "${name}"`);
    const jobType = this.typeOf(job);
    if (!jobType.table) throw new TroupeError('not-found', `Job ${jobId} has no table "${name}"`);
    return jobType.table(job, jobId, name, this.tasks(jobId), sort);
  }

  /**
   * The journal's jobs with each submission read by its engine's schema. A job this build cannot
   * read (its engine is gone, or its settings changed shape) ends failed, saying why, instead of
   * stopping the agent; its finished files stay where they are.
   */
  private readable(snapshot: JournalSnapshot): JournalSnapshot {
    return {
      jobs: snapshot.jobs.map((j) => {
        try {
          return { ...j, submission: this.deps.jobTypes.parseSubmission(j.submission) };
        } catch (err) {
          this.unreadable.add(j.jobId);
          const final = j.state === 'done' || j.state === 'failed' || j.state === 'cancelled';
          if (final) return j;
          const errors = [...j.errors, `This version of Troupe cannot run this job: ${(err as Error).message}`];
          const now = Date.now();
          this.deps.journal.jobStateChanged(j.jobId, 'failed', now, errors); // once: the next start finds it ended
          return { ...j, state: 'failed' as const, finishedAtMs: now, errors };
        }
      }),
    };
  }

  /** The engines a worker advertises (a teammate that advertises none: what agents before 2.2 ran). */
  private enginesOf(workerId: string): readonly EngineAdvert[] {
    return this.deps.workerEngines?.(workerId) ?? this.deps.jobTypes.enginesBeforeAdverts();
  }

  /** What the views show of a job: its job type's answer, once per job (a submission never changes but for its priority). */
  private aboutOf(jobId: string, job: JobSubmission): JobAbout {
    let about = this.abouts.get(jobId);
    if (!about) {
      about = this.unreadable.has(jobId) ? { description: `a ${job.engine} job this version cannot read`, images: null, warnings: [], tables: [] } : this.typeOf(job).about(job);
      // The views check what they read: a job type's line longer than JobAbout allows would hide every job.
      if (about.description.length > MAX_DESCRIPTION_CHARS) about = { ...about, description: `${about.description.slice(0, MAX_DESCRIPTION_CHARS - 1)}…` };
      this.abouts.set(jobId, about);
    }
    return about;
  }

  private typeOf(job: JobSubmission): JobType {
    return this.deps.jobTypes.jobType(job.engine);
  }

  // ---- telling what changed ----
  //
  // The scheduler says which task changed as it happens; the changes of one turn of the event
  // loop are told together: each changed task once, then the job's summary (so a client that
  // sees a job done has seen its last task). A running job's summary waits for its interval.

  private taskChanged(jobId: string, taskId: string): void {
    let ids = this.changedTasks.get(jobId);
    if (!ids) this.changedTasks.set(jobId, (ids = new Set()));
    ids.add(taskId);
    this.changed(jobId);
  }

  private changed(jobId: string): void {
    this.changedJobs.add(jobId);
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    for (const [jobId, ids] of this.changedTasks) {
      for (const id of ids) {
        const task = this.scheduler.taskOf(jobId, id);
        if (!task) continue;
        for (const a of task.attempts) if (a.result !== null) this.progress.delete(a.leaseId);
        this.deps.taskChanged?.(jobId, this.taskView(task));
      }
    }
    this.changedTasks.clear();
    const now = Date.now();
    let nextInMs = Infinity;
    for (const jobId of this.changedJobs) {
      const state = this.scheduler.jobState(jobId);
      if (state === null) {
        this.changedJobs.delete(jobId);
        continue;
      }
      const ended = state === 'done' || state === 'failed' || state === 'cancelled';
      const dueInMs = (this.jobToldAtMs.get(jobId) ?? -Infinity) + JOB_VIEW_INTERVAL_MS - now;
      if (!ended && dueInMs > 0) {
        nextInMs = Math.min(nextInMs, dueInMs);
        continue;
      }
      this.changedJobs.delete(jobId);
      if (ended) this.jobToldAtMs.delete(jobId);
      else this.jobToldAtMs.set(jobId, now);
      this.deps.jobChanged(this.view(jobId));
    }
    if (nextInMs !== Infinity && !this.flushTimer)
      this.flushTimer = setTimeout(() => {
        this.flushTimer = null;
        this.flush();
      }, nextInMs).unref();
  }
}

export type { TaskSpec };
