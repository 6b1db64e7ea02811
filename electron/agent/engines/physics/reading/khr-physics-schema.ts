// Owns the shape of the Khronos physics drafts' JSON as we accept it: KHR_physics_rigid_bodies
// (document and node level), KHR_implicit_shapes and its older name KHR_collision_shapes. Field
// names follow the drafts' JSON schemas (github.com/eoineoineoin/glTF_Physics, 2025-10); what
// the schemas leave open (an unknown shape `type`) is refused later, by name, not here.

import { z } from 'zod';
import { BadPhysicsSceneError } from '../physics-errors.js';

const index = z.number().int().nonnegative();
const vec3 = z.tuple([z.number(), z.number(), z.number()]);
const quat = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const combine = z.enum(['average', 'minimum', 'maximum', 'multiply']);
const axes = z
  .array(z.number().int().min(0).max(2))
  .min(1)
  .max(3)
  .refine((a) => new Set(a).size === a.length, 'lists an axis twice');

const material = z.object({
  staticFriction: z.number().min(0).optional(),
  dynamicFriction: z.number().min(0).optional(),
  restitution: z.number().min(0).optional(),
  frictionCombine: combine.optional(),
  restitutionCombine: combine.optional(),
});

const filter = z
  .object({
    collisionSystems: z.array(z.string()).optional(),
    collideWithSystems: z.array(z.string()).optional(),
    notCollideWithSystems: z.array(z.string()).optional(),
  })
  .refine((f) => !(f.collideWithSystems && f.notCollideWithSystems), 'has both collideWithSystems and notCollideWithSystems');

const limit = z
  .object({
    min: z.number().optional(),
    max: z.number().optional(),
    stiffness: z.number().min(0).optional(),
    damping: z.number().min(0).optional(),
    linearAxes: axes.optional(),
    angularAxes: axes.optional(),
  })
  .refine((l) => (l.linearAxes === undefined) !== (l.angularAxes === undefined), 'needs exactly one of linearAxes and angularAxes')
  .refine((l) => l.min === undefined || l.max === undefined || l.min <= l.max, 'has min above max');

const drive = z.object({
  type: z.enum(['linear', 'angular']),
  mode: z.enum(['force', 'acceleration']),
  axis: z.number().int().min(0).max(2),
  maxForce: z.number().min(0).optional(),
  positionTarget: z.number().optional(),
  velocityTarget: z.number().optional(),
  stiffness: z.number().min(0).optional(),
  damping: z.number().min(0).optional(),
});

export const physicsDocumentSchema = z.object({
  physicsMaterials: z.array(material).optional(),
  collisionFilters: z.array(filter).optional(),
  physicsJoints: z.array(z.object({ limits: z.array(limit).optional(), drives: z.array(drive).optional() })).optional(),
});

/** `geometry` of the 2024+ drafts: an implicit shape, or a node's meshes (or, newest, a mesh) maybe as a convex hull. */
const geometry = z
  .object({ shape: index.optional(), node: index.optional(), mesh: index.optional(), convexHull: z.boolean().optional() })
  .refine((g) => [g.shape, g.node, g.mesh].filter((v) => v !== undefined).length === 1, 'needs exactly one of shape, node and mesh');

const collider = z
  .object({
    geometry: geometry.optional(),
    /** The older KHR_collision_shapes drafts: an index into those shapes, no `geometry`. */
    shape: index.optional(),
    physicsMaterial: index.optional(),
    collisionFilter: index.optional(),
  })
  .refine((c) => (c.geometry === undefined) !== (c.shape === undefined), 'needs a geometry');

const motion = z.object({
  isKinematic: z.boolean().optional(),
  // The draft's text makes 0 mean infinite (JSON has no Infinity); its schema says > 0. We take the text.
  mass: z.number().min(0).optional(),
  centerOfMass: vec3.optional(),
  inertiaDiagonal: z.tuple([z.number().min(0), z.number().min(0), z.number().min(0)]).optional(),
  inertiaOrientation: quat.optional(),
  linearVelocity: vec3.optional(),
  angularVelocity: vec3.optional(),
  gravityFactor: z.number().optional(),
});

export const physicsNodeSchema = z.object({
  motion: motion.optional(),
  collider: collider.optional(),
  trigger: z.unknown().optional(),
  joint: z.object({ connectedNode: index, joint: index, enableCollision: z.boolean().optional() }).optional(),
});

const positive = z.number().positive();
const shape = z.object({
  type: z.string(),
  sphere: z.object({ radius: positive.optional() }).optional(),
  box: z.object({ size: z.tuple([positive, positive, positive]).optional() }).optional(),
  capsule: z.object({ height: positive.optional(), radiusTop: z.number().min(0).optional(), radiusBottom: z.number().min(0).optional() }).optional(),
  cylinder: z.object({ height: positive.optional(), radiusTop: z.number().min(0).optional(), radiusBottom: z.number().min(0).optional() }).optional(),
  plane: z.object({ doubleSided: z.boolean().optional(), sizeX: positive.optional(), sizeZ: positive.optional() }).optional(),
  /** KHR_collision_shapes only: a mesh, its convex-hull flag in the shape's own KHR_physics_rigid_bodies extension. */
  mesh: z.object({ mesh: index, convexHull: z.boolean().optional() }).optional(),
  extensions: z.object({ KHR_physics_rigid_bodies: z.object({ convexHull: z.boolean().optional() }).optional() }).optional(),
});

export const shapesSchema = z.object({ shapes: z.array(shape) });

export type PhysicsDocumentJson = z.infer<typeof physicsDocumentSchema>;
export type PhysicsNodeJson = z.infer<typeof physicsNodeSchema>;
export type ShapeJson = z.infer<typeof shape>;
export type MotionJson = z.infer<typeof motion>;
export type JointLimitJson = z.infer<typeof limit>;
export type JointDriveJson = z.infer<typeof drive>;

/** Parses `value` or throws BadPhysicsSceneError naming where (a JSON path) and what is wrong. */
export function parseExtension<T>(schema: z.ZodType<T>, value: unknown, where: string, fileName: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [where, ...issue.path.map(String)].join('.');
  throw new BadPhysicsSceneError(`${fileName}: ${path} is malformed (${issue.message}); fix or re-export the scene's physics`);
}
