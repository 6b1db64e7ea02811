// Owns checking the core glTF skeleton before @gltf-transform/core reads it: each top-level list
// is a list of objects, and every index a reader follows (a node's mesh, a primitive's accessors,
// an animation's samplers...) names something that exists. The reader trusts these and would
// fail with its own internals' words ("Cannot read properties of undefined"); we say which.

import type { GLTF } from '@gltf-transform/core';
import { BadPhysicsSceneError } from '../physics-errors.js';

const LISTS = ['accessors', 'animations', 'buffers', 'bufferViews', 'cameras', 'images', 'materials', 'meshes', 'nodes', 'samplers', 'scenes', 'skins', 'textures'] as const;
type List = (typeof LISTS)[number];

/** Where each list's items point: a path inside an item (`*` for every element) and the list it indexes. */
const REFERENCES: Partial<Record<List, [string, List][]>> = {
  accessors: [
    ['bufferView', 'bufferViews'],
    ['sparse.indices.bufferView', 'bufferViews'],
    ['sparse.values.bufferView', 'bufferViews'],
  ],
  animations: [
    ['channels.*.sampler', 'animations'],
    ['channels.*.target.node', 'nodes'],
    ['samplers.*.input', 'accessors'],
    ['samplers.*.output', 'accessors'],
  ],
  bufferViews: [['buffer', 'buffers']],
  images: [['bufferView', 'bufferViews']],
  materials: [
    ['pbrMetallicRoughness.baseColorTexture.index', 'textures'],
    ['pbrMetallicRoughness.metallicRoughnessTexture.index', 'textures'],
    ['normalTexture.index', 'textures'],
    ['occlusionTexture.index', 'textures'],
    ['emissiveTexture.index', 'textures'],
  ],
  meshes: [
    ['primitives.*.attributes.*', 'accessors'],
    ['primitives.*.indices', 'accessors'],
    ['primitives.*.material', 'materials'],
    ['primitives.*.targets.*.*', 'accessors'],
  ],
  nodes: [
    ['children.*', 'nodes'],
    ['mesh', 'meshes'],
    ['skin', 'skins'],
    ['camera', 'cameras'],
  ],
  scenes: [['nodes.*', 'nodes']],
  skins: [
    ['joints.*', 'nodes'],
    ['inverseBindMatrices', 'accessors'],
    ['skeleton', 'nodes'],
  ],
  textures: [
    ['source', 'images'],
    ['sampler', 'samplers'],
  ],
};

export function checkGltfStructure(json: GLTF.IGLTF, fileName: string): void {
  const root = json as unknown as Record<string, unknown>;
  const damaged = (what: string): BadPhysicsSceneError => new BadPhysicsSceneError(`${fileName}: ${what}; the file is damaged`);
  for (const key of ['extensionsUsed', 'extensionsRequired']) {
    const value = root[key];
    if (value !== undefined && !(Array.isArray(value) && value.every((e) => typeof e === 'string'))) throw damaged(`${key} is not a list of names`);
  }
  for (const list of LISTS) {
    const value = root[list];
    if (value === undefined) continue;
    if (!Array.isArray(value)) throw damaged(`${list} is not a list`);
    value.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw damaged(`${list}[${i}] is not an object`);
    });
  }
  const nested = [['meshes', 'primitives'], ['animations', 'channels'], ['animations', 'samplers'], ['skins', 'joints'], ['nodes', 'children'], ['scenes', 'nodes']] as const;
  for (const [list, lists] of nested) {
    ((root[list] ?? []) as Record<string, unknown>[]).forEach((item, i) => {
      if (item[lists] !== undefined && !Array.isArray(item[lists])) throw damaged(`${list}[${i}].${lists} is not a list`);
    });
  }
  for (const [list, references] of Object.entries(REFERENCES) as [List, [string, List][]][]) {
    ((root[list] ?? []) as Record<string, unknown>[]).forEach((item, i) => {
      for (const [path, target] of references) {
        // An animation channel's sampler indexes the samplers of its own animation.
        const targets = list === 'animations' && target === 'animations' ? item.samplers : root[target];
        const length = Array.isArray(targets) ? targets.length : 0;
        for (const { at, value } of follow(item, path.split('.'), `${list}[${i}]`)) {
          if (value === undefined) continue;
          if (!Number.isInteger(value) || (value as number) < 0) throw damaged(`${at} is not an index`);
          if ((value as number) >= length) throw damaged(`${at} names ${target === 'animations' ? 'sampler' : target.replace(/s$/, '')} ${String(value)}, which does not exist`);
        }
      }
    });
  }
}

/** The values at `path` under `value`, `*` standing for every element or property. */
function* follow(value: unknown, path: string[], at: string): Generator<{ at: string; value: unknown }> {
  if (path.length === 0) {
    yield { at, value };
    return;
  }
  if (typeof value !== 'object' || value === null) {
    if (value !== undefined) yield { at, value: NaN };
    return;
  }
  const [head, ...rest] = path as [string, ...string[]];
  const keys = head === '*' ? Object.keys(value) : [head];
  for (const key of keys) yield* follow((value as Record<string, unknown>)[key], rest, `${at}.${key}`);
}
