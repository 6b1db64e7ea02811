// The physics engine's wire (Rapier rigid bodies from a glTF scene with the KHR physics
// extensions): its request, its submission (the checked run settings, a wedge's variants, how a
// bake is cut into time chunks) and its lease. Runtime-neutral, like every engine's *-wire.ts:
// zod and shared/ only (lint enforces it), so the registry builds the wire and API unions from it
// and the CLI and the app never need the engine's code.

import { z } from 'zod';
import { assetNameSchema, assetRefSchema, outputFormatSchema, prioritySchema, renderJobSettingsSchema, samplesPerPixelSchema, seedSchema, taskSpecSchema } from '../../../../shared/model/jobs.js';
import { leaseFields } from '../../../../shared/protocol/index.js';

/** Rigid-body physics (Rapier) for glTF scenes. */
export const PHYSICS_ENGINE = 'physics';
/**
 * What this build's physics engine advertises as its version: the Rapier release it is built on
 * (package.json pins it exactly), then `+` the revision of what Troupe makes of a run (2: speeds
 * read at keyframes). Another release may simulate or summarise differently, so jobs are leased,
 * and results checked, only among machines that advertise the same.
 */
export const PHYSICS_ENGINE_VERSION = 'rapier-0.21.0+2';
/** At most this many variants in one wedge (one task each). */
export const MAX_WEDGE_VARIANTS = 10_000;
/** At most this many time chunks in one bake: each is a task, and the assembly depends on all. */
export const MAX_BAKE_CHUNKS = 1000;

const finite = z.number().refine(Number.isFinite, 'a finite number');
export const vec3Schema = z.tuple([finite, finite, finite]);

const vectorOverrideSchema = z.strictObject({ x: finite.optional(), y: finite.optional(), z: finite.optional() });
const bodyOverrideSchema = z.strictObject({
  friction: finite.optional(),
  restitution: finite.optional(),
  mass: finite.optional(),
  linearVelocity: vectorOverrideSchema.optional(),
  angularVelocity: vectorOverrideSchema.optional(),
});
/** What a variant changes before step 0; bodies by node name or "#<node index>". The engine checks the values. */
export const physicsOverridesSchema = z.strictObject({
  gravity: vectorOverrideSchema.optional(),
  friction: finite.optional(),
  restitution: finite.optional(),
  bodies: z.record(z.string().min(1).max(200), bodyOverrideSchema).refine((r) => Object.keys(r).length <= 256, 'at most 256 bodies').optional(),
});
export type PhysicsOverridesData = z.infer<typeof physicsOverridesSchema>;

/** Settings as the user gives them (each optional: the engine's defaults fill in). */
export const physicsSettingsRequestSchema = z.strictObject({
  dtSeconds: finite.optional(),
  substeps: finite.optional(),
  durationSeconds: finite.optional(),
  steps: finite.optional(),
  gravity: vec3Schema.optional(),
  fps: finite.optional(),
});

/** Settings after the engine's checks: every worker runs exactly these. */
export const physicsRunSettingsSchema = z.object({
  dtSeconds: finite,
  substeps: z.number().int().min(1).max(64),
  totalSteps: z.number().int().min(1).max(10_000_000),
  gravity: vec3Schema,
  fps: finite,
  keyframeCount: z.number().int().min(1),
});
export type PhysicsRunSettings = z.infer<typeof physicsRunSettingsSchema>;

export const physicsVariantSchema = z.object({
  index: z.number().int().min(0).max(MAX_WEDGE_VARIANTS),
  /** "friction=0.2, restitution=0.5": what this variant changes ("" for a plain run). */
  label: z.string().max(2000),
  overrides: physicsOverridesSchema,
});
export type PhysicsVariant = z.infer<typeof physicsVariantSchema>;

