// Owns this machine's side of the team's work: while its owner shares it and it is idle, ask the
// coordinators that have work for a task, run it, report back; stop a task when told to.
//
//   idle --(sharing allows, a coordinator has work)--> asking --lease--> running --done/failed--> idle
//     |                                                ^  |                |
//     +--(not sharing, our own jobs have a check for us)+  |                |
//     ^                                                   |                |
//     +------------------- none / no answer --------------+   cancelled ---+

import { TroupeError, toErrorBody } from '../../../shared/errors.js';
import type { SharingSetting } from '../../../shared/model/index.js';
import type { WorkLease } from '../../../shared/protocol/index.js';
import type { TaskRunner } from './task-runner.js';
import type { WorkSource } from './work-source.js';

const POLL_MS = 1000;

export interface WorkLoopDeps {
  runner: TaskRunner;
  sources: () => WorkSource[];
  sharing: () => SharingSetting;
  /** Cores the team may use now (0 when the owner is busy in "idle" mode). */
  freeCores: () => number;
  cores: () => number;
  /** The longest a task from this source may run before it is stopped and failed; null: no limit. */
  timeLimitMs?: (source: WorkSource) => number | null;
  log: (line: string) => void;
}

export class WorkLoop {
  private readonly running = new Map<string, { controller: AbortController; coordinatorId: string }>();
  private asking = false;
  private timer: NodeJS.Timeout;
  private next = 0;
  private closed = false;

  constructor(private readonly deps: WorkLoopDeps) {
    this.timer = setInterval(() => void this.poke(), POLL_MS);
    this.timer.unref();
  }

  /** Work may be waiting: look now instead of at the next poll. */
  async poke(): Promise<void> {
    if (this.closed || this.asking || this.running.size > 0) return;
    const sharing = this.deps.sharing();
    // "on" means the owner gives these cores whatever else runs; only "idle" yields to the owner's own load.
    if (sharing.mode === 'off' || (sharing.mode === 'idle' && this.deps.freeCores() < 0.5)) return this.checkOwnJobs(sharing);
    const sources = this.deps.sources().filter((s) => s.hasWork());
    if (sources.length === 0) return;
    this.asking = true;
    try {
      for (let i = 0; i < sources.length; i++) {
        const source = sources[(this.next + i) % sources.length]!;
        const lease = await source.request(this.deps.freeCores()).catch(() => null);
        if (!lease) continue;
        this.next = (this.next + i + 1) % sources.length; // take turns between coordinators
        void this.run(lease, source, sharing);
        return;
      }
    } finally {
      this.asking = false;
    }
  }

  /**
   * Not sharing, this machine still checks its own jobs' results when the coordinator drew it (or
   * two teammates disagree): a few tasks in a hundred, for the owner's own job, as it runs merges.
   */
  private async checkOwnJobs(sharing: SharingSetting): Promise<void> {
    const own = this.deps.sources().find((s) => s.hasCheck?.());
    if (!own?.requestCheck) return;
    this.asking = true;
    try {
      const lease = await own.requestCheck().catch(() => null);
      if (lease) void this.run(lease, own, sharing);
    } finally {
      this.asking = false;
    }
  }

  /** The leases being worked on, from the moment one arrives until its result is sent. */
  leaseIds(): string[] {
    return [...this.running.keys()];
  }

  /** Stops a task, if `coordinatorId` is the one that leased it (no other teammate may). */
  cancel(leaseId: string, coordinatorId: string): void {
    const r = this.running.get(leaseId);
    if (r && r.coordinatorId === coordinatorId) r.controller.abort(new TroupeError('internal', 'cancelled by the coordinator'));
  }

  /** The coordinator went away: its lease lapses there, so stop spending cores on it here. */
  cancelFrom(coordinatorId: string): void {
    for (const r of this.running.values()) if (r.coordinatorId === coordinatorId) r.controller.abort(new TroupeError('internal', 'the coordinator went offline'));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    for (const r of this.running.values()) r.controller.abort();
    await this.deps.runner.close();
  }

  private async run(lease: WorkLease, source: WorkSource, sharing: SharingSetting): Promise<void> {
    const controller = new AbortController();
    this.running.set(lease.leaseId, { controller, coordinatorId: source.coordinatorId });
    const threads = Math.max(1, Math.min(this.deps.cores(), sharing.coreCap ?? this.deps.cores()));
    try {
      // Before task.started: a lease its engine cannot read, or whose inputs cannot fit here, is refused with the reason.
      this.deps.runner.readLease(lease);
      await source.checkInputs(lease);
      source.started(lease.leaseId);
      const result = await this.deps.runner.run(lease, source, threads, controller.signal, this.deps.timeLimitMs?.(source) ?? null);
      source.done(lease.leaseId, result);
    } catch (err) {
      // A cancelled task reports nothing: its coordinator already moved on.
      if (!controller.signal.aborted) {
        const message = toErrorBody(err).message;
        this.deps.log(`task ${lease.task.taskId} failed here: ${message}`);
        source.failed(lease.leaseId, message);
      }
    } finally {
      this.running.delete(lease.leaseId);
      setImmediate(() => void this.poke());
    }
  }
}
