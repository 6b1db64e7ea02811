// Small scenes for the built-in renderer's tests: one lit quad as .gltf with its .bin and PNG next
// to it, and variants broken in exactly one way.

import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { encodePng } from '../../../../../../electron/agent/engines/builtin-render/index.js';

export const SAMPLE_SCENE = new URL('../../../../../../assets/sample-scene.glb', import.meta.url).pathname;

export function tempDir(): string {
  return mkdtempSync(join(os.tmpdir(), 'troupe-render-'));
}

/** A 2x2 checker PNG. */
export function checkerPng(): Buffer {
  const px = new Float32Array([1, 1, 1, 1, 0.1, 0.1, 0.1, 1, 0.1, 0.1, 0.1, 1, 1, 1, 1, 1]);
  return encodePng(px, 2, 2);
}

/** glTF JSON for one textured quad (2 triangles, indexed) seen by a camera, plus its buffer bytes. */
export function quadGltf(overrides: (json: any) => void = () => {}): { json: any; bin: Buffer } {
  const positions = new Float32Array([-1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0]);
  const uvs = new Float32Array([0, 1, 1, 1, 1, 0, 0, 0]);
  const indices = new Uint16Array([0, 1, 2, 0, 2, 3]);
  const bin = Buffer.concat([Buffer.from(positions.buffer), Buffer.from(uvs.buffer), Buffer.from(indices.buffer)]);
  const json: any = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0, 1] }],
    nodes: [{ mesh: 0 }, { camera: 0, translation: [0, 0, 3] }],
    cameras: [{ type: 'perspective', perspective: { yfov: 0.9, znear: 0.1 } }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0, TEXCOORD_0: 1 }, indices: 2, material: 0 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorTexture: { index: 0 }, metallicFactor: 0 } }],
    textures: [{ source: 0 }],
    images: [{ uri: 'checker.png' }],
    buffers: [{ uri: 'quad.bin', byteLength: bin.length }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: 48 },
      { buffer: 0, byteOffset: 48, byteLength: 32 },
      { buffer: 0, byteOffset: 80, byteLength: 12 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 4, type: 'VEC3', min: [-1, -1, 0], max: [1, 1, 0] },
      { bufferView: 1, componentType: 5126, count: 4, type: 'VEC2' },
      { bufferView: 2, componentType: 5123, count: 6, type: 'SCALAR' },
    ],
  };
  overrides(json);
  return { json, bin };
}

/** Writes scene.gltf (with quad.bin and checker.png unless told otherwise) into a fresh folder. */
export function writeQuadScene(overrides: (json: any) => void = () => {}, files: { bin?: boolean; png?: boolean } = {}): string {
  const dir = tempDir();
  const { json, bin } = quadGltf(overrides);
  if (files.bin !== false) writeFileSync(join(dir, 'quad.bin'), bin);
  if (files.png !== false) writeFileSync(join(dir, 'checker.png'), checkerPng());
  const path = join(dir, 'scene.gltf');
  writeFileSync(path, JSON.stringify(json));
  return path;
}
