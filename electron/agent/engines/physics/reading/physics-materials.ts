// Owns turning the draft's physics materials into what a Rapier collider carries, and saying
// where Rapier must differ. Rapier has one friction coefficient (the draft has static and
// dynamic) and resolves two different combine rules by its own precedence (max > multiply > min
// > average), where the draft says average > minimum > maximum > multiply.

import type { PhysicsDocumentJson } from './khr-physics-schema.js';
import type { CombineMode, MaterialModel } from './physics-scene.js';

/** The draft schema's defaults, also used for colliders without a material. */
export const DEFAULT_FRICTION = 0.6;
export const DEFAULT_RESTITUTION = 0;

type MaterialJson = NonNullable<PhysicsDocumentJson['physicsMaterials']>[number];

const DRAFT_PRECEDENCE: CombineMode[] = ['average', 'minimum', 'maximum', 'multiply'];
const RAPIER_PRECEDENCE: CombineMode[] = ['maximum', 'multiply', 'minimum', 'average'];

export function materialModel(json: MaterialJson | undefined): MaterialModel {
  return {
    // Rapier's single coefficient acts while sliding as well as at rest; sliding is what most scenes show.
    friction: json?.dynamicFriction ?? json?.staticFriction ?? DEFAULT_FRICTION,
    restitution: json?.restitution ?? DEFAULT_RESTITUTION,
    frictionCombine: json?.frictionCombine ?? null,
    restitutionCombine: json?.restitutionCombine ?? null,
  };
}

/** Warnings for the materials actually used: two friction values, and combine rules Rapier resolves differently. */
export function materialWarnings(materials: MaterialJson[], used: Set<number>): string[] {
  const warnings: string[] = [];
  for (const i of [...used].sort((a, b) => a - b)) {
    const m = materials[i]!;
    if (m.staticFriction !== undefined && m.dynamicFriction !== undefined && m.staticFriction !== m.dynamicFriction) {
      warnings.push(`physics material ${i} has staticFriction ${m.staticFriction} and dynamicFriction ${m.dynamicFriction}; Rapier has one friction, so ${m.dynamicFriction} is used for both`);
    }
  }
  for (const property of ['frictionCombine', 'restitutionCombine'] as const) {
    const modes = new Set([...used].map((i) => materials[i]![property]).filter((m): m is CombineMode => m !== undefined));
    for (const a of modes) {
      for (const b of modes) {
        if (a >= b) continue;
        const draft = DRAFT_PRECEDENCE.find((m) => m === a || m === b)!;
        const rapier = RAPIER_PRECEDENCE.find((m) => m === a || m === b)!;
        if (draft !== rapier) warnings.push(`materials use ${property} "${a}" and "${b}": where two of them touch, Rapier combines by "${rapier}", the draft says "${draft}"`);
      }
    }
  }
  return warnings;
}
