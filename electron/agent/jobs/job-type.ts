// Owns the coordinator's half of the engine seam: what a kind of job must say for the coordinator
// to run it without knowing its engine. The coordinator checks and stores a submission, compiles
// it into tasks, leases them, takes their results and finishes the job only through this. The
// worker's half is Engine (engines/engine.ts); both are registered together (EngineRegistry).

import type { SubmitJob, JobPreview } from '../../../shared/control-api/index.js';
import type { EngineAdvert, JobEngine, SubmissionOf, TaskSpec } from '../../../shared/model/jobs.js';
import type { LeaseOf, WorkLease } from '../../../shared/protocol/index.js';
import type { TaskOutcome } from '../scheduler/ports.js';
import type { BlobStore } from '../storage/blob-store.js';

/** What a task produced, by output name: content addresses in a blob store. */
export type TaskOutputs = TaskOutcome['outputs'];

/** The control API's request for one engine's job. */
export type SubmitRequestOf<E extends JobEngine> = Extract<SubmitJob, { engine: E }>;

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

export interface JobType<E extends JobEngine = JobEngine> {
  readonly engine: E;
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
  prepare(request: SubmitRequestOf<E>, blobs: BlobStore): Promise<SubmissionOf<E>>;
  /** The job's tasks: a pure function of the submission. Tasks the coordinator keeps are `merge`. */
  compile(jobId: string, job: SubmissionOf<E>, hints: CompileHints): TaskSpec[];
  /**
   * A single-frame task cut into `parts` pieces plus the `merge` that joins them, when a slow
   * worker would straggle on it; null when this job's frames cannot be cut.
   */
  split(job: SubmissionOf<E>, jobId: string, task: TaskSpec, parts: number): TaskSpec[] | null;
  /** Jobs with equal keys take the same time per frame (same scene, size, quality); null: no key. */
  workKey(job: SubmissionOf<E>): string | null;
  /** Whether a worker that advertises these engines can run this job (the engine, at a version the job accepts). */
  runsOn(job: SubmissionOf<E>, engines: readonly EngineAdvert[]): boolean;
  /** What a submit would send (files and sizes), checked the same way, without storing anything. */
  preview?(request: SubmitRequestOf<E>): Promise<JobPreview>;
  /** Words for a job no machine of the team runs (runsOn false for all), saying what the user can change. */
  whyNoMachine?(job: SubmissionOf<E>): string;
  /**
   * The lease of one task: the base fields and the engine's own (settings, scene, assets).
   * `done`: the finished tasks it depends on, with their outputs, for a task that a worker runs on
   * other tasks' results (Blender's stitch ships its region tiles as assets).
   */
  lease(job: SubmissionOf<E>, base: LeaseBase, done: FinishedPart[]): LeaseOf<E> | WorkLease;
  /**
   * The outputs the task must make, picked from what the worker says it made and checked by name
   * and size before anything is fetched; throws, in words, if one is missing or cannot be right.
   */
  expectedOutputs(job: SubmissionOf<E>, task: TaskSpec, sent: TaskOutputs): TaskOutputs;
  /** A fetched result: final files go into the output folder; returns the outputs to record. */
  keepResult(job: SubmissionOf<E>, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<TaskOutputs>;
  /** Blobs of a done task that stay in the coordinator's store until a later task (its merge) uses them. */
  heldBlobs(task: TaskSpec, outputs: TaskOutputs): string[];
  /** The files of a done task in the job's output folder, by name. */
  outputFiles(task: TaskSpec, outputs: TaskOutputs): string[];
  /**
   * Runs a `merge` on the coordinator from the results of the tasks it depends on (stitches
   * regions into a frame) and writes what it makes; returns the outputs to record. Must be
   * deterministic: a failure here fails the job, since trying again would fail the same way.
   */
  finish(job: SubmissionOf<E>, task: TaskSpec, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs>;
}

/** The job types the coordinator can run, by engine. */
export interface JobTypes {
  jobType<E extends JobEngine>(engine: E): JobType<E>;
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
