// Owns flattening the posed scene graph into world space: one triangle soup with per-corner
// normals and UVs, the punctual lights, and the camera (the scene's first, or a default one).

import { poseNodes } from './animation-sampler.js';
import { composeTrs, identity, multiply, normalMatrix, type Mat4 } from '../../gltf/mat4.js';
import { BadSceneError } from '../../gltf/scene-errors.js';
import type { CameraModel, LightModel, PrimitiveModel, SceneModel } from './scene-model.js';

/** A hard cap on world triangles; at 256 bytes each a frame (scene-budget) usually reaches the memory budget first. */
export const MAX_TRIANGLES = 10_000_000;

export interface WorldLight {
  model: LightModel;
  position: [number, number, number];
  /** The direction light travels (the node's -Z), for spot and directional lights. */
  direction: [number, number, number];
}

export interface WorldCamera {
  model: CameraModel;
  position: [number, number, number];
  right: [number, number, number];
  up: [number, number, number];
  forward: [number, number, number];
}

export interface WorldGeometry {
  triangleCount: number;
  /** 9 floats per triangle: the three corners. */
  positions: Float32Array;
  /** 9 floats per triangle; a primitive without normals gets its face normal at each corner. */
  normals: Float32Array;
  /** 6 floats per triangle; zeros without TEXCOORD_0. */
  uvs: Float32Array;
  materials: Int32Array;
  lights: WorldLight[];
  /** Null when the scene has no camera node: the caller frames the bounds itself. */
  camera: WorldCamera | null;
  boundsMin: [number, number, number];
  boundsMax: [number, number, number];
}

interface Instance {
  primitive: PrimitiveModel;
  matrix: Mat4;
  normals: Float64Array;
}

export function buildWorldGeometry(scene: SceneModel, timeSec: number): WorldGeometry {
  const poses = poseNodes(scene, timeSec);
  const instances: Instance[] = [];
  const lights: WorldLight[] = [];
  let camera: WorldCamera | null = null;
  const visited = new Set<number>();
  const visit = (index: number, parent: Mat4): void => {
    const node = scene.nodes[index];
    const pose = poses[index];
    // glTF forbids a node with two parents or a cycle; a broken file must not loop forever.
    if (!node || !pose || visited.has(index)) return;
    visited.add(index);
    const matrix = multiply(parent, composeTrs(pose.translation, pose.rotation, pose.scale));
    for (const primitive of scene.meshes[node.mesh] ?? []) instances.push({ primitive, matrix, normals: normalMatrix(matrix) });
    const light = scene.lights[node.light];
    if (light) lights.push({ model: light, position: point(matrix), direction: normalize(axis(matrix, 2, -1)) });
    const cam = scene.cameras[node.camera];
    if (cam && !camera) {
      camera = { model: cam, position: point(matrix), right: normalize(axis(matrix, 0, 1)), up: normalize(axis(matrix, 1, 1)), forward: normalize(axis(matrix, 2, -1)) };
    }
    for (const child of node.children) visit(child, matrix);
  };
  for (const root of scene.roots) visit(root, identity());

  const triangleCount = instances.reduce((sum, inst) => sum + inst.primitive.indices.length / 3, 0);
  if (triangleCount > MAX_TRIANGLES) throw tooManyTriangles(triangleCount);
  const positions = new Float32Array(triangleCount * 9);
  const normals = new Float32Array(triangleCount * 9);
  const uvs = new Float32Array(triangleCount * 6);
  const materials = new Int32Array(triangleCount);
  const min: [number, number, number] = [Infinity, Infinity, Infinity];
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  let t = 0;
  for (const { primitive, matrix: m, normals: nm } of instances) {
    const { positions: pos, normals: nor, uvs: uv, indices } = primitive;
    for (let k = 0; k < indices.length; k += 3, t++) {
      materials[t] = primitive.material;
      for (let c = 0; c < 3; c++) {
        const vi = indices[k + c]!;
        const x = pos[vi * 3]!;
        const y = pos[vi * 3 + 1]!;
        const z = pos[vi * 3 + 2]!;
        const o = t * 9 + c * 3;
        for (let r = 0; r < 3; r++) {
          const w = m[r]! * x + m[4 + r]! * y + m[8 + r]! * z + m[12 + r]!;
          positions[o + r] = w;
          if (w < min[r]!) min[r] = w;
          if (w > max[r]!) max[r] = w;
        }
        if (nor) {
          const nx = nor[vi * 3]!;
          const ny = nor[vi * 3 + 1]!;
          const nz = nor[vi * 3 + 2]!;
          setNormalized(normals, o, nm[0]! * nx + nm[3]! * ny + nm[6]! * nz, nm[1]! * nx + nm[4]! * ny + nm[7]! * nz, nm[2]! * nx + nm[5]! * ny + nm[8]! * nz);
        }
        if (uv) {
          uvs[t * 6 + c * 2] = uv[vi * 2]!;
          uvs[t * 6 + c * 2 + 1] = uv[vi * 2 + 1]!;
        }
      }
      if (!nor) faceNormal(positions, normals, t);
    }
  }
  return { triangleCount, positions, normals, uvs, materials, lights, camera, boundsMin: min, boundsMax: max };
}

export function tooManyTriangles(count: number): BadSceneError {
  return new BadSceneError(`the scene has ${count} triangles; the built-in renderer handles up to ${MAX_TRIANGLES / 1e6} million`);
}

function faceNormal(p: Float32Array, out: Float32Array, t: number): void {
  const b = t * 9;
  const e1 = [p[b + 3]! - p[b]!, p[b + 4]! - p[b + 1]!, p[b + 5]! - p[b + 2]!];
  const e2 = [p[b + 6]! - p[b]!, p[b + 7]! - p[b + 1]!, p[b + 8]! - p[b + 2]!];
  const nx = e1[1]! * e2[2]! - e1[2]! * e2[1]!;
  const ny = e1[2]! * e2[0]! - e1[0]! * e2[2]!;
  const nz = e1[0]! * e2[1]! - e1[1]! * e2[0]!;
  for (let c = 0; c < 3; c++) setNormalized(out, b + c * 3, nx, ny, nz);
}

function setNormalized(out: Float32Array, o: number, x: number, y: number, z: number): void {
  const len = Math.hypot(x, y, z);
  if (len > 0) {
    out[o] = x / len;
    out[o + 1] = y / len;
    out[o + 2] = z / len;
  } else {
    out[o + 2] = 1;
  }
}

function point(m: Mat4): [number, number, number] {
  return [m[12]!, m[13]!, m[14]!];
}

function axis(m: Mat4, column: number, sign: number): [number, number, number] {
  return [m[column * 4]! * sign, m[column * 4 + 1]! * sign, m[column * 4 + 2]! * sign];
}

export function normalize(v: [number, number, number]): [number, number, number] {
  const len = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / len, v[1] / len, v[2] / len];
}
