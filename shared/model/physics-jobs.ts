// The physics engine's part of a job (Rapier rigid bodies from a glTF scene with the KHR physics
// extensions): the checked run settings, the variants of a wedge, and how a bake is cut into
// time chunks. Pure data: the coordinator fills it in (engines/physics), workers read it from
// their lease, and the control API's request is the user's side of it.

import { z } from 'zod';
import { PHYSICS_ENGINE } from './engine-ids.js';

export { PHYSICS_ENGINE };
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
