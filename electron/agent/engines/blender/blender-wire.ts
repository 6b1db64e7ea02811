// Blender's wire: its request (a .blend rendered or baked on the team), its submission (the render
// settings read from the scene, and the job's Blender part) and its lease. Runtime-neutral, like
// every engine's *-wire.ts: zod and shared/ only (lint enforces it), so the registry builds the
// wire and API unions from it without Blender's code.

import { z } from 'zod';
import { MAX_FRAMES_PER_JOB, assetNameSchema, frameNumberSchema, imageJobFields, imageLeaseFields, prioritySchema } from '../../../../shared/model/jobs.js';
import { leaseFields } from '../../../../shared/protocol/index.js';

/** Blender (a teammate's installed Blender, driven by Troupe's session script). */
export const BLENDER_ENGINE = 'blender';

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
export const blenderSubmissionSchema = z.object({ name: z.string(), engine: z.literal(BLENDER_ENGINE), ...imageJobFields, blender: blenderJobSchema });

export type BlenderSubmission = z.infer<typeof blenderSubmissionSchema>;

/** A Blender task: the scene's settings and the job's Blender part; a stitch's assets include its region tiles. */
export const blenderLeaseSchema = z.object({ ...leaseFields, engine: z.literal(BLENDER_ENGINE), ...imageLeaseFields, blender: blenderJobSchema });
export type BlenderLease = z.infer<typeof blenderLeaseSchema>;

/**
 * A .blend rendered or baked on the team (the Blender add-on, `troupe render scene.blend`,
 * `troupe bake`). Frames, size, samples and the output format are the scene's own; the request
 * only picks frames and where they go.
 */
export const blenderRequestSchema = z.strictObject({
  engine: z.literal(BLENDER_ENGINE),
  job: z.enum(['render', 'bake']).default('render'),
  /** Absolute path of the .blend on the agent's machine (the add-on's saved temporary copy). */
  scenePath: z.string().min(1).max(4096),
  name: z.string().min(1).max(64).optional(),
  /** The Blender major.minor workers must run; the coordinator's own Blender when absent. */
  blenderVersion: blenderVersionSchema.optional(),
  /** Any Blender will do (the job carries a warning: versions may render differently). */
  anyBlenderVersion: z.boolean().default(false),
  priority: prioritySchema.default(0),
  /** The scene's own frame range when absent. */
  frameStart: frameNumberSchema.optional(),
  frameEnd: frameNumberSchema.optional(),
  frameStep: z.number().int().min(1).max(100_000).optional(),
  /** One frame, rendered in regions across the team and stitched. */
  still: z.boolean().default(false),
  /** Absolute folder for the frames; the folder of outputPattern, or of the scene's output path, when absent. */
  outputDir: z.string().min(1).max(4096).optional(),
  /** The frames' absolute output path, Blender's way (`/renders/shot_####`); the scene's when absent. */
  outputPattern: z.string().min(1).max(4096).optional(),
  /** A bake: where the baked .blend goes (absolute); `<scene folder>/<name>.baked.blend` when absent. */
  outputPath: z.string().min(1).max(4096).optional(),
  /** The folder every file the scene uses must be in (absolute); the .blend's folder when absent. */
  projectRoot: z.string().min(1).max(4096).optional(),
  /** Files outside the project folder (or hidden) the user approved, by absolute path. */
  allowFiles: z.array(z.string().min(1).max(4096)).max(1000).optional(),
  /** Send the job although some files are missing (frames that show them render without them). */
  allowMissing: z.boolean().default(false),
  /** 'off': render without the scene's denoising (where a machine lacks the denoiser); the scene's by default. */
  denoising: z.enum(['scene', 'off']).default('scene'),
  /** Where Cycles renders: 'gpu' only on machines with one, 'cpu' never on a GPU; 'any' a GPU where there is one. */
  device: z.enum(['cpu', 'gpu', 'any']).default('any'),
  /** A still: 'whole' on one machine, 'regions' across the team and stitched; 'auto': whole when the scene denoises or the team is one machine. */
  stillMode: z.enum(['auto', 'whole', 'regions']).default('auto'),
});

export type BlenderRequest = z.output<typeof blenderRequestSchema>;
export type BlenderRequestInput = z.input<typeof blenderRequestSchema>;

/** What the registry knows of the engine without its code (EngineWire). */
export const BLENDER_WIRE = { id: BLENDER_ENGINE, request: blenderRequestSchema, submission: blenderSubmissionSchema, lease: blenderLeaseSchema } as const;
