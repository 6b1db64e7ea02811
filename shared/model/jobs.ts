// The vocabulary of jobs: what a user submits, the tasks it compiles to, and their states.
// Pure data shared by the agent, the CLI and the UI.

export type EngineId = 'builtin-render';
export type JobKind = 'animation' | 'still';
export type OutputFormat = 'png' | 'exr';

/** A file a job needs, by content: `name` is a relative path inside the job. */
export interface AssetRef {
  name: string;
  hash: string;
  sizeBytes: number;
}

export interface RenderJobSettings {
  width: number;
  height: number;
  samplesPerPixel: number;
  seed: number;
  frameStart: number;
  frameEnd: number;
  fps: number;
  format: OutputFormat;
}

export interface JobSubmission {
  name: string;
  engine: EngineId;
  kind: JobKind;
  /** Name of the scene among `assets`. */
  scene: string;
  assets: AssetRef[];
  settings: RenderJobSettings;
  /** Absolute folder on the coordinator where finished images go. */
  outputDir: string;
  priority: number;
}

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A task's life. Leases come from the pull scheduler; a lapsed lease returns the task to the queue.
 *
 *   queued --lease--> leased --started--> running --result--> done
 *     ^                 |                    |
 *     +---- lease lapsed, worker gone, ------+----error---> failed (after 3 workers failed it)
 *           or error (retry elsewhere)
 *   queued | leased | running --job cancelled / superseded by a split--> cancelled
 */
export type TaskState = 'queued' | 'leased' | 'running' | 'done' | 'failed' | 'cancelled';

export type TaskKind = 'frames' | 'bucket' | 'merge';

export interface TaskSpec {
  taskId: string;
  kind: TaskKind;
  /** frames: the frames this task renders (a chunk); bucket/merge: the one frame. */
  frames: number[];
  /** bucket: the part of the frame to render. */
  region: Region | null;
  /** Tasks that must be done before this one may start (a merge waits for its buckets). */
  dependsOn: string[];
  /** Relative amount of work (pixels x samples x frames), for estimates; merges are cheap. */
  cost: number;
}

export type JobState = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

export interface TaskAttemptView {
  workerId: string;
  /** When the lease was given (coordinator's clock). */
  startedAtMs: number;
  /** When the attempt ended at the coordinator: result accepted, failure reported, lease lost. */
  endedAtMs: number | null;
  /** Time the worker spent on the task itself (its own clock), once done. */
  workMs: number | null;
  outcome: 'running' | 'done' | 'failed' | 'lost' | 'cancelled';
  speculative: boolean;
  error: string | null;
}

export interface TaskView extends TaskSpec {
  state: TaskState;
  attempts: TaskAttemptView[];
}

export interface JobView {
  jobId: string;
  submission: JobSubmission;
  state: JobState;
  createdAtMs: number;
  finishedAtMs: number | null;
  tasksDone: number;
  tasksTotal: number;
  /** Finished output files, relative to outputDir. */
  outputs: string[];
  errors: string[];
}
