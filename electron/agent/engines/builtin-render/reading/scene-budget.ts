// Owns how much memory a scene may take, and the estimate that decides it, made from the glTF
// JSON, the file sizes and the PNG headers before the reader or the decoder allocates anything.
// A 200-byte .gltf can declare an accessor of a billion elements, and a 250 KiB PNG can decode
// to 256 MiB: the count in the JSON and the size in the IHDR are what get checked, not the bytes.

import { GLB_BUFFER, type GLTF } from '@gltf-transform/core';
import { formatBytes } from '../../format-bytes.js';
import { pngDecodeBytes, readPngHeader, MAX_TEXTURE_PIXELS, MAX_TEXTURE_SIDE_PX, PNG_HEADER_BYTES } from './png-decode.js';
import { BadSceneError } from '../../gltf/scene-errors.js';
import { sceneTriangles } from './scene-triangles.js';
import { MAX_TRIANGLES, tooManyTriangles } from './world-geometry.js';
/**
 * Peak bytes per world triangle while a frame is built (world-space corners, normals, UVs, the
 * BVH and its build, shading arrays). Measured 201-206 on 1 and 2.9 million triangles
 * (2026-11-28); rounded up for SAH trees with smaller leaves.
 */
export const FRAME_BYTES_PER_TRIANGLE = 256;
/** What the reader and the loader keep per glTF object (node, mesh, primitive, accessor...): generous. */
export const BYTES_PER_GLTF_OBJECT = 2048;

const COMPONENT_BYTES: Record<number, number> = { 5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4 };
const TYPE_COMPONENTS: Record<string, number> = { SCALAR: 1, VEC2: 2, VEC3: 3, VEC4: 4, MAT2: 4, MAT3: 9, MAT4: 16 };
const TRIANGLE_MODES = [4, 5, 6];

export interface SceneMemoryEstimate {
  /** Held at once while the scene is read: its files, the reader's copies, our arrays, textures. */
  loadBytes: number;
  /** Kept once it is read: our arrays and the decoded textures. */
  sceneBytes: number;
  /** One frame's geometry and BVH, at the peak of building it. */
  frameBytes: number;
  worldTriangles: number;
  /** The most the scene needs at one time: reading it, or holding it while one frame is built. */
  peakBytes: number;
}

interface Part {
  label: string;
  bytes: number;
  advice: string;
}

/**
 * Estimates the scene's memory and throws BadSceneError, naming the accessor, the texture or the
 * largest part and the budget, if it would not fit. Runs after checkGltfJson (types, counts and
 * buffer views are known to be sound) and before the reader sees the JSON.
 */
