// Owns everything the tracer needs for one frame: the BVH over all world triangles, shading data
// reordered to BVH order, the materials, the lights (punctual and emissive) and the camera.
// The arrays live in shared memory: one loader builds a frame, and every render thread reads
// that one copy (SharedFrame) instead of loading the scene and building its own BVH.

import { BufferAttribute, BufferGeometry } from 'three';
import { MeshBVH, SAH } from 'three-mesh-bvh';
import { BvhTracer } from '../worker/bvh-tracer.js';
import { BadSceneError } from '../../gltf/scene-errors.js';
import type { MaterialModel, SceneModel } from './scene-model.js';
import { buildWorldGeometry, normalize, type WorldCamera, type WorldLight } from './world-geometry.js';

/** glTF's default material: white, fully rough dielectric. */
const DEFAULT_MATERIAL: MaterialModel = {
  baseColor: [1, 1, 1, 1],
  metallic: 1,
  roughness: 1,
  emissive: [0, 0, 0],
  doubleSided: false,
  baseColorTexture: null,
  metallicRoughnessTexture: null,
  emissiveTexture: null,
};

export interface EmitterTable {
  /** BVH-order triangles that emit, and the running sum of their power for picking one. */
  triangles: Int32Array;
  cdf: Float64Array;
  /** Per BVH-order triangle: probability of picking it over its area (0 for non-emitters). */
  pdfArea: Float32Array;
}

/** A frame as plain data over SharedArrayBuffers: posted to a thread, it is shared, not copied. */
export interface SharedFrame {
  /** MeshBVH._roots[0]: the packed nodes BvhTracer walks. */
  bvhRoot: ArrayBufferLike;
  /** Per triangle in BVH order: v0 xyz, edge v1-v0, edge v2-v0 (9 floats). */
  tris: Float32Array;
  triangleCount: number;
  /** BVH order: 9 floats per triangle (corner normals), 6 (corner UVs), 1 (material index). */
  normals: Float32Array;
  uvs: Float32Array;
  materialOf: Int32Array;
  materials: MaterialModel[];
  lights: WorldLight[];
  emitters: EmitterTable;
  camera: WorldCamera;
  hasCamera: boolean;
  /** Constant sky radiance, used only when the scene has no light at all. */
  environment: [number, number, number];
  /** Offset for new ray origins, relative to the scene's size, against self-intersection. */
  epsilon: number;
}

export interface FrameScene extends SharedFrame {
  tracer: BvhTracer;
}

/** As built, with the library's BVH object (for tests and benchmarks against it). */
export interface BuiltFrame extends FrameScene {
  bvh: MeshBVH;
}

const SKY: [number, number, number] = [0.62, 0.7, 0.82];

export function buildFrameScene(scene: SceneModel, timeSec: number): BuiltFrame {
  const world = buildWorldGeometry(scene, timeSec);
  const n = world.triangleCount;
  if (n === 0) throw new BadSceneError('the scene has no triangles');
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(world.positions, 3));
  // indirect: the BVH sorts a triangle index list instead of rewriting the geometry, so its
  // order maps straight back to our per-triangle arrays.
  const bvh = new MeshBVH(geometry, { strategy: SAH, targetLeafSize: 4, indirect: true, verbose: false, useSharedArrayBuffer: true });
  const internals = bvh as unknown as { _roots: ArrayBuffer[]; _indirectBuffer: Uint32Array | Uint16Array };
  const order = internals._indirectBuffer;
  const materials = [...scene.materials, DEFAULT_MATERIAL];
  const tris = new Float32Array(shared(n * 9 * 4));
  const normals = new Float32Array(shared(n * 9 * 4));
  const uvs = new Float32Array(shared(n * 6 * 4));
  const materialOf = new Int32Array(shared(n * 4));
  const p = world.positions;
  for (let i = 0; i < n; i++) {
    const src = order[i]!;
    const s = src * 9;
    const d = i * 9;
    for (let c = 0; c < 3; c++) {
      tris[d + c] = p[s + c]!;
      tris[d + 3 + c] = p[s + 3 + c]! - p[s + c]!;
      tris[d + 6 + c] = p[s + 6 + c]! - p[s + c]!;
    }
    normals.set(world.normals.subarray(s, s + 9), d);
    uvs.set(world.uvs.subarray(src * 6, src * 6 + 6), i * 6);
    const m = world.materials[src]!;
    materialOf[i] = m >= 0 && m < scene.materials.length ? m : materials.length - 1;
  }
  const lo = world.boundsMin;
  const hi = world.boundsMax;
  const center: [number, number, number] = [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2];
  const radius = Math.max(1e-6, Math.hypot(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2);
  const emitters = buildEmitters(tris, materialOf, materials);
  const bvhRoot = internals._roots[0]!;
  return {
    bvh,
    bvhRoot,
    tris,
    tracer: new BvhTracer(bvhRoot, tris),
    triangleCount: n,
    normals,
    uvs,
    materialOf,
    materials,
    lights: world.lights,
    emitters,
    camera: world.camera ?? frameBounds(center, radius),
    hasCamera: world.camera !== null,
    environment: world.lights.length === 0 && emitters.triangles.length === 0 ? SKY : [0, 0, 0],
    epsilon: 1e-5 * (radius + Math.hypot(...center)),
  };
}

