// The vocabulary of jobs: what a user submits, the tasks it compiles to, and their states.
// Pure data shared by the agent, the CLI and the UI. Each shape is one zod schema here, its type
// inferred from it; the wire (shared/protocol), the control API and the journal validate with these.

import { z } from 'zod';

// ---- Limits (the schemas below and the agent's checks both use these) ----

/** Largest image side a job or a render may ask for, in pixels. */
export const MAX_SIDE_PX = 16384;
/** Largest image a job or a render may ask for, in pixels (100 megapixels). */
export const MAX_PIXELS = 100_000_000;
/** Frame numbers run from -MAX_FRAME_NUMBER to MAX_FRAME_NUMBER. */
export const MAX_FRAME_NUMBER = 1_000_000;
/** At most this many frames in one job. */
export const MAX_FRAMES_PER_JOB = 100_000;
/** Samples per pixel a job may ask for: the built-in renderer's own limit, so an accepted job is one every worker can render. */
export const MAX_JOB_SAMPLES_PER_PIXEL = 65_536;
export const MAX_SEED = 2 ** 32 - 1;
export const MIN_FPS = 1;
export const MAX_FPS = 1000;
export const MIN_PRIORITY = -100;
export const MAX_PRIORITY = 100;
/** Longest name of a file inside a job (an asset, the scene). */
export const MAX_ASSET_NAME_CHARS = 400;

// ---- Fields ----

/**
 * An engine's id, as announcements, capacity and leases carry it. Any id is well-formed on the
 * wire; which engines a machine runs is what it advertises (EngineAdvert), and which jobs exist is
 * what the engine registry of the build knows (electron/agent/engines/registered-engines.ts).
 */
export const engineIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
export type EngineId = z.infer<typeof engineIdSchema>;

/** What a worker says it can run: an engine, and its version where versions matter (Blender's "4.2.1"). */
export const engineAdvertSchema = z.object({
  id: engineIdSchema,
  version: z.string().min(1).max(32).nullable(),
  /** What the engine here can do beyond its version (since 2.5; Blender: `oidn`, `gpu:CUDA`...). Absent: not known. */
  features: z.array(z.string().min(1).max(32)).max(16).optional(),
  /**
   * Since 2.7: how the app names the engine here ("Blender 4.2 (GPU: OPTIX)"), the engine's own
   * words. Absent: an engine every Troupe has, not worth listing (or a sender before 2.7).
   */
  label: z.string().min(1).max(120).optional(),
});
export type EngineAdvert = z.infer<typeof engineAdvertSchema>;
export const jobKindSchema = z.enum(['animation', 'still']);
export type JobKind = z.infer<typeof jobKindSchema>;
export const outputFormatSchema = z.enum(['png', 'exr']);
export type OutputFormat = z.infer<typeof outputFormatSchema>;

export const frameNumberSchema = z.number().int().min(-MAX_FRAME_NUMBER).max(MAX_FRAME_NUMBER);
export const imageSideSchema = z.number().int().min(1).max(MAX_SIDE_PX);
export const samplesPerPixelSchema = z.number().int().min(1).max(MAX_JOB_SAMPLES_PER_PIXEL);
export const seedSchema = z.number().int().min(0).max(MAX_SEED);
export const fpsSchema = z.number().min(MIN_FPS).max(MAX_FPS);
export const prioritySchema = z.number().int().min(MIN_PRIORITY).max(MAX_PRIORITY);
/** 64 lowercase hex characters: a SHA-256. */
export const hex64Schema = z.string().regex(/^[0-9a-f]{64}$/);
/** A blob's content address: the SHA-256 of its bytes. */
export const blobHashSchema = hex64Schema;
export const assetNameSchema = z.string().min(1).max(MAX_ASSET_NAME_CHARS);