export function checkSceneBudget(json: GLTF.IGLTF, resources: Record<string, Uint8Array>, fileName: string, fileBytes: number, budgetBytes: number): SceneMemoryEstimate {
  const budget = formatBytes(budgetBytes);
  const accessors = json.accessors ?? [];
  const countOf = (index: number | undefined): number => (index === undefined ? 0 : (accessors[index]?.count ?? 0));

  // The reader copies every accessor once (one with no buffer view is allocated zero-filled).
  let readerBytes = 0;
  let largest = { bytes: -1, text: '' };
  accessors.forEach((accessor, i) => {
    const components = TYPE_COMPONENTS[accessor.type] ?? 16;
    const bytes = accessor.count * components * (COMPONENT_BYTES[accessor.componentType] ?? 4);
    const text = `accessor ${i}${accessor.name ? ` (${accessor.name})` : ''} declares ${accessor.count} ${accessor.type} elements (${formatBytes(bytes)} once read)`;
    if (Math.max(bytes, accessor.count * components * 4) > budgetBytes) {
      throw new BadSceneError(`${fileName}: ${text}, more than the ${budget} a scene may use on this machine; the file is damaged or that mesh must be made smaller`);
    }
    if (bytes > largest.bytes) largest = { bytes, text };
    readerBytes += bytes;
  });
  const largestAccessor = largest.text ? `; the largest accessor: ${largest.text}` : '';

  // Our own arrays, per use: a primitive that shares another's accessor still gets its own copy.
  let modelBytes = 0;
  let primitives = 0;
  for (const mesh of json.meshes ?? []) {
    for (const primitive of mesh.primitives ?? []) {
      primitives++;
      if (!TRIANGLE_MODES.includes(primitive.mode ?? 4)) continue;
      const vertices = countOf(primitive.attributes?.POSITION);
      const corners = primitive.indices === undefined ? vertices : countOf(primitive.indices);
      const triangles = (primitive.mode ?? 4) === 4 ? Math.floor(corners / 3) : Math.max(0, corners - 2);
      modelBytes += vertices * (12 + 12 + 8) + corners * 4 + triangles * 12;
    }
  }
  const animation = json.animations?.[0];
  for (const channel of animation?.channels ?? []) {
    const sampler = animation?.samplers?.[channel.sampler];
    if (!sampler) continue;
    const output = accessors[sampler.output];
    // Read as floats, then sliced to the keys that have values: two copies.
    modelBytes += 2 * (countOf(sampler.input) * 4 + (output ? output.count * (TYPE_COMPONENTS[output.type] ?? 4) * 4 : 0));
  }

  const textures = textureMemory(json, resources, fileName);
  const objects =
    (json.nodes?.length ?? 0) + (json.meshes?.length ?? 0) + primitives + accessors.length + (json.bufferViews?.length ?? 0) + (json.materials?.length ?? 0) +
    (json.textures?.length ?? 0) + (json.images?.length ?? 0) + (json.cameras?.length ?? 0) + (json.skins?.length ?? 0) +
    (json.animations ?? []).reduce((sum, a) => sum + (a.channels?.length ?? 0) + (a.samplers?.length ?? 0), 0);
  const objectBytes = objects * BYTES_PER_GLTF_OBJECT;
  const worldTriangles = sceneTriangles(json);
  if (worldTriangles > MAX_TRIANGLES) throw new BadSceneError(`${tooManyTriangles(worldTriangles).message}${largestAccessor}`);

  const loadBytes = fileBytes + dataUriBytes(json) + readerBytes + modelBytes + objectBytes + textures.keptBytes + textures.transientBytes;
  const sceneBytes = modelBytes + objectBytes + textures.keptBytes;
  const frameBytes = worldTriangles * FRAME_BYTES_PER_TRIANGLE;
  const peakBytes = Math.max(loadBytes, sceneBytes + frameBytes);
  if (peakBytes > budgetBytes) {
    const parts: Part[] = [
      { label: `textures ${formatBytes(textures.keptBytes)}${textures.largest}`, bytes: textures.keptBytes, advice: 'use fewer or smaller textures' },
      { label: `geometry ${formatBytes(frameBytes)} for ${worldTriangles} triangles`, bytes: frameBytes, advice: `use fewer triangles${largestAccessor}` },
      { label: `reading it ${formatBytes(loadBytes - textures.keptBytes)}`, bytes: loadBytes - textures.keptBytes, advice: `make the scene smaller${largestAccessor}` },
    ].sort((a, b) => b.bytes - a.bytes);
    // In MiB where rounding would show the same figure as the budget ("2 GiB, more than 2 GiB").
    const close = formatBytes(peakBytes) === budget;
    const needed = close ? `${Math.ceil(peakBytes / 2 ** 20)} MiB` : formatBytes(peakBytes);
    throw new BadSceneError(
      `${fileName} needs about ${needed} of memory to render (${parts.map((p) => p.label).join('; ')}), ` +
        `more than the ${close ? `${Math.floor(budgetBytes / 2 ** 20)} MiB` : budget} a scene may use on this machine; ${parts[0]!.advice}`,
    );
  }
  return { loadBytes, sceneBytes, frameBytes, worldTriangles, peakBytes };
}