/** The data alone, without the library's BVH (which holds the world positions, 36 bytes a triangle). */
export function toSharedFrame(frame: FrameScene): SharedFrame {
  const { bvhRoot, tris, triangleCount, normals, uvs, materialOf, materials, lights, emitters, camera, hasCamera, environment, epsilon } = frame;
  return { bvhRoot, tris, triangleCount, normals, uvs, materialOf, materials, lights, emitters, camera, hasCamera, environment, epsilon };
}

/** A render thread's view of a frame it was sent: the same memory, and its own tracer state. */
export function frameFromShared(frame: SharedFrame): FrameScene {
  return { ...frame, tracer: new BvhTracer(frame.bvhRoot, frame.tris) };
}

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes);
}

function buildEmitters(tris: Float32Array, materialOf: Int32Array, materials: MaterialModel[]): EmitterTable {
  // Two passes over typed arrays rather than growing number[]s: a scene of emissive triangles
  // would otherwise put 24 bytes a triangle (and more while the arrays grow) on the JS heap.
  const emitted = (i: number): { area: number; power: number } | null => {
    const m = materials[materialOf[i]!]!;
    const e = (m.emissive[0] + m.emissive[1] + m.emissive[2]) / 3;
    if (e <= 0) return null;
    const b = i * 9;
    const cx = tris[b + 4]! * tris[b + 8]! - tris[b + 5]! * tris[b + 7]!;
    const cy = tris[b + 5]! * tris[b + 6]! - tris[b + 3]! * tris[b + 8]!;
    const cz = tris[b + 3]! * tris[b + 7]! - tris[b + 4]! * tris[b + 6]!;
    const area = Math.hypot(cx, cy, cz) / 2;
    return area > 0 ? { area, power: area * e * (m.doubleSided ? 2 : 1) } : null;
  };
  let count = 0;
  let total = 0;
  for (let i = 0; i < materialOf.length; i++) {
    const hit = emitted(i);
    if (!hit) continue;
    count++;
    total += hit.power;
  }
  const triangles = new Int32Array(shared(count * 4));
  const cdf = new Float64Array(shared(count * 8));
  const pdfArea = new Float32Array(shared(materialOf.length * 4));
  let sum = 0;
  for (let i = 0, k = 0; i < materialOf.length; i++) {
    const hit = emitted(i);
    if (!hit) continue;
    sum += hit.power;
    triangles[k] = i;
    cdf[k++] = sum / total;
    pdfArea[i] = hit.power / total / hit.area;
  }
  return { triangles, cdf, pdfArea };
}

/** With no camera in the scene: look at the bounds from the front and a little above. */
function frameBounds(center: [number, number, number], radius: number): WorldCamera {
  const yfov = (40 * Math.PI) / 180;
  const distance = (radius / Math.sin(yfov / 2)) * 1.05;
  const back = normalize([0, 0.35, 1]);
  const position: [number, number, number] = [center[0] + back[0] * distance, center[1] + back[1] * distance, center[2] + back[2] * distance];
  const forward: [number, number, number] = [-back[0], -back[1], -back[2]];
  const right = normalize([-forward[2], 0, forward[0]]);
  const up: [number, number, number] = [
    right[1] * forward[2] - right[2] * forward[1],
    right[2] * forward[0] - right[0] * forward[2],
    right[0] * forward[1] - right[1] * forward[0],
  ];
  return { model: { type: 'perspective', yfov, xmag: 1, ymag: 1 }, position, right, up, forward };
}
