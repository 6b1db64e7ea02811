// The vocabulary of jobs: what a user submits, the tasks it compiles to, and their states.
// Pure data shared by the agent, the CLI and the UI. Each shape is one zod schema here, its type
// inferred from it; the wire (shared/protocol), the control API and the journal validate with these.

import { z } from 'zod';
import { BLENDER_ENGINE, BUILTIN_RENDER_ENGINE } from './engine-ids.js';
import { PHYSICS_ENGINE, physicsJobSchema } from './physics-jobs.js';

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
 * the union of submissions below.
 */
export const engineIdSchema = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/);
export type EngineId = z.infer<typeof engineIdSchema>;
export { BLENDER_ENGINE, BUILTIN_RENDER_ENGINE };

/** What a worker says it can run: an engine, and its version where versions matter (Blender's "4.2.1"). */
export const engineAdvertSchema = z.object({
  id: engineIdSchema,
  version: z.string().min(1).max(32).nullable(),
  /** What the engine here can do beyond its version (since 2.5; Blender: `oidn`, `gpu:CUDA`...). Absent: not known. */
  features: z.array(z.string().min(1).max(32)).max(16).optional(),
});
export type EngineAdvert = z.infer<typeof engineAdvertSchema>;
/** What a teammate that advertises nothing runs: agents before 2.2 had the built-in renderer alone. */
export const ENGINES_BEFORE_ADVERTS: readonly EngineAdvert[] = [{ id: BUILTIN_RENDER_ENGINE, version: null }];
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
 * A job of the built-in renderer. Every submission, whatever its engine, has `name`, `engine`,
 * `assets`, `outputDir` and `priority` (the coordinator and scheduler read only these); the rest
 * is the engine's own. Fields stay in this order: it is the order of the journal's JSON.
 */
export const builtinRenderSubmissionSchema = z.object({
  name: z.string(),
  engine: z.literal(BUILTIN_RENDER_ENGINE),
  kind: jobKindSchema,
  /** Name of the scene among `assets`. */
  scene: assetNameSchema,
  assets: z.array(assetRefSchema),
  settings: renderJobSettingsSchema,
  /** Absolute folder on the coordinator where finished images go. */
  outputDir: z.string(),
  priority: prioritySchema,
});

/** A Blender release a job asks for: major.minor (patch releases of one major.minor render alike). */
export const blenderVersionSchema = z.string().regex(/^\d{1,3}\.\d{1,3}$/);

/** A file the .blend uses besides itself, shipped with the job as an asset. */
export const blenderDependencySchema = z.object({
  /** Its name among the job's assets. */
  asset: assetNameSchema,
  /**
   * The path as the .blend stores it (absolute, or `//`-relative): the worker points that path at
   * the asset (a cache's folder, or one file of a sequence or UDIM set). Since 2.5 only paths a
   * worker's copy of the project cannot answer unchanged are listed; before, every file, resolved.
   */
  originalPath: z.string().min(1).max(4096),
});
export type BlenderDependency = z.infer<typeof blenderDependencySchema>;

/** A Blender job's own part: what the worker needs beyond the render settings. */
export const blenderJobSchema = z.object({
  job: z.enum(['render', 'bake']),
  /** The major.minor every worker must run; null: any version (the job carries a warning). */
  version: blenderVersionSchema.nullable(),
  frameStep: z.number().int().min(1).max(MAX_FRAMES_PER_JOB),
  /** Before 2.5: the .blend's folder on the submitting machine. Since 2.5 always "." (assets keep their project-relative place). */
  blendDir: z.string().min(1).max(4096),
  dependencies: z.array(blenderDependencySchema).max(10_000),
  /** The user sent the job without some files (since 2.5): the worker renders without them instead of failing. */
  allowMissing: z.boolean().default(false),
  /** Since 2.5: 'scene' keeps the scene's denoising; 'off' renders without it (the job warns). */
  denoising: z.enum(['scene', 'off']).default('scene'),
  /** Since 2.5: the devices Cycles may render on: the CPU, a GPU, or a GPU where there is one. */
  device: z.enum(['cpu', 'gpu', 'any']).default('any'),
  /** Since 2.5: a still rendered whole on one machine (denoised once on the whole frame), not in regions. */
  wholeFrame: z.boolean().default(false),
  /** Since 2.5: engine features a worker must advertise to take the job's tasks (`oidn`). */
  needs: z.array(z.string().min(1).max(32)).max(8).default([]),
  /** Frames' file name in outputDir, Blender's way: the last run of # is the frame number. */
  outputPattern: z.string().min(1).max(400),
  /** Appended to each frame's name ('.png'); empty when the scene writes names as they are. */
  fileExtension: z.string().max(16),
  /** A bake: the baked .blend's name in outputDir; null for a render. */
  bakeOutput: z.string().min(1).max(400).nullable(),
  /** What the user should know about this job (dither off for a still, any Blender version). */
  warnings: z.array(z.string().max(1000)).max(32),
});
export type BlenderJob = z.infer<typeof blenderJobSchema>;

/**
 * A Blender job: the common fields, render settings read from the scene (so the app's views
 * work unchanged), and `blender`. `scene` is the .blend among `assets`.
 */
export const blenderSubmissionSchema = z.object({
  name: z.string(),
  engine: z.literal(BLENDER_ENGINE),
  kind: jobKindSchema,
  scene: assetNameSchema,
  assets: z.array(assetRefSchema),
  settings: renderJobSettingsSchema,
  outputDir: z.string(),
  priority: prioritySchema,
  blender: blenderJobSchema,
});

/**
 * A physics job (the built-in Rapier engine): the common fields and `physics`. `scene` is the
 * glTF among `assets`; it has no render settings: its results are glTF files and tables.
 */
export const physicsSubmissionSchema = z.object({
  name: z.string(),
  engine: z.literal(PHYSICS_ENGINE),
  scene: assetNameSchema,
  assets: z.array(assetRefSchema),
  outputDir: z.string(),
  priority: prioritySchema,
  physics: physicsJobSchema,
  /**
   * A bake, then a render of it with the built-in renderer (one frame per keyframe, frame N at
   * N / fps s): each frame is rendered as soon as the chunks it needs are baked. Null: no render.
   */
  thenRender: renderJobSettingsSchema.nullable().default(null),
});

/** Every kind of job, told apart by `engine`. A new engine adds its submission schema here. */
export const jobSubmissionSchema = z.discriminatedUnion('engine', [builtinRenderSubmissionSchema, blenderSubmissionSchema, physicsSubmissionSchema]);
/** Jobs that render images: what the app's frame and bucket views show. */
export type RenderSubmission = Exclude<JobSubmission, { engine: typeof PHYSICS_ENGINE }>;
export type JobSubmission = z.infer<typeof jobSubmissionSchema>;
/** The ids of the engines jobs can be submitted for. */
export type JobEngine = JobSubmission['engine'];
/** The submission of one engine's jobs. */
export type SubmissionOf<E extends JobEngine> = Extract<JobSubmission, { engine: E }>;

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
 * frames: images of frames; bucket: a region of one frame; merge: joins others' results (on the
 * coordinator, or a worker's Blender); variant: one physics wedge variant (frames: [its index]);
 * chunk: one time chunk of a physics bake (frames: [its index]), started from the last one's snapshot.
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
});
export type TaskSpec = z.infer<typeof taskSpecSchema>;

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
  /** What finished tasks warned of, each once (a texture missing on a teammate). */
  warnings: string[];
}
