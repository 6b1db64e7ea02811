// Owns everything the tracer needs for one frame: the BVH over all world triangles, shading data
// reordered to BVH order, the materials, the lights (punctual and emissive) and the camera.

import { BufferAttribute, BufferGeometry } from 'three';
import { MeshBVH, SAH } from 'three-mesh-bvh';
import { BvhTracer } from './bvh-tracer.js';
import { BadSceneError } from './scene-errors.js';
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

export interface FrameScene {
  bvh: MeshBVH;
  tracer: BvhTracer;
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

const SKY: [number, number, number] = [0.62, 0.7, 0.82];

export function buildFrameScene(scene: SceneModel, timeSec: number): FrameScene {
  const world = buildWorldGeometry(scene, timeSec);
  const n = world.triangleCount;
  if (n === 0) throw new BadSceneError('the scene has no triangles');
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(world.positions, 3));
  // indirect: the BVH sorts a triangle index list instead of rewriting the geometry, so its
  // order maps straight back to our per-triangle arrays.
  const bvh = new MeshBVH(geometry, { strategy: SAH, targetLeafSize: 4, indirect: true, verbose: false });
  const internals = bvh as unknown as { _roots: ArrayBuffer[]; _indirectBuffer: Uint32Array | Uint16Array };
  const order = internals._indirectBuffer;
  const materials = [...scene.materials, DEFAULT_MATERIAL];
  const tris = new Float32Array(n * 9);
  const normals = new Float32Array(n * 9);
  const uvs = new Float32Array(n * 6);
  const materialOf = new Int32Array(n);
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
  return {
    bvh,
    tracer: new BvhTracer(internals._roots[0]!, tris),
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

function buildEmitters(tris: Float32Array, materialOf: Int32Array, materials: MaterialModel[]): EmitterTable {
  const chosen: number[] = [];
  const power: number[] = [];
  const areas: number[] = [];
  for (let i = 0; i < materialOf.length; i++) {
    const m = materials[materialOf[i]!]!;
    const e = (m.emissive[0] + m.emissive[1] + m.emissive[2]) / 3;
    if (e <= 0) continue;
    const b = i * 9;
    const cx = tris[b + 4]! * tris[b + 8]! - tris[b + 5]! * tris[b + 7]!;
    const cy = tris[b + 5]! * tris[b + 6]! - tris[b + 3]! * tris[b + 8]!;
    const cz = tris[b + 3]! * tris[b + 7]! - tris[b + 4]! * tris[b + 6]!;
    const area = Math.hypot(cx, cy, cz) / 2;
    if (area <= 0) continue;
    chosen.push(i);
    areas.push(area);
    power.push(area * e * (m.doubleSided ? 2 : 1));
  }
  const total = power.reduce((a, b) => a + b, 0);
  const cdf = new Float64Array(chosen.length);
  const pdfArea = new Float32Array(materialOf.length);
  let sum = 0;
  chosen.forEach((tri, k) => {
    sum += power[k]!;
    cdf[k] = sum / total;
    pdfArea[tri] = power[k]! / total / areas[k]!;
  });
  return { triangles: Int32Array.from(chosen), cdf, pdfArea };
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
