// Owns the coordinator's half of the engine seam: what a kind of job must say for the coordinator
// to run it without knowing its engine. The coordinator checks and stores a submission, compiles
// it into tasks, leases them, takes their results and finishes the job only through this. The
// worker's half is Engine (engines/engine.ts); both are registered together (EngineRegistry).

import type { CommandJob, JobPreview } from '../../../shared/control-api/index.js';
import type { EngineAdvert, JobAbout, JobSubmission, ResultTable, TaskSpec, TaskView } from '../../../shared/model/jobs.js';
import type { WorkLease } from '../../../shared/protocol/index.js';
import type { EngineWire } from '../engines/engine-wire.js';
import type { TaskOutcome } from '../scheduler/ports.js';
import type { BlobStore } from '../storage/blob-store.js';

/** What a task produced, by output name: content addresses in a blob store. */
export type TaskOutputs = TaskOutcome['outputs'];

/** A command line's job (`troupe render FILE --flags`), paths as typed: `cwd` is where they are read from. */
export type CommandLine = Required<Pick<CommandJob, 'verb' | 'file' | 'cwd' | 'flags'>>;

/** A verb of the command line this job type takes, and the files it takes with it. */
export interface CommandVerb {
  verb: string;
  /** File name endings it takes ('.blend'), lower case. */
  extensions: readonly string[];
  /** One line of usage: `troupe render <scene.blend> [--frames a-b] ...`. */
  usage: string;
}

/** What the coordinator knows when it compiles a job. */
export interface CompileHints {
  /** How many machines will share the work: piece sizes scale with it. */
  workersHint: number;
  /** Median time of one frame in earlier jobs with the same workKey, if any ran. */
  frameMsEstimate?: number;
}

/** Every lease has these; the job type adds its engine's part (JobType.lease). */
export type LeaseBase = Pick<WorkLease, 'type' | 'requestId' | 'leaseId' | 'jobId' | 'task' | 'leaseMs'>;

/** Where a job's results go on the coordinator: its output folder, written atomically. */
export interface ResultFiles {
  /** The file of a blob in the coordinator's store (a fetched result, a held tile). */
  pathOf(hash: string): string;
  /** Copies a stored blob into the job's output folder as `name`. */
  writeFromBlob(outputDir: string, name: string, hash: string): Promise<void>;
  /** Stores bytes made on the coordinator as a blob (a bake so far, which workers then render). */
  storeBytes(bytes: Uint8Array): Promise<{ hash: string; sizeBytes: number }>;
  /** Writes bytes made on the coordinator (a stitched frame) into the output folder as `name`. */
  writeBytes(outputDir: string, name: string, bytes: Uint8Array): Promise<void>;
}

/** A task that `finish` joins, with what it produced. */
export interface FinishedPart {
  spec: TaskSpec;
  outputs: TaskOutputs;
}

/**
 * `S`: the engine's submission, `R`: its request, `L`: its lease (all from its *-wire.ts). The
 * coordinator holds job types by engine id (EngineRegistry) and never names one.
 */
