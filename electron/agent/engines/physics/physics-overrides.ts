// Owns the changes a wedge variant (or a caller) makes to a scene before step 0: gravity, friction
// and restitution for every collider or one body's, a body's mass and initial velocities. Bodies
// are named by their node's name, or "#<node index>" when names are missing or shared.

import { MAX_ANGULAR_SPEED_RAD_PER_S, MAX_MASS_KG, MAX_SPEED_M_PER_S } from './reading/body-reader.js';
import { BadPhysicsOverrideError } from './physics-errors.js';
import type { BodyModel, PhysicsScene, Vec3 } from './reading/physics-scene.js';
import { MAX_GRAVITY_M_PER_S2, type CheckedPhysicsSettings } from './physics-settings.js';

export interface VectorOverride {
  x?: number;
  y?: number;
  z?: number;
}

export interface BodyOverride {
  friction?: number;
  restitution?: number;
  /** kg, above 0. */
  mass?: number;
  linearVelocity?: VectorOverride;
  angularVelocity?: VectorOverride;
}

export interface PhysicsOverrides {
  gravity?: VectorOverride;
  friction?: number;
  restitution?: number;
  /** Keyed by node name or "#<node index>". */
  bodies?: Record<string, BodyOverride>;
}

/** What a value may be; a variant outside these is refused before any world is built. */
export const MAX_FRICTION = 100;

type Quantity = 'gravity' | 'friction' | 'restitution' | 'mass' | 'velocity' | 'angularVelocity';

/** Throws BadPhysicsOverrideError when `value` is not a sensible `quantity`. */
export function checkOverrideValue(quantity: Quantity, value: number, label: string): void {
  const within = (ok: boolean, range: string): void => {
    if (!Number.isFinite(value) || !ok) throw new BadPhysicsOverrideError(`${label} must be ${range}, not ${value}`);
  };
  if (quantity === 'gravity') within(Math.abs(value) <= MAX_GRAVITY_M_PER_S2, `within ±${MAX_GRAVITY_M_PER_S2} m/s²`);
  else if (quantity === 'friction') within(value >= 0 && value <= MAX_FRICTION, `from 0 to ${MAX_FRICTION}`);
  else if (quantity === 'restitution') within(value >= 0 && value <= 1, 'from 0 to 1 (above 1 a bounce would add energy)');
  else if (quantity === 'mass') within(value > 0 && value <= MAX_MASS_KG, `above 0 and at most ${MAX_MASS_KG} kg`);
  else if (quantity === 'velocity') within(Math.abs(value) <= MAX_SPEED_M_PER_S, `within ±${MAX_SPEED_M_PER_S} m/s`);
  else within(Math.abs(value) <= MAX_ANGULAR_SPEED_RAD_PER_S, `within ±${MAX_ANGULAR_SPEED_RAD_PER_S} rad/s`);
}

/** Each scene's bodies by name and by node, built once: a wedge checks up to 256 names in each of 10,000 variants. */
const bodyIndexes = new WeakMap<PhysicsScene, { byName: Map<string, number[]>; byNode: Map<number, number[]> }>();

function bodyIndex(scene: PhysicsScene): { byName: Map<string, number[]>; byNode: Map<number, number[]> } {
  let index = bodyIndexes.get(scene);
  if (!index) {
    index = { byName: new Map(), byNode: new Map() };
    scene.bodies.forEach((b, i) => {
      index!.byName.set(b.name, [...(index!.byName.get(b.name) ?? []), i]);
      index!.byNode.set(b.node, [...(index!.byNode.get(b.node) ?? []), i]);
    });
    bodyIndexes.set(scene, index);
  }
  return index;
}

/** The body a key names: "#12" is node 12, anything else a node name that must be unique among bodies. */
export function findBody(scene: PhysicsScene, key: string): number {
  const byIndex = /^#(\d+)$/.exec(key);
  const { byName, byNode } = bodyIndex(scene);
  const matches = (byIndex ? byNode.get(Number(byIndex[1])) : byName.get(key)) ?? [];
  if (matches.length === 1) return matches[0]!;
  const names = scene.bodies.slice(0, 20).map((b) => `${b.name} (#${b.node})`).join(', ') + (scene.bodies.length > 20 ? `, and ${scene.bodies.length - 20} more` : '');
  if (matches.length > 1) throw new BadPhysicsOverrideError(`${matches.length} moving bodies are named ${key}; name one by its node index: ${names}`);
  throw new BadPhysicsOverrideError(`the scene has no moving body ${key}; its moving bodies are ${names}`);
}

