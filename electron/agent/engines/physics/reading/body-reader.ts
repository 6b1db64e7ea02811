// Owns reading one node's `motion` into a body: its world pose, velocities, mass properties, and
// the frame of its glTF parent (so its simulated world pose can be written back as local TRS).
// Values a float32 simulation cannot honour are refused as absurd, with the limit.

import type { MotionJson } from './khr-physics-schema.js';
import { nodeLabel, type ReadContext } from './physics-read-context.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { BodyModel, ParentFrame, Quat, Vec3 } from './physics-scene.js';
import { decompose, isUniform, quatNormalize, relativeTo } from './trs-math.js';

export const MAX_POSITION_M = 1e6;
export const MAX_SPEED_M_PER_S = 1e4;
export const MAX_ANGULAR_SPEED_RAD_PER_S = 1e4;
export const MAX_MASS_KG = 1e12;
export const MAX_GRAVITY_FACTOR = 1e3;

const length = (v: Vec3): number => Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);

export function readBody(ctx: ReadContext, node: number): BodyModel {
  const motion: MotionJson = ctx.nodeExt[node]!.motion!;
  const where = nodeLabel(ctx, node);
  const refuse = (why: string): never => {
    throw new BadPhysicsSceneError(`${ctx.fileName}: ${where} ${why}`);
  };
  const world = decompose(ctx.graph.world[node]!);
  if (!world) refuse('has a sheared or zero-scaled world transform; a rigid body needs a rotation and a scale, not a shear');
  const localTrs = ctx.graph.localTrs[node];
  if (!localTrs) refuse('has a sheared matrix, which an animation cannot replace with translation and rotation');
  const { translation, rotation, scale } = world!;
  if (!translation.every((x) => Math.abs(x) <= MAX_POSITION_M)) refuse(`is ${length(translation)} m from the origin; the engine simulates within ${MAX_POSITION_M} m`);

  const linearVelocity = motion.linearVelocity ?? [0, 0, 0];
  const angularVelocity = motion.angularVelocity ?? [0, 0, 0];
  if (length(linearVelocity) > MAX_SPEED_M_PER_S) refuse(`starts at ${length(linearVelocity)} m/s; the engine accepts up to ${MAX_SPEED_M_PER_S} m/s`);
  if (length(angularVelocity) > MAX_ANGULAR_SPEED_RAD_PER_S) refuse(`starts spinning at ${length(angularVelocity)} rad/s; the engine accepts up to ${MAX_ANGULAR_SPEED_RAD_PER_S} rad/s`);
  const gravityFactor = motion.gravityFactor ?? 1;
  if (Math.abs(gravityFactor) > MAX_GRAVITY_FACTOR) refuse(`has gravityFactor ${gravityFactor}; the engine accepts up to ±${MAX_GRAVITY_FACTOR}`);
  if (motion.mass !== undefined && motion.mass > MAX_MASS_KG) refuse(`has a mass of ${motion.mass} kg; the engine accepts up to ${MAX_MASS_KG} kg`);
  if (motion.inertiaOrientation && !motion.inertiaDiagonal) ctx.warnings.push(`${where} gives inertiaOrientation without inertiaDiagonal; it is ignored`);

  return {
    node,
    name: ctx.graph.names[node]!,
    kind: motion.isKinematic ? 'kinematic' : 'dynamic',
    translation,
    rotation,
    linearVelocity,
    angularVelocity,
    gravityFactor,
    mass: motion.mass ?? null,
    // The draft gives the centre of mass in node space: scaled, as the body frame is not.
    centerOfMass: motion.centerOfMass ? [motion.centerOfMass[0] * scale[0], motion.centerOfMass[1] * scale[1], motion.centerOfMass[2] * scale[2]] : null,
    inertia: motion.inertiaDiagonal ? { diagonal: motion.inertiaDiagonal, orientation: quatNormalize((motion.inertiaOrientation ?? [0, 0, 0, 1]) as Quat) } : null,
    colliders: [],
    parent: parentFrame(ctx, node, refuse),
    localScale: localTrs!.scale,
  };
}

/**
 * The parent's frame, relative to the nearest moving ancestor (or the world). It must be a pose
 * times a uniform scale: under a non-uniform one, a turning child would shear, which no local
 * translation and rotation can write.
 */
function parentFrame(ctx: ReadContext, node: number, refuse: (why: string) => never): ParentFrame {
  const parent = ctx.graph.parent[node]!;
  if (parent === -1) return { body: null, translation: [0, 0, 0], rotation: [0, 0, 0, 1], scale: 1 };
  const owner = ctx.ownerBody[parent]!;
  const relative = decompose(owner === -1 ? ctx.graph.world[parent]! : relativeTo(ctx.bodyPose.get(owner)!, ctx.graph.world[parent]!));
  if (!relative || !isUniform(relative.scale)) {
    refuse(`moves under ${nodeLabel(ctx, parent)}, which is scaled non-uniformly or mirrored; its motion could not be written back as an animation: apply the parent's scale in your tool`);
  }
  return { body: owner === -1 ? null : ctx.bodyIndex.get(owner)!, translation: relative!.translation, rotation: relative!.rotation, scale: relative!.scale[0] };
}
