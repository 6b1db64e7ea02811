// Owns the checks on raw glTF JSON that the reader library does not make: which extensions we can
// honour, and that every buffer view and accessor stays inside the bytes it points at.

import { GLB_BUFFER, type GLTF } from '@gltf-transform/core';
import { BadSceneError } from './scene-errors.js';

/** Extensions this engine reads itself (from the raw JSON) or that need no special handling. */
export const SUPPORTED_EXTENSIONS = ['KHR_lights_punctual', 'KHR_materials_emissive_strength', 'KHR_mesh_quantization'];

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };

/** Throws BadSceneError for a scene we must not read; returns warnings for what we will ignore. */
export function checkGltfJson(json: GLTF.IGLTF, resources: Record<string, Uint8Array>, fileName: string): string[] {
  const warnings: string[] = [];
  for (const name of json.extensionsRequired ?? []) {
    if (!SUPPORTED_EXTENSIONS.includes(name)) {
      throw new BadSceneError(`${fileName} needs unsupported extension ${name}; export the scene without it`);
    }
  }
  for (const name of json.extensionsUsed ?? []) {
    if (!SUPPORTED_EXTENSIONS.includes(name)) warnings.push(`extension ${name} is not supported and was ignored`);
  }
  const bufferBytes = (json.buffers ?? []).map((b) => {
    const data = b.uri === undefined ? resources[GLB_BUFFER] : resources[b.uri];
    // Data URIs are decoded later by the reader; their declared length is all we can check here.
    return data ? Math.min(data.byteLength, b.byteLength) : b.byteLength;
  });
  const views = json.bufferViews ?? [];
  views.forEach((view, i) => {
    const available = bufferBytes[view.buffer];
    if (available === undefined) throw new BadSceneError(`${fileName}: buffer view ${i} names buffer ${view.buffer}, which does not exist`);
    const end = (view.byteOffset ?? 0) + view.byteLength;
    if (!(end <= available)) {
      throw new BadSceneError(`${fileName}: buffer view ${i} ends at byte ${end} but its buffer has ${available} bytes; the file is damaged`);
    }
  });
  (json.accessors ?? []).forEach((accessor, i) => checkAccessor(accessor, i, views, fileName));
  (json.images ?? []).forEach((image, i) => {
    if (image.bufferView !== undefined && !views[image.bufferView]) {
      throw new BadSceneError(`${fileName}: image ${i} names buffer view ${image.bufferView}, which does not exist`);
    }
  });
  return warnings;
}

function checkAccessor(accessor: GLTF.IAccessor, i: number, views: GLTF.IBufferView[], fileName: string): void {
  const componentBytes = COMPONENT_BYTES[accessor.componentType];
  const components = TYPE_COMPONENTS[accessor.type];
  if (!componentBytes || !components) throw new BadSceneError(`${fileName}: accessor ${i} has an unknown type`);
  if (!Number.isInteger(accessor.count) || accessor.count < 0) throw new BadSceneError(`${fileName}: accessor ${i} has an invalid count`);
  const elementBytes = componentBytes * components;
  if (accessor.sparse) checkSparse(accessor.sparse, accessor.count, elementBytes, i, views, fileName);
  if (accessor.bufferView === undefined) return;
  const view = views[accessor.bufferView];
  if (!view) throw new BadSceneError(`${fileName}: accessor ${i} names buffer view ${accessor.bufferView}, which does not exist`);
  const stride = view.byteStride ?? elementBytes;
  const needed = accessor.count === 0 ? 0 : (accessor.byteOffset ?? 0) + stride * (accessor.count - 1) + elementBytes;
  if (needed > view.byteLength) {
    throw new BadSceneError(`${fileName}: accessor ${i} needs ${needed} bytes but its buffer view has ${view.byteLength}; the file is damaged`);
  }
}

/** The reader loops over sparse.count entries: a count the views cannot back would spin for hours. */
function checkSparse(sparse: GLTF.IAccessorSparse, count: number, elementBytes: number, i: number, views: GLTF.IBufferView[], fileName: string): void {
  const damaged = (why: string): BadSceneError => new BadSceneError(`${fileName}: accessor ${i} ${why}; the file is damaged`);
  if (!Number.isInteger(sparse.count) || sparse.count < 1 || sparse.count > count) throw damaged(`has ${sparse.count} sparse entries for ${count} elements`);
  const indexBytes = COMPONENT_BYTES[sparse.indices?.componentType];
  const fits = (part: { bufferView: number; byteOffset?: number } | undefined, bytesEach: number): boolean => {
    const view = part ? views[part.bufferView] : undefined;
    return !!view && (part!.byteOffset ?? 0) + sparse.count * bytesEach <= view.byteLength;
  };
  if (!indexBytes || !fits(sparse.indices, indexBytes)) throw damaged('has sparse indices outside their buffer view');
  if (!fits(sparse.values, elementBytes)) throw damaged('has sparse values outside their buffer view');
}
