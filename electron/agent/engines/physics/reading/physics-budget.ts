// Owns how much memory reading a physics scene may take, estimated from what the file declares
// before anything is allocated, as the renderer does (§12.4): the files, each accessor the glTF
// reader copies (one without a buffer view is allocated zero-filled at its declared count: a
// 300-byte .gltf can declare gigabytes), data URIs decoded, and then the collision geometry, per
// collider that uses it: a mesh shared by ten thousand colliders is ten thousand copies, in our
// arrays and in Rapier's WebAssembly memory (which no thread limit bounds). Over the budget, the
// scene is refused with `bad-scene`, naming what is too large.

import type { GLTF } from '@gltf-transform/core';
import { DEFAULT_SCENE_BUDGET_BYTES } from '../../builtin-render/render-limits.js';
import { formatBytes } from '../../format-bytes.js';
import { BadPhysicsSceneError } from '../physics-errors.js';

/** The most memory one physics scene may need on this machine (the renderer's scene budget). */
export const PHYSICS_SCENE_BUDGET_BYTES = DEFAULT_SCENE_BUDGET_BYTES;
/** What the reader keeps per glTF object (node, mesh, primitive, accessor...) and per node of the graph: generous. */
export const BYTES_PER_OBJECT = 2048;
/** Per collision vertex, every copy: read as doubles, scaled to float32, Rapier's, and the snapshot's. */
export const COLLISION_BYTES_PER_VERTEX = 64;
/** Per collision triangle: its indices (ours, Rapier's, the snapshot's) and Rapier's BVH over it. */
export const COLLISION_BYTES_PER_TRIANGLE = 192;
/** Walking a node for a `geometry.node` shape: a matrix and a stack entry. */
export const BYTES_PER_NODE_VISIT = 256;
/** A physics thread before any scene: its isolate and heap, Rapier's code and WebAssembly memory (about 300 MiB measured under vitest). */
export const THREAD_BASE_BYTES = 2 ** 30;
/**
 * Contacts, per moving body: what Rapier keeps for the pairs it touches. Measured 33 KiB a body in
 * a settling pile of 4,000 boxes (2026-11-29); bodies piled into one another make every pair a
 * contact (1,500 boxes at one point: 3 GiB after 3 steps), which this bound stops.
 */
export const CONTACT_BYTES_PER_BODY = 128 * 1024;
/** A world's snapshot, per body and per collider besides its shapes' geometry. Measured 7-8 KiB a body in piles of 1,000 and 4,000 boxes. */
export const SNAPSHOT_BYTES_PER_BODY = 64 * 1024;
export const SNAPSHOT_BYTES_PER_COLLIDER = 8 * 1024;
/** Copies of a run's keyframes held at once while its .glb is written (the poses, the tracks, the file as built and as packed). */
export const KEYFRAME_COPIES = 5;

/** The most a world's snapshot of this scene can take: its geometry (counted in the estimate), its bodies and colliders, their contacts. */
export function maxSnapshotBytes(estimatedBytes: number, bodies: number, colliders: number): number {
  return 16 * 2 ** 20 + estimatedBytes + bodies * SNAPSHOT_BYTES_PER_BODY + colliders * SNAPSHOT_BYTES_PER_COLLIDER;
}

type SceneCounts = { bodies: { colliders: unknown[] }[]; staticColliders: unknown[] };

/** Every collider of a scene, on bodies and static. */
export function colliderCount(scene: SceneCounts): number {
  return scene.staticColliders.length + scene.bodies.reduce((n, b) => n + b.colliders.length, 0);
}

/** maxSnapshotBytes of a scene as read (a variant's overrides change no body or collider). */
export function sceneSnapshotBytes(estimatedBytes: number, scene: SceneCounts): number {
  return maxSnapshotBytes(estimatedBytes, scene.bodies.length, colliderCount(scene));
}

/** The most memory a physics thread may take for one task, beyond what it held before: past it, the task is stopped. */
export function taskMemoryBytes(estimatedBytes: number, bodies: number, colliders: number, keyframeBytes: number, restores: boolean): number {
  const snapshot = restores ? 2 * maxSnapshotBytes(estimatedBytes, bodies, colliders) : 0; // the file's bytes, and Rapier's copy
  return THREAD_BASE_BYTES + estimatedBytes + keyframeBytes * KEYFRAME_COPIES + snapshot + bodies * CONTACT_BYTES_PER_BODY;
}

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

/** A running estimate of a scene's memory, refused the moment it passes the budget. */
export class PhysicsBudget {
  constructor(
    private readonly fileName: string,
    readonly limitBytes: number,
    private usedBytes = 0,
  ) {}

  get used(): number {
    return this.usedBytes;
  }

  /** Counts `bytes` more; throws BadPhysicsSceneError (naming `what`) past the budget, before the caller allocates them. */
  charge(bytes: number, what: () => string): void {
    this.usedBytes += bytes;
    if (!(this.usedBytes <= this.limitBytes)) {
      throw new BadPhysicsSceneError(
        `${this.fileName} needs more than the ${formatBytes(this.limitBytes)} a physics scene may use on this machine (${what()}); make the scene smaller`,
      );
    }
  }
}

/**
 * What reading the scene's glTF costs before any physics is read: the files, data URIs decoded,
 * each accessor's copy, and the objects. Throws BadPhysicsSceneError over `limitBytes`, naming the
 * largest accessor. Runs after the structure checks (types and counts are known to be sound).
 */
export function readBudget(json: GLTF.IGLTF, resources: Record<string, Uint8Array>, fileName: string, limitBytes = PHYSICS_SCENE_BUDGET_BYTES): PhysicsBudget {
  const budget = new PhysicsBudget(fileName, limitBytes);
  const fileBytes = Object.values(resources).reduce((n, r) => n + r.byteLength, 0);
  budget.charge(fileBytes, () => `its files take ${formatBytes(fileBytes)}`);
  for (const [i, item] of [...(json.buffers ?? []), ...(json.images ?? [])].entries()) {
    const uri = item.uri;
    if (typeof uri === 'string' && uri.startsWith('data:')) budget.charge(Math.ceil(uri.length * 0.75), () => `data URI ${i} decodes to ${formatBytes(uri.length * 0.75)}`);
  }
  (json.accessors ?? []).forEach((accessor, i) => {
    const element = (TYPE_COMPONENTS[accessor.type] ?? 16) * (COMPONENT_BYTES[accessor.componentType] ?? 4);
    // A sparse accessor is read whole, then its values are written over it.
    const bytes = accessor.count * element + (accessor.sparse ? accessor.sparse.count * (element + 4) : 0);
    budget.charge(bytes, () => `accessor ${i}${accessor.name ? ` (${accessor.name})` : ''} declares ${accessor.count} ${accessor.type} elements, ${formatBytes(bytes)} once read`);
  });
  const objects =
    (json.nodes?.length ?? 0) + (json.meshes?.length ?? 0) + (json.meshes ?? []).reduce((n, m) => n + (m.primitives?.length ?? 0), 0) + (json.accessors?.length ?? 0) +
    (json.bufferViews?.length ?? 0) + (json.materials?.length ?? 0) + (json.textures?.length ?? 0) + (json.images?.length ?? 0) + (json.skins?.length ?? 0) +
    (json.animations ?? []).reduce((n, a) => n + (a.channels?.length ?? 0) + (a.samplers?.length ?? 0), 0);
  budget.charge(objects * BYTES_PER_OBJECT, () => `${objects} glTF objects`);
  return budget;
}