/** A file a job needs, by content: `name` is a relative path inside the job. */
export const assetRefSchema = z.object({
  name: assetNameSchema,
  hash: blobHashSchema,
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
export type AssetRef = z.infer<typeof assetRefSchema>;

export const renderJobSettingsSchema = z.object({
  width: imageSideSchema,
  height: imageSideSchema,
  samplesPerPixel: samplesPerPixelSchema,
  seed: seedSchema,
  frameStart: frameNumberSchema,
  frameEnd: frameNumberSchema,
  fps: fpsSchema,
  format: outputFormatSchema,
});
export type RenderJobSettings = z.infer<typeof renderJobSettingsSchema>;

/**
 * What every job has, whatever its engine: the coordinator and the scheduler read only these. Each
 * engine's own submission (its folder's *-wire.ts) has these fields and its own; the journal and
 * the control API keep the engine's part as it is (a loose object), and the agent checks it with
 * the engine's schema (EngineRegistry). `scene` is the file among `assets` the job is about.
 */
export const jobSubmissionSchema = z.looseObject({
  name: z.string(),
  engine: engineIdSchema,
  scene: assetNameSchema,
  assets: z.array(assetRefSchema),
  /** Absolute folder on the coordinator where the job's results go. */
  outputDir: z.string(),
  priority: prioritySchema,
});
export type JobSubmission = z.infer<typeof jobSubmissionSchema>;

/**
 * The fields after `name` and `engine` of a job that renders images from a scene (the built-in
 * renderer's, Blender's), in the order of the journal's JSON since 2.0: an engine's submission
 * schema spreads them after its `engine` literal and adds its own part after them.
 */
export const imageJobFields = {
  kind: jobKindSchema,
  /** Name of the scene among `assets`. */
  scene: assetNameSchema,
  assets: z.array(assetRefSchema),
  settings: renderJobSettingsSchema,
  /** Absolute folder on the coordinator where finished images go. */
  outputDir: z.string(),
  priority: prioritySchema,
};


/** In full-frame pixels, y down from the top. */
export const regionSchema = z.object({
  x: z.number().int().min(0).max(MAX_SIDE_PX),
  y: z.number().int().min(0).max(MAX_SIDE_PX),
  width: imageSideSchema,
  height: imageSideSchema,
});
export type Region = z.infer<typeof regionSchema>;

/**
 * A task's life. Leases come from the pull scheduler; a lapsed lease returns the task to the queue.
 *
 *   queued --lease--> leased --started--> running --result--> done
 *     ^                 |                    |
 *     +---- lease lapsed, worker gone, ------+----error---> failed (after 3 workers failed it)
 *           or error (retry elsewhere)
 *   queued | leased | running --job cancelled / superseded by a split--> cancelled
 */
export const taskStateSchema = z.enum(['queued', 'leased', 'running', 'done', 'failed', 'cancelled']);
export type TaskState = z.infer<typeof taskStateSchema>;

/**
 * What a task makes, for people and views: frames (images of frames), bucket (a region of one
 * frame), merge (joins others' results), variant (one run of a sweep, frames: [its index]), chunk
 * (one time slice of a run, frames: [its index]). The scheduler never reads it: it decides by the
 * traits below, which the job type sets.
 */
export const taskKindSchema = z.enum(['frames', 'bucket', 'merge', 'variant', 'chunk']);
export type TaskKind = z.infer<typeof taskKindSchema>;

export const taskSpecSchema = z.object({
  taskId: z.string().min(1).max(120),
  kind: taskKindSchema,
  /** frames: the frames this task renders (a chunk); bucket/merge: the one frame. */
  frames: z.array(frameNumberSchema).min(1).max(1000),
  /** bucket: the part of the frame to render. */
  region: regionSchema.nullable(),
  /** Tasks that must be done before this one may start (a merge waits for its buckets). */
  dependsOn: z.array(z.string().max(120)).max(4096),
  /** Relative amount of work (pixels x samples x frames), for estimates; merges are cheap. */
  cost: z.number().min(0),
  /** Since 2.7: 'coordinator' runs it where the results it joins are held; absent: any worker that runs the job. */
  runsOn: z.enum(['worker', 'coordinator']).optional(),
  /** Since 2.7: it continues the one task it depends on (a world carried over): it stays with the machine that ran that one. */
  sticky: z.boolean().optional(),
  /** Since 2.7: one frame the job type can cut into regions (JobType.split) when one worker would straggle on it. */
  splittable: z.boolean().optional(),
});
export type TaskSpec = z.infer<typeof taskSpecSchema>;

/** A lease's fields after `engine` for a task of an image job: the task, its render settings, the scene and every file. */
export const imageLeaseFields = {
  task: taskSpecSchema,
  settings: renderJobSettingsSchema,
  scene: assetNameSchema,
  assets: z.array(assetRefSchema).max(10_000),
};

export const jobStateSchema = z.enum(['queued', 'running', 'paused', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof jobStateSchema>;

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
  /** What the worker warned of while the attempt succeeded (a file missing there). */
  warnings: string[];
  /** A running attempt's progress in the engine's own unit (rows, samples, frames, steps), as the worker last told it (since 2.6); else absent. */
  progress?: { done: number; total: number };
}

export interface TaskView extends TaskSpec {
  state: TaskState;
  attempts: TaskAttemptView[];
}

/** A column of a result table: `key` in each row; numbers in `unit` where given. */
export const resultColumnSchema = z.object({
  /** What rows name it by, and what a table is sorted by (GET .../tables/<name>/<key>): a letter, then letters and digits. */
  key: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,39}$/),
  label: z.string().min(1).max(60),
  unit: z.string().max(16).optional(),
  /** Whether the table can be sorted by it (GET .../tables/<name>/<key>, "-" first: descending). */
  sortable: z.boolean(),
});
export type ResultColumn = z.infer<typeof resultColumnSchema>;

/** A table of a job's results its job type offers (a sweep's variants with their numbers). */
export const resultTableInfoSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/),
  title: z.string().min(1).max(100),
  columns: z.array(resultColumnSchema).min(1).max(32),
  /** The column rows come sorted by unless asked otherwise. */
  defaultSort: z.string().min(1).max(41),
});
export type ResultTableInfo = z.infer<typeof resultTableInfoSchema>;