export const physicsJobSchema = z.object({
  /** wedge: one task per variant; bake: one run in time chunks, each starting from the last one's snapshot. */
  job: z.enum(['wedge', 'bake']),
  settings: physicsRunSettingsSchema,
  /** A wedge's variants; a bake has one (its overrides, usually none). */
  variants: z.array(physicsVariantSchema).min(1).max(MAX_WEDGE_VARIANTS),
  /** Steps per chunk of a bake (the last may be shorter); a wedge runs each variant whole. */
  chunkSteps: z.number().int().min(1),
  /** Moving bodies in the scene (for the views). */
  bodies: z.number().int().min(0),
  /** The most a chunk's snapshot of this scene can take, from the scene as read; absent in jobs journaled before it: 2 GiB. */
  snapshotBytes: z.number().int().min(1).max(2 ** 31 - 1).optional(),
  warnings: z.array(z.string().max(1000)).max(32),
});
export type PhysicsJob = z.infer<typeof physicsJobSchema>;

/** How many chunks a bake of `totalSteps` in chunks of `chunkSteps` has. */
export function bakeChunkCount(totalSteps: number, chunkSteps: number): number {
  return Math.ceil(totalSteps / chunkSteps);
}

/**
 * A physics job: the common fields and `physics`. `scene` is the glTF among `assets`; it has no
 * render settings: its results are glTF files and tables.
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
export type PhysicsSubmission = z.infer<typeof physicsSubmissionSchema>;

/**
 * A physics task (since 2.3): one wedge variant run whole, or one time chunk of a bake, steps
 * [fromStep, toStep). A chunk after the first starts from `snapshot`, the previous chunk's world
 * (an asset of this lease); the first chunk and a variant build the world from the scene.
 */
export const physicsLeaseSchema = z.object({
  ...leaseFields,
  engine: z.literal(PHYSICS_ENGINE),
  task: taskSpecSchema,
  scene: assetNameSchema,
  assets: z.array(assetRefSchema).max(16),
  settings: physicsRunSettingsSchema,
  variant: physicsVariantSchema,
  fromStep: z.number().int().min(0),
  toStep: z.number().int().min(1),
  snapshot: assetNameSchema.nullable(),
});
export type PhysicsLease = z.infer<typeof physicsLeaseSchema>;

/**
 * `troupe simulate scene.glb`: rigid bodies of a glTF scene (KHR_physics_rigid_bodies) with the
 * built-in physics engine. A bake is one run in time chunks; with `wedge` (or `random`), one run
 * per variant of the swept parameters (the engine's wedge grammar, wedge-variants.ts).
 */
export const physicsRequestSchema = z.strictObject({
  engine: z.literal(PHYSICS_ENGINE),
  scenePath: z.string().min(1).max(4096),
  name: z.string().min(1).max(64).optional(),
  settings: physicsSettingsRequestSchema.default({}),
  /** "friction=0.2:0.8:4,restitution=0:1:3": a grid; with `random`, ranges drawn from. */
  wedge: z.string().min(1).max(4000).optional(),
  random: z.strictObject({ count: z.number().int().min(1).max(MAX_WEDGE_VARIANTS), seed: z.number().int().min(0).max(2 ** 32 - 1) }).optional(),
  /** A bake's steps per chunk (the engine picks when absent). */
  chunkSteps: z.number().int().min(1).max(10_000_000).optional(),
  /** Then render the baked animation with the built-in renderer, frame by frame as it is baked (a bake only). */
  thenRender: z
    .strictObject({
      width: z.number().int().min(1).default(640),
      height: z.number().int().min(1).default(480),
      samplesPerPixel: samplesPerPixelSchema.default(64),
      seed: seedSchema.default(1),
      format: outputFormatSchema.default('png'),
    })
    .optional(),
  outputDir: z.string().min(1).max(4096),
  priority: prioritySchema.default(0),
});
export type PhysicsRequest = z.output<typeof physicsRequestSchema>;
export type PhysicsRequestInput = z.input<typeof physicsRequestSchema>;

/** What the registry knows of the engine without its code (EngineWire). */
export const PHYSICS_WIRE = { id: PHYSICS_ENGINE, request: physicsRequestSchema, submission: physicsSubmissionSchema, lease: physicsLeaseSchema } as const;
