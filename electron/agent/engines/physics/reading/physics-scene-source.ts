// Owns getting a scene's raw glTF JSON and the bytes it names, from a path (a .glb, or a .gltf with
// its files beside it, read within the renderer's safety and memory rules) or from bytes in memory
// (a .glb, or a .gltf whose buffers are all data URIs: bytes have no folder to name files in).

import { GLB_BUFFER, type GLTF } from '@gltf-transform/core';
import { readSceneFiles } from '../../gltf/scene-files.js';
import { DEFAULT_SCENE_BUDGET_BYTES } from '../../builtin-render/render-limits.js';
import { isGlb, parseGltfJson, unpackGlb } from './glb-container.js';
import { BadPhysicsSceneError } from '../physics-errors.js';

export type SceneInput = { scenePath: string } | { sceneBytes: Uint8Array; fileName?: string };

export interface SceneSource {
  fileName: string;
  json: GLTF.IGLTF;
  /** Every non-data URI's bytes, and the GLB binary chunk under GLB_BUFFER. */
  resources: Record<string, Uint8Array>;
}

export function loadSceneSource(input: SceneInput): SceneSource {
  if ('scenePath' in input) {
    const { fileName, json, resources } = readSceneFiles(input.scenePath, DEFAULT_SCENE_BUDGET_BYTES);
    return { fileName, json, resources };
  }
  const fileName = input.fileName ?? 'scene.glb';
  const bytes = input.sceneBytes;
  const { json, bin } = isGlb(bytes) ? unpackGlb(bytes, fileName) : { json: parseGltfJson(bytes, fileName), bin: null };
  const version = (json as { asset?: { version?: unknown } }).asset?.version;
  if (typeof version !== 'string' || !version.startsWith('2.')) throw new BadPhysicsSceneError(`${fileName} is not a glTF 2.0 scene (asset.version is ${String(version)})`);
  const resources: Record<string, Uint8Array> = {};
  const external = (uri: string): BadPhysicsSceneError =>
    new BadPhysicsSceneError(`${fileName} names the file ${uri}, but it was given as bytes with no folder; send it as a .glb`);
  (json.buffers ?? []).forEach((buffer, i) => {
    if (buffer.uri === undefined) {
      if (i !== 0 || !bin) throw new BadPhysicsSceneError(`${fileName}: buffer ${i} has no uri and there is no GLB binary chunk for it`);
      if (bin.byteLength < buffer.byteLength) throw new BadPhysicsSceneError(`${fileName}: its binary chunk is truncated (expected ${buffer.byteLength} bytes, got ${bin.byteLength})`);
      resources[GLB_BUFFER] = bin;
    } else if (!buffer.uri.startsWith('data:')) {
      throw external(buffer.uri);
    }
  });
  for (const image of json.images ?? []) if (image.uri !== undefined && !image.uri.startsWith('data:')) throw external(image.uri);
  return { fileName, json, resources };
}
