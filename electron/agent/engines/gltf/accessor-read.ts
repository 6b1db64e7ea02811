// Owns getting glTF accessor data out as plain floats, whatever its storage type.

import type { Accessor } from '@gltf-transform/core';

/** Flattens an accessor to `size` floats per element, applying `normalized` (KHR_mesh_quantization). */
export function readFloats(accessor: Accessor, size: number): Float32Array {
  const count = accessor.getCount();
  const array = accessor.getArray();
  if (array instanceof Float32Array && accessor.getElementSize() === size) return array.slice(0, count * size);
  const out = new Float32Array(count * size);
  const element: number[] = [];
  for (let i = 0; i < count; i++) {
    accessor.getElement(i, element);
    for (let c = 0; c < size; c++) out[i * size + c] = element[c] ?? 0;
  }
  return out;
}