/** A result table's rows so far (done tasks only), sorted as asked; a cell is a number, words, or nothing. */
export const resultTableSchema = z.object({
  columns: z.array(resultColumnSchema),
  rows: z.array(z.record(z.string(), z.union([z.number(), z.string(), z.null()]))),
});
export type ResultTable = z.infer<typeof resultTableSchema>;

/**
 * What the views need to know of a job without knowing its engine, answered by its job type: a
 * line that describes it, the images it makes (null: it makes files), what the user should know
 * of it as sent, and the tables of results it offers.
 */
export const jobAboutSchema = z.object({
  /** "49 frames, 1280×720, 64 samples", "sweep of 12 variants, 2000 steps of 1/240 s". */
  description: z.string().max(300),
  images: z
    .object({
      width: imageSideSchema,
      height: imageSideSchema,
      frameStart: frameNumberSchema,
      frameEnd: frameNumberSchema,
      /** One frame in buckets (the bucket view), not a run of frames (the frame grid). */
      still: z.boolean(),
    })
    .nullable(),
  warnings: z.array(z.string().max(1000)).max(32),
  tables: z.array(resultTableInfoSchema).max(8),
});
export type JobAbout = z.infer<typeof jobAboutSchema>;

export interface JobView {
  jobId: string;
  submission: JobSubmission;
  /** Since 2.7: what the job is, in words and shapes the views use (its job type's answer). */
  about: JobAbout;
  state: JobState;
  createdAtMs: number;
  finishedAtMs: number | null;
  tasksDone: number;
  tasksTotal: number;
  /** Finished output files, relative to outputDir. */
  outputs: string[];
  errors: string[];
  /** What finished tasks warned of, each once (a texture missing on a teammate). */
  warnings: string[];
}
