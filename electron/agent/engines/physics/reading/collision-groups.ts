// Owns turning the draft's collision filters into Rapier interaction groups. Rapier's test (any
// common bit, both ways) cannot express the draft's rule for colliders in several systems, so bits
// stand for filters, not systems: each distinct filter gets one bit, and its mask lists the filters
// it collides with by the draft's rule, checked both ways. That is exact for up to 16 filters.
//
// The rule: B accepts A unless B lists collideWithSystems and A is in none of them, or B lists
// notCollideWithSystems and A is in nothing else. The draft's formula reads "A's systems ⊆ B's
// collideWithSystems"; its reference importer (Babylon) and exporter (Blender, where objects
// collide when they share a collection) mean "A shares a system with them", and its Filtering
// sample only works that way (with ⊆, its bodies fall through the ground): we follow them.

import type { z } from 'zod';
import type { physicsDocumentSchema } from './khr-physics-schema.js';
import { BadPhysicsSceneError } from '../physics-errors.js';

type FilterJson = NonNullable<z.infer<typeof physicsDocumentSchema>['collisionFilters']>[number];

/** Rapier's interaction groups are two 16-bit masks. */
export const MAX_COLLISION_FILTERS = 16;

interface Behaviour {
  systems: string[];
  collideWith: string[] | null;
  notCollideWith: string[] | null;
}

const subset = (a: string[], b: string[]): boolean => a.every((x) => b.includes(x));
const shares = (a: string[], b: string[]): boolean => a.some((x) => b.includes(x));

/** Whether B accepts A (one way). A collider in no system is accepted by all but filters that accept only listed systems. */
function doesCollide(a: Behaviour, b: Behaviour): boolean {
  if (a.systems.length === 0) return b.collideWith === null;
  if (b.collideWith && !shares(a.systems, b.collideWith)) return false;
  if (b.notCollideWith && subset(a.systems, b.notCollideWith)) return false;
  return true;
}

/**
 * Interaction groups for each filter index used (null: a collider without a filter).
 * Throws BadPhysicsSceneError when the colliders use more distinct filters than Rapier can keep apart.
 */
export function collisionGroups(filters: FilterJson[], used: (number | null)[], fileName: string): Map<number | null, number> {
  const sorted = (list: string[] | undefined): string[] | null => (list ? [...new Set(list)].sort() : null);
  const behaviourOf = (i: number | null): Behaviour => {
    const f = i === null ? {} : filters[i]!;
    return { systems: sorted(f.collisionSystems) ?? [], collideWith: sorted(f.collideWithSystems), notCollideWith: sorted(f.notCollideWithSystems) };
  };
  // Filters that behave the same share a bit; keyed in first-use order, so bits are the same on every run.
  const classes = new Map<string, Behaviour>();
  const classOf = new Map<number | null, string>();
  for (const i of used) {
    if (classOf.has(i)) continue;
    const behaviour = behaviourOf(i);
    const key = JSON.stringify(behaviour);
    classes.set(key, behaviour);
    classOf.set(i, key);
  }
  if (classes.size > MAX_COLLISION_FILTERS) {
    throw new BadPhysicsSceneError(
      `${fileName}: its colliders use ${classes.size} different collision filters; Rapier can keep at most ${MAX_COLLISION_FILTERS} apart: merge filters that should behave alike`,
    );
  }
  const keys = [...classes.keys()];
  const bits = new Map(keys.map((k, i) => [k, 1 << i]));
  const groups = new Map<number | null, number>();
  for (const [i, key] of classOf) {
    const own = classes.get(key)!;
    let mask = 0;
    for (const other of keys) {
      const theirs = classes.get(other)!;
      if (doesCollide(own, theirs) && doesCollide(theirs, own)) mask |= bits.get(other)!;
    }
    groups.set(i, ((bits.get(key)! << 16) | mask) >>> 0);
  }
  return groups;
}
