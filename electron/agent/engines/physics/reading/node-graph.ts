// Owns the glTF node hierarchy as the physics reader needs it, from the raw JSON: each node's
// parent, local and world matrices, and whether the default scene shows it. Everything is checked
// here (indices, cycles, numbers), so the rest of the reader can trust it.

import type { GLTF } from '@gltf-transform/core';
import { BadPhysicsSceneError } from '../physics-errors.js';
import type { Quat, Vec3 } from './physics-scene.js';
import { composeTrs, decompose, multiply, quatNormalize, type Decomposed, type Mat4 } from './trs-math.js';

export interface NodeGraph {
  count: number;
  names: string[];
  /** -1 for a root. */
  parent: Int32Array;
  children: number[][];
  local: Mat4[];
  world: Mat4[];
  /** Reachable from the default scene's roots: only these are simulated. */
  inScene: boolean[];
  /** The node's own translation, rotation and scale (a `matrix` node's, decomposed); null when its matrix is sheared. */
  localTrs: (Decomposed | null)[];
}

export function buildNodeGraph(json: GLTF.IGLTF, fileName: string): NodeGraph {
  const nodes = Array.isArray(json.nodes) ? json.nodes : [];
  const count = nodes.length;
  const bad = (i: number, why: string): BadPhysicsSceneError => new BadPhysicsSceneError(`${fileName}: node ${i} ${why}; the file is damaged`);
  const parent = new Int32Array(count).fill(-1);
  const children: number[][] = nodes.map((node, i) => {
    const list: unknown = node?.children ?? [];
    if (!Array.isArray(list)) throw bad(i, 'has children that are not a list');
    return list.map((c: unknown) => {
      if (!Number.isInteger(c) || (c as number) < 0 || (c as number) >= count) throw bad(i, `names child ${String(c)}, which does not exist`);
      if (parent[c as number] !== -1 || c === i) throw bad(c as number, 'has more than one parent');
      parent[c as number] = i;
      return c as number;
    });
  });
  const localTrs: (Decomposed | null)[] = [];
  const local = nodes.map((node, i) => {
    const m = localMatrix(node ?? {}, (why) => bad(i, why));
    localTrs.push(node?.matrix ? decompose(m) : trsOf(node ?? {}));
    return m;
  });
  const world: Mat4[] = new Array(count);
  // Iterative: a scene with a chain of thousands of nodes must not overflow the stack.
  const stack: number[] = [];
  for (let i = 0; i < count; i++) if (parent[i] === -1) stack.push(i);
  let placed = 0;
  while (stack.length > 0) {
    const i = stack.pop()!;
    const p = parent[i]!;
    world[i] = p === -1 ? local[i]! : multiply(world[p]!, local[i]!);
    placed++;
    stack.push(...children[i]!);
  }
  if (placed < count) throw bad(world.findIndex((m, i) => i < count && m === undefined), 'is its own ancestor');

  const inScene = new Array<boolean>(count).fill(false);
  const sceneIndex = json.scene ?? 0;
  const scene = Array.isArray(json.scenes) ? json.scenes[sceneIndex] : undefined;
  if (!scene || !Array.isArray(scene.nodes ?? [])) throw new BadPhysicsSceneError(`${fileName} has no scene ${sceneIndex} to simulate`);
  for (const root of scene.nodes ?? []) {
    if (!Number.isInteger(root) || root < 0 || root >= count) throw new BadPhysicsSceneError(`${fileName}: scene ${sceneIndex} names node ${root}, which does not exist`);
    const open = [root];
    while (open.length > 0) {
      const i = open.pop()!;
      inScene[i] = true;
      open.push(...children[i]!);
    }
  }
  const names = nodes.map((n, i) => (typeof n?.name === 'string' && n.name !== '' ? n.name : `#${i}`)); // as overrides name a body without a name; messages say "node #3"
  return { count, names, parent, children, local, world, inScene, localTrs };
}

function numbers(value: unknown, length: number): number[] | null {
  if (!Array.isArray(value) || value.length !== length) return null;
  return value.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (value as number[]) : null;
}

function localMatrix(node: GLTF.INode, bad: (why: string) => Error): Mat4 {
  if (node.matrix !== undefined) {
    const m = numbers(node.matrix, 16);
    if (!m) throw bad('has a matrix that is not 16 finite numbers');
    return Float64Array.from(m);
  }
  const { translation, rotation, scale } = trsValues(node, bad);
  return composeTrs(translation, rotation, scale);
}

function trsValues(node: GLTF.INode, bad: (why: string) => Error): { translation: Vec3; rotation: Quat; scale: Vec3 } {
  const t = node.translation === undefined ? [0, 0, 0] : numbers(node.translation, 3);
  const r = node.rotation === undefined ? [0, 0, 0, 1] : numbers(node.rotation, 4);
  const s = node.scale === undefined ? [1, 1, 1] : numbers(node.scale, 3);
  if (!t) throw bad('has a translation that is not 3 finite numbers');
  if (!r) throw bad('has a rotation that is not 4 finite numbers');
  if (!s) throw bad('has a scale that is not 3 finite numbers');
  return { translation: t as Vec3, rotation: quatNormalize(r as Quat), scale: s as Vec3 };
}

function trsOf(node: GLTF.INode): Decomposed {
  const { translation, rotation, scale } = trsValues(node, (why) => new Error(why));
  return { translation, rotation, scale };
}

/** The node itself, then its parent, and so on to the root. */
export function* ancestorsOrSelf(graph: NodeGraph, node: number): Generator<number> {
  for (let i = node; i !== -1; i = graph.parent[i]!) yield i;
}