/**
 * Throws BadPhysicsOverrideError where applyOverrides would, without building the changed scene:
 * a submission checks every variant of a wedge this way (a copy of a large scene per variant would
 * take minutes and gigabytes).
 */
export function checkOverrides(scene: PhysicsScene, overrides: PhysicsOverrides = {}): void {
  const vector = (o: VectorOverride | undefined, quantity: Quantity, label: string): void => {
    for (const axis of ['x', 'y', 'z'] as const) if (o?.[axis] !== undefined) checkOverrideValue(quantity, o[axis], `${label}.${axis}`);
  };
  vector(overrides.gravity, 'gravity', 'gravity');
  if (overrides.friction !== undefined) checkOverrideValue('friction', overrides.friction, 'friction');
  if (overrides.restitution !== undefined) checkOverrideValue('restitution', overrides.restitution, 'restitution');
  for (const [key, o] of Object.entries(overrides.bodies ?? {})) {
    const label = scene.bodies[findBody(scene, key)]!.name;
    if (o.friction !== undefined) checkOverrideValue('friction', o.friction, `${label}.friction`);
    if (o.restitution !== undefined) checkOverrideValue('restitution', o.restitution, `${label}.restitution`);
    if (o.mass !== undefined) checkOverrideValue('mass', o.mass, `${label}.mass`);
    vector(o.linearVelocity, 'velocity', `${label}.linearVelocity`);
    vector(o.angularVelocity, 'angularVelocity', `${label}.angularVelocity`);
  }
}

/** The scene and settings with `overrides` applied; neither input is changed. */
export function applyOverrides(scene: PhysicsScene, settings: CheckedPhysicsSettings, overrides: PhysicsOverrides = {}): { scene: PhysicsScene; settings: CheckedPhysicsSettings } {
  const vector = (base: Vec3, o: VectorOverride | undefined, quantity: Quantity, label: string): Vec3 =>
    (['x', 'y', 'z'] as const).map((axis, i) => {
      const value = o?.[axis];
      if (value === undefined) return base[i]!;
      checkOverrideValue(quantity, value, `${label}.${axis}`);
      return value;
    }) as Vec3;
  const gravity = vector(settings.gravity, overrides.gravity, 'gravity', 'gravity');
  if (overrides.friction !== undefined) checkOverrideValue('friction', overrides.friction, 'friction');
  if (overrides.restitution !== undefined) checkOverrideValue('restitution', overrides.restitution, 'restitution');
  const byBody = new Map<number, BodyOverride>();
  for (const [key, o] of Object.entries(overrides.bodies ?? {})) byBody.set(findBody(scene, key), o);
  const material = <T extends { material: BodyModel['colliders'][number]['material'] }>(c: T, o: BodyOverride | undefined): T => ({
    ...c,
    material: { ...c.material, friction: o?.friction ?? overrides.friction ?? c.material.friction, restitution: o?.restitution ?? overrides.restitution ?? c.material.restitution },
  });
  const bodies = scene.bodies.map((body, i): BodyModel => {
    const o = byBody.get(i);
    const label = `${body.name}`;
    if (o?.friction !== undefined) checkOverrideValue('friction', o.friction, `${label}.friction`);
    if (o?.restitution !== undefined) checkOverrideValue('restitution', o.restitution, `${label}.restitution`);
    if (o?.mass !== undefined) checkOverrideValue('mass', o.mass, `${label}.mass`);
    // Inertia the file states belongs to the file's mass: it grows with a heavier body.
    const inertiaScale = o?.mass !== undefined && body.mass ? o.mass / body.mass : 1;
    return {
      ...body,
      mass: o?.mass ?? body.mass,
      inertia: body.inertia && { ...body.inertia, diagonal: body.inertia.diagonal.map((d) => d * inertiaScale) as Vec3 },
      linearVelocity: vector(body.linearVelocity, o?.linearVelocity, 'velocity', `${label}.linearVelocity`),
      angularVelocity: vector(body.angularVelocity, o?.angularVelocity, 'angularVelocity', `${label}.angularVelocity`),
      colliders: body.colliders.map((c) => material(c, o)),
    };
  });
  return {
    scene: { ...scene, bodies, staticColliders: scene.staticColliders.map((c) => material(c, undefined)) },
    settings: { ...settings, gravity },
  };
}
