// Owns the checked, engine-ready description of a scene's physics: what the reader makes of the
// glTF and what the world builder turns into Rapier objects. Poses are rigid (no scale: it is
// baked into the shapes); lists are in glTF node order, so building from them is deterministic.

export type Vec3 = [number, number, number];
export type Quat = [number, number, number, number];

export interface Pose {
  translation: Vec3;
  rotation: Quat;
}

export type CombineMode = 'average' | 'minimum' | 'maximum' | 'multiply';

export interface MaterialModel {
  /** Rapier has one Coulomb coefficient: the draft's dynamicFriction (see gltf-physics-reader). */
  friction: number;
  restitution: number;
  frictionCombine: CombineMode | null;
  restitutionCombine: CombineMode | null;
}

/** A shape in its collider's frame, already scaled; Y is the axis of capsules, cylinders and cones, +Y the plane's normal. */
export type ShapeModel =
  | { kind: 'box'; halfExtents: Vec3 }
  | { kind: 'sphere'; radius: number }
  | { kind: 'capsule'; halfHeight: number; radius: number }
  | { kind: 'cylinder'; halfHeight: number; radius: number }
  /** Rapier's cone has its apex at +Y; `apexDown` turns it over. */
  | { kind: 'cone'; halfHeight: number; radius: number; apexDown: boolean }
  | { kind: 'halfspace' }
  | { kind: 'convex'; points: Float32Array }
  | { kind: 'trimesh'; vertices: Float32Array; indices: Uint32Array };

export interface ColliderModel extends Pose {
  /** The glTF node the collider is declared on; its pose is relative to its body (or the world, when static). */
  node: number;
  name: string;
  shape: ShapeModel;
  material: MaterialModel;
  /** Rapier interaction groups: membership in the high 16 bits, filter in the low 16. */
  groups: number;
}

export type MotionKind = 'dynamic' | 'kinematic';

/** Where a body's glTF parent is, so a world pose can be written back as the node's local TRS. */
export interface ParentFrame {
  /** Index into PhysicsScene.bodies of the nearest moving ancestor, or null for the world. */
  body: number | null;
  /** The parent node's pose and uniform scale relative to that body's frame (or the world). */
  translation: Vec3;
  rotation: Quat;
  scale: number;
}

export interface BodyModel extends Pose {
  node: number;
  name: string;
  kind: MotionKind;
  /** World space, like the draft's reference exporter and importer write and read them. */
  linearVelocity: Vec3;
  angularVelocity: Vec3;
  gravityFactor: number;
  /** kg; null: from the colliders' volumes (density 1); 0: infinite, as the draft says. */
  mass: number | null;
  /** Body frame (scaled); null: from the colliders. */
  centerOfMass: Vec3 | null;
  /** Principal moments (0: infinite) and the rotation from their axes to the body frame; null: from the colliders. */
  inertia: { diagonal: Vec3; orientation: Quat } | null;
  colliders: ColliderModel[];
  parent: ParentFrame;
  /** The node's own local scale, written unchanged into its animation. */
  localScale: Vec3;
}

export interface JointMotorModel {
  model: 'force' | 'acceleration';
  targetPosition: number;
  targetVelocity: number;
  stiffness: number;
  damping: number;
  /** Newtons (or N·m); Infinity when the file gives none. */
  maxForce: number;
}

/**
 * A joint Rapier can express: `generic` locks some of the six axes of frame A against frame B;
 * `revolute` and `prismatic` leave the X axis of their (re-based) frames free, maybe limited and driven.
 */
export interface JointModel {
  node: number;
  name: string;
  /** Indices into PhysicsScene.bodies; null is the world. */
  bodyA: number | null;
  bodyB: number | null;
  frameA: Pose;
  frameB: Pose;
  kind: 'generic' | 'revolute' | 'prismatic';
  /** Rapier JointAxesMask bits (generic joints). */
  lockedAxes: number;
  limits: [number, number] | null;
  motor: JointMotorModel | null;
  contactsEnabled: boolean;
}

export interface PhysicsScene {
  fileName: string;
  /** Moving bodies in glTF node order: their index here is their index in keyframes and summaries. */
  bodies: BodyModel[];
  staticColliders: ColliderModel[];
  joints: JointModel[];
  /** What the engine honours differently from the file, or ignores; one line each. */
  warnings: string[];
}
