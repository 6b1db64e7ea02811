// Owns the worker's half of the engine seam: what an engine must offer for this machine's task
// runner to run its tasks without knowing it. The runner lays out a lease's inputs, then hands the
// task to the lease's engine with an EngineTask, through which the engine returns its outputs,
// progress and log lines and hears a cancel. The coordinator's half is JobType (jobs/job-type.ts).

import type { EngineAdvert, JobSubmission } from '../../../shared/model/jobs.js';
import type { WorkLease } from '../../../shared/protocol/index.js';
import type { EngineWire } from './engine-wire.js';

/** One task as an engine sees it, for the time it runs. */
export interface EngineTask {
  /**
   * The job this task belongs to, unique across coordinators: what an engine keeps alive between
   * tasks (a loaded scene, a Blender process) may be reused by the next task with the same key.
   */
  readonly jobKey: string;
  /** The job's folder: every asset of the lease under its checked name. */
  readonly jobDir: string;
  /** Cores the owner shares with the team now. */
  readonly threads: number;
  /** Aborted when the coordinator cancels the task or goes offline: stop, and leave nothing running. */
  readonly signal: AbortSignal;
  /** A fresh path outside the job folder for one output file (named by us, never by a teammate). */
  outputPath(): string;
  /** The folder outputPath's paths are in: this job's alone (a contained engine may write only there). */
  readonly outputDir: string;
  /** Hands over the file at `path` as output `name`: stored by content address for the coordinator, and removed. */
  output(name: string, path: string): Promise<void>;
  /** How far the task is (frames, tiles, samples: the engine's own unit). */
  progress(done: number, total: number): void;
  /** One line of the engine's own output; the last lines go with a failed task's error. */
  log(line: string): void;
  /** Something the user should see on the job although the task succeeds (a file missing here). */
  warn(text: string): void;
}

/** Something an engine offers to do on this machine, at its owner's request (install an add-on). */
export interface EngineAction {
  /** Its id among the engine's actions (the route's `:action`). */
  readonly id: string;
  /** The app's button: "Install the Blender add-on". */
  readonly title: string;
  /** The `troupe` command that runs it: `blender-addon`. */
  readonly command: string;
  /** Does it; says what it did in words, with the facts behind them. Throws a TroupeError saying why not. */
  run(): Promise<{ message: string; details: Record<string, string> }>;
}

/** `L`: the engine's lease (its *-wire.ts), which the runner has read with the engine's own schema. */
export interface Engine<L extends WorkLease = WorkLease> {
  /** The engine's wire (the same object its job type has): its id, and the schema its leases are read with. */
  readonly wire: EngineWire<unknown, JobSubmission, L>;
  /** What the owner of a job can change when this engine's task outlasts a worker's time limit. */
  readonly timeLimitAdvice?: string;
  /** What it offers to do on this machine (EngineAction); none when absent. */
  readonly actions?: readonly EngineAction[];
  /** What this machine advertises of the engine in capacity and announcements; null while it is not here. */
  advert(): EngineAdvert | null;
  /** Looks for the engine on this machine again (an installed program and its version); advert() says what it found. */
  detect(): Promise<void>;
  /**
   * Called before the lease's inputs are laid out in the job's folder (`jobKey` as in EngineTask):
   * what the engine keeps for the job that must not see new files appear (a process that may
   * write that folder) ends here.
   */
  prepare?(lease: L, jobKey: string): Promise<void>;
  /** Runs one task of `lease`, whose inputs are in task.jobDir; each output goes through task.output. */
  run(lease: L, task: EngineTask): Promise<void>;
  /** Ends what it keeps between tasks (processes, loaded scenes). */
  close(): Promise<void>;
}