export interface JobType<S extends JobSubmission = JobSubmission, R = unknown, L extends WorkLease = WorkLease> {
  /** The engine's wire: its id and the schemas the registry checks requests, submissions and leases with. */
  readonly wire: EngineWire<R, S, L>;
  /**
   * Whether a task run twice, anywhere, makes the same bytes: then a sample of teammates' results
   * is run again elsewhere and compared (scheduler/result-checks.ts).
   */
  readonly deterministic: boolean;
  /**
   * Checks a request and every file it needs, and stores those files by content address under
   * checked names. Throws a TroupeError with the reason ('bad-scene', 'not-found', ...) before
   * any task exists, so a job no worker could run is refused on the coordinator.
   */
  prepare(request: R, blobs: BlobStore): Promise<S>;
  /** The job's tasks: a pure function of the submission. Tasks the coordinator keeps are `merge`. */
  compile(jobId: string, job: S, hints: CompileHints): TaskSpec[];
  /**
   * A single-frame task cut into `parts` pieces plus the `merge` that joins them, when a slow
   * worker would straggle on it; null when this job's frames cannot be cut.
   */
  split(job: S, jobId: string, task: TaskSpec, parts: number): TaskSpec[] | null;
  /** Jobs with equal keys take the same time per frame (same scene, size, quality); null: no key. */
  workKey(job: S): string | null;
  /** What the views show of the job: a line on it, the images it makes, its warnings, its result tables. */
  about(job: S): JobAbout;
  /** One of the tables `about` offers, from the tasks done so far, sorted by a column's key ("-" first: descending). */
  table?(job: S, jobId: string, name: string, tasks: readonly TaskView[], sort: string): Promise<ResultTable>;
  /** The command-line verbs it takes (`render` for `.blend`); none: only the control API's request. */
  readonly commands?: readonly CommandVerb[];
  /**
   * A command line's request, as a client would send it to the control API (flags read as this
   * engine names them, paths made absolute from `cwd`); the agent then checks it like any request.
   * Throws in words for a flag it cannot read.
   */
  requestFromCommand?(command: CommandLine): Record<string, unknown>;
  /** Whether a worker that advertises these engines can run this job (the engine, at a version the job accepts). */
  runsOn(job: S, engines: readonly EngineAdvert[]): boolean;
  /** What a submit would send (files and sizes), checked the same way, without storing anything. */
  preview?(request: R): Promise<JobPreview>;
  /** Words for a job no machine of the team runs (runsOn false for all), saying what the user can change. */
  whyNoMachine?(job: S): string;
  /**
   * The lease of one task: the base fields and the engine's own (settings, scene, assets).
   * `done`: the finished tasks it depends on, with their outputs, for a task that a worker runs on
   * other tasks' results (Blender's stitch ships its region tiles as assets).
   */
  lease(job: S, base: LeaseBase, done: FinishedPart[]): L;
  /**
   * The outputs the task must make, picked from what the worker says it made and checked by name
   * and size before anything is fetched; throws, in words, if one is missing or cannot be right.
   */
  expectedOutputs(job: S, task: TaskSpec, sent: TaskOutputs): TaskOutputs;
  /** A fetched result: final files go into the output folder; returns the outputs to record. */
  keepResult(job: S, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<TaskOutputs>;
  /**
   * A done task's picture for the app's live view, as PNG bytes (a bucket's tile encoded as its
   * frame will look, a frame's image); throws a TroupeError saying why there is none.
   */
  taskImage?(job: S, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<Uint8Array>;
  /** Blobs of a done task that stay in the coordinator's store until a later task (its merge) uses them. */
  heldBlobs(task: TaskSpec, outputs: TaskOutputs): string[];
  /** The files of a done task in the job's output folder, by name. */
  outputFiles(task: TaskSpec, outputs: TaskOutputs): string[];
  /**
   * Runs a `merge` on the coordinator from the results of the tasks it depends on (stitches
   * regions into a frame) and writes what it makes; returns the outputs to record. Must be
   * deterministic: a failure here fails the job, since trying again would fail the same way.
   */
  finish(job: S, task: TaskSpec, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs>;
}

/** The job types the coordinator can run, by engine id (EngineRegistry). */
export interface JobTypes {
  jobType(engine: string): JobType;
  /** The engine ids there are; the first is the one of requests that name none. */
  ids(): string[];
  /** A control API request read with its engine's schema; throws 'bad-request' naming the field. */
  parseRequest(raw: unknown): unknown;
  /** A journaled submission read with its engine's schema; throws in words. */
  parseSubmission(raw: JobSubmission): JobSubmission;
  /** What a teammate that advertises no engines runs. */
  enginesBeforeAdverts(): EngineAdvert[];
}

// ---- What job types that render frames and tiles share ----

/** A frames task's images (`frame:<n>`) copied into the output folder under `nameOf(frame)`; the outputs by file name. */
export async function keepFrames(
  outputDir: string,
  frames: readonly number[],
  outputs: TaskOutputs,
  files: ResultFiles,
  nameOf: (frame: number) => string,
): Promise<TaskOutputs> {
  const named: TaskOutputs = {};
  for (const frame of frames) {
    const out = outputs[`frame:${frame}`];
    if (!out) throw new Error(`the worker sent no image for frame ${frame}`);
    const name = nameOf(frame);
    await files.writeFromBlob(outputDir, name, out.hash);
    named[name] = out;
  }
  return named;
}

/** A bucket's tile stays in the coordinator's store until the task that stitches it. */
export function heldTiles(task: TaskSpec, outputs: TaskOutputs): string[] {
  return task.kind === 'bucket' && outputs.tile ? [outputs.tile.hash] : [];
}

/** Every task but a bucket names its files in the output folder. */
export function filesOfNonBuckets(task: TaskSpec, outputs: TaskOutputs): string[] {
  return task.kind === 'bucket' ? [] : Object.keys(outputs);
}
