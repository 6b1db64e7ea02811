// Owns building a Rapier world from a PhysicsScene at step 0. Everything is inserted in one fixed
// order (static colliders, then bodies with their colliders, then joints, each in glTF node
// order), so the same scene gives the same handles and the same bits on every machine.

import type { Collider, ColliderDesc, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { BodyModel, ColliderModel, JointModel, PhysicsScene, Quat, ShapeModel, Vec3 } from '../reading/physics-scene.js';
import type { CheckedPhysicsSettings } from '../physics-settings.js';
import type { Rapier } from './rapier-loader.js';
import { quatMultiply } from '../reading/trs-math.js';

export interface BuiltWorld {
  world: World;
  /** Rapier handles of PhysicsScene.bodies, in order. */
  bodyHandles: number[];
}

const v = (a: Vec3): { x: number; y: number; z: number } => ({ x: a[0], y: a[1], z: a[2] });
const q = (a: Quat): { x: number; y: number; z: number; w: number } => ({ x: a[0], y: a[1], z: a[2], w: a[3] });
/** Half a turn about X: turns Rapier's cone (apex at +Y) apex down. */
const FLIP: Quat = [1, 0, 0, 0];

export function buildWorld(R: Rapier, scene: PhysicsScene, settings: CheckedPhysicsSettings): BuiltWorld {
  const world = new R.World(v(settings.gravity));
  world.timestep = settings.dtSeconds / settings.substeps;
  try {
    for (const c of scene.staticColliders) addCollider(R, world, scene, c, null);
    const bodies = scene.bodies.map((b) => addBody(R, world, scene, b));
    let anchor: RigidBody | null = null;
    // Joints to the world hang from one fixed body at the origin, created last so no body's handle depends on it.
    const bodyOf = (i: number | null): RigidBody => (i === null ? (anchor ??= world.createRigidBody(R.RigidBodyDesc.fixed())) : bodies[i]!);
    for (const j of scene.joints) addJoint(R, world, j, bodyOf(j.bodyA), bodyOf(j.bodyB));
    return { world, bodyHandles: bodies.map((b) => b.handle) };
  } catch (err) {
    world.free();
    throw err;
  }
}

function addBody(R: Rapier, world: World, scene: PhysicsScene, body: BodyModel): RigidBody {
  const desc = (body.kind === 'kinematic' ? R.RigidBodyDesc.kinematicVelocityBased() : R.RigidBodyDesc.dynamic())
    .setTranslation(...body.translation)
    .setRotation(q(body.rotation))
    .setLinvel(...body.linearVelocity)
    .setAngvel(v(body.angularVelocity))
    .setGravityScale(body.gravityFactor);
  const rb = world.createRigidBody(desc);
  const colliders = body.colliders.map((c) => addCollider(R, world, scene, c, rb));
  if (body.kind === 'dynamic' && (body.mass !== null || body.centerOfMass || body.inertia)) setMassProperties(rb, colliders, body);
  return rb;
}

/**
 * What the file states wins; the rest comes from the colliders (density 1): a stated mass scales
 * the colliders' inertia with it. The colliders then weigh nothing, so Rapier keeps exactly these.
 */
function setMassProperties(rb: RigidBody, colliders: Collider[], body: BodyModel): void {
  rb.recomputeMassPropertiesFromColliders();
  const fromShapes = rb.mass();
  const mass = body.mass ?? fromShapes;
  const ratio = fromShapes > 0 ? mass / fromShapes : 0;
  const inertia = rb.principalInertia();
  const diagonal = body.inertia?.diagonal ?? [inertia.x * ratio, inertia.y * ratio, inertia.z * ratio];
  const frame = body.inertia ? q(body.inertia.orientation) : rb.principalInertiaLocalFrame();
  const com = body.centerOfMass ? v(body.centerOfMass) : rb.localCom();
  for (const c of colliders) c.setDensity(0);
  // Rapier reads a mass or moment of 0 as infinite, as the draft does.
  rb.setAdditionalMassProperties(mass, com, v(diagonal), frame, false);
}

function addCollider(R: Rapier, world: World, scene: PhysicsScene, c: ColliderModel, parent: RigidBody | null): Collider {
  const rule = { average: R.CoefficientCombineRule.Average, minimum: R.CoefficientCombineRule.Min, maximum: R.CoefficientCombineRule.Max, multiply: R.CoefficientCombineRule.Multiply };
  const rotation = c.shape.kind === 'cone' && c.shape.apexDown ? quatMultiply(c.rotation, FLIP) : c.rotation;
  const desc = shapeDesc(R, c.shape, `${scene.fileName}: node ${c.name}'s collider`)
    .setTranslation(...c.translation)
    .setRotation(q(rotation))
    .setFriction(c.material.friction)
    .setRestitution(c.material.restitution)
    .setFrictionCombineRule(rule[c.material.frictionCombine ?? 'average'])
    .setRestitutionCombineRule(rule[c.material.restitutionCombine ?? 'average'])
    .setCollisionGroups(c.groups)
    // Events only report contacts (for the summary); they change nothing in the dynamics.
    .setActiveEvents(R.ActiveEvents.COLLISION_EVENTS);
  return parent ? world.createCollider(desc, parent) : world.createCollider(desc);
}

function shapeDesc(R: Rapier, shape: ShapeModel, where: string): ColliderDesc {
  switch (shape.kind) {
    case 'box':
      return R.ColliderDesc.cuboid(...shape.halfExtents);
    case 'sphere':
      return R.ColliderDesc.ball(shape.radius);
    case 'capsule':
      return R.ColliderDesc.capsule(shape.halfHeight, shape.radius);
    case 'cylinder':
      return R.ColliderDesc.cylinder(shape.halfHeight, shape.radius);
    case 'cone':
      return R.ColliderDesc.cone(shape.halfHeight, shape.radius);
    case 'halfspace':
      // No factory for it in the JS API: a ColliderDesc of the shape does the same.
      return new R.ColliderDesc(new R.HalfSpace({ x: 0, y: 1, z: 0 }));
    case 'convex': {
      const desc = R.ColliderDesc.convexHull(shape.points);
      if (!desc) throw new BadPhysicsSceneError(`${where}: its points are flat or all in one place, so they have no convex hull; use a mesh with volume`);
      return desc;
    }
    case 'trimesh':
      return R.ColliderDesc.trimesh(shape.vertices, shape.indices);
  }
}

function addJoint(R: Rapier, world: World, j: JointModel, a: RigidBody, b: RigidBody): void {
  const origin = { x: 0, y: 0, z: 0 };
  const x = { x: 1, y: 0, z: 0 };
  const data =
    j.kind === 'revolute' ? R.JointData.revolute(origin, origin, x) : j.kind === 'prismatic' ? R.JointData.prismatic(origin, origin, x) : R.JointData.generic(origin, origin, x, j.lockedAxes);
  const joint = world.createImpulseJoint(data, a, b, true);
  // The draft's frames are whole poses; Rapier's constructors take anchors and an axis, so set the frames after.
  joint.setLocalFrame1(v(j.frameA.translation), q(j.frameA.rotation));
  joint.setLocalFrame2(v(j.frameB.translation), q(j.frameB.rotation));
  joint.setContactsEnabled(j.contactsEnabled);
  if (j.kind === 'generic') return;
  const unit = joint as InstanceType<Rapier['RevoluteImpulseJoint']>;
  if (j.limits) unit.setLimits(j.limits[0], j.limits[1]);
  if (j.motor) {
    unit.configureMotorModel(j.motor.model === 'force' ? R.MotorModel.ForceBased : R.MotorModel.AccelerationBased);
    unit.configureMotor(j.motor.targetPosition, j.motor.targetVelocity, j.motor.stiffness, j.motor.damping);
    if (Number.isFinite(j.motor.maxForce)) unit.setMotorMaxForce(j.motor.maxForce);
  }
}