/** Decoded PNG sizes from their headers, for every image a texture uses (each decoded once). */
function textureMemory(json: GLTF.IGLTF, resources: Record<string, Uint8Array>, fileName: string): { keptBytes: number; transientBytes: number; largest: string } {
  const used = new Set((json.textures ?? []).map((t) => t.source).filter((s): s is number => typeof s === 'number'));
  let keptBytes = 0;
  let transientBytes = 0;
  let pngs = 0;
  let largest = { bytes: 0, text: '' };
  for (const index of used) {
    const image = json.images?.[index];
    if (!image) continue;
    const name = image.uri && !image.uri.startsWith('data:') ? image.uri : image.name || `image ${index}`;
    const header = readPngHeader(imageHead(json, image, resources));
    // Not a PNG with its header first: the decoder leaves it out (warning) or refuses it; it
    // allocates nothing for it either way.
    if (!header) continue;
    const { width, height } = header;
    if (width < 1 || height < 1 || width * height > MAX_TEXTURE_PIXELS) {
      throw new BadSceneError(
        `${fileName}: texture ${name} is ${width}x${height} pixels; the built-in renderer decodes textures up to ` +
          `${MAX_TEXTURE_PIXELS / 2 ** 20} megapixels (${MAX_TEXTURE_SIDE_PX}x${MAX_TEXTURE_SIDE_PX}); scale it down`,
      );
    }
    const bytes = pngDecodeBytes(header);
    keptBytes += bytes.keptBytes;
    transientBytes = Math.max(transientBytes, bytes.transientBytes);
    pngs++;
    if (bytes.keptBytes > largest.bytes) largest = { bytes: bytes.keptBytes, text: `${name} at ${width}x${height}` };
  }
  return { keptBytes, transientBytes, largest: pngs > 0 ? ` in ${pngs} PNG image${pngs > 1 ? 's' : ''}, the largest ${largest.text}` : '' };
}

/** The first bytes of an image, wherever it is: a file, a data: URI, or a buffer view. */
function imageHead(json: GLTF.IGLTF, image: GLTF.IImage, resources: Record<string, Uint8Array>): Uint8Array {
  if (image.uri !== undefined) return image.uri.startsWith('data:') ? dataUriSlice(image.uri, 0, PNG_HEADER_BYTES) : (resources[image.uri] ?? new Uint8Array(0));
  const view = image.bufferView === undefined ? undefined : json.bufferViews?.[image.bufferView];
  const buffer = view ? json.buffers?.[view.buffer] : undefined;
  if (!view || !buffer) return new Uint8Array(0);
  const start = view.byteOffset ?? 0;
  const length = Math.min(PNG_HEADER_BYTES, view.byteLength);
  if (buffer.uri?.startsWith('data:')) return dataUriSlice(buffer.uri, start, length);
  const data = buffer.uri === undefined ? resources[GLB_BUFFER] : resources[buffer.uri];
  return data ? data.subarray(start, start + length) : new Uint8Array(0);
}

/** Bytes [start, start + length) of a data: URI, decoding only the base64 that covers them. */
export function dataUriSlice(uri: string, start: number, length: number): Uint8Array {
  const comma = uri.indexOf(',');
  if (comma < 0) return new Uint8Array(0);
  const meta = uri.slice(5, comma);
  const data = uri.slice(comma + 1);
  if (!meta.endsWith(';base64')) {
    // Percent-encoded bytes: rare, and no larger than the JSON they sit in.
    const text = data.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(text, 'latin1').subarray(start, start + length);
  }
  const first = Math.floor(start / 3) * 4;
  const skip = start % 3;
  const chars = Math.ceil((skip + length) / 3) * 4;
  return Buffer.from(data.slice(first, first + chars), 'base64').subarray(skip, skip + length);
}

/** The reader decodes data: URIs into bytes: about three quarters of their length each. */
function dataUriBytes(json: GLTF.IGLTF): number {
  return [...(json.buffers ?? []), ...(json.images ?? [])].reduce((sum, r) => sum + (r.uri?.startsWith('data:') ? Math.ceil((r.uri.length * 3) / 4) : 0), 0);
}
