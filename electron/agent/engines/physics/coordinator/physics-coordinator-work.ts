// Owns what the coordinator does with a physics scene, done on a physics thread (never in the
// agent's own thread, §12.4: a submitted scene is as untrusted as any, and its JSON, its reader's
// objects and its geometry would otherwise land in the agent's heap): reading a submitted scene
// and checking a wedge's variants against it; and joining a bake's chunks into the baked .glb.

import { readFile } from 'node:fs/promises';
import { decodeKeyframes } from '../keyframes-codec.js';
import { readPhysicsFile } from '../reading/gltf-physics-reader.js';
import { sceneSnapshotBytes } from '../reading/physics-budget.js';
import { BadPhysicsSceneError } from '../physics-errors.js';
import { checkOverrides, type PhysicsOverrides } from '../physics-overrides.js';
import { writePhysicsGlb } from '../physics-output.js';
import { checkKeyframeBytes, checkPhysicsSettings, type PhysicsSettings } from '../physics-settings.js';
import { keyframeWindow, mergeKeyframes } from '../worker/simulated-poses.js';
import { wedgeVariants, type WedgeRandomOptions } from './wedge-variants.js';

export interface SceneInspection {
  scenePath: string;
  settings?: PhysicsSettings;
  wedge?: string;
  random?: WedgeRandomOptions;
}

export interface InspectedScene {
  /** Moving bodies. */
  bodies: number;
  warnings: string[];
  /** The files the scene names beside it (data: URIs travel inside it), decoded, each once. */
  beside: string[];
  /** A wedge's variants (each checked against the scene), or the one plain run of a bake. */
  variants: { index: number; label: string; overrides: PhysicsOverrides }[];
  /** The most a chunk's snapshot of this scene can take (physics-budget): a teammate's larger one is refused. */
  snapshotBytes: number;
}

/** The scene read in full and the job's variants checked against it, in the order the user is told of failures. */
export async function inspectPhysicsScene(req: SceneInspection): Promise<InspectedScene> {
  const settings = checkPhysicsSettings(req.settings);
  const file = await readPhysicsFile({ scenePath: req.scenePath });
  // Every worker would refuse it: refused here, before any task exists.
  checkKeyframeBytes(settings.keyframeCount, file.scene.bodies.length);
  const variants = req.wedge ? wedgeVariants(req.wedge, req.random).map((v) => ({ index: v.index, label: v.label, overrides: v.overrides })) : [{ index: 0, label: '', overrides: {} }];
  // Each variant's overrides against this scene (a body name that does not exist, a value out of range).
  for (const v of variants) checkOverrides(file.scene, v.overrides);
  const json = file.source.json;
  const beside = new Set<string>();
  for (const x of [...(json.buffers ?? []), ...(json.images ?? [])]) {
    if (!x.uri || x.uri.startsWith('data:')) continue;
    try {
      beside.add(decodeURIComponent(x.uri));
    } catch {
      throw new BadPhysicsSceneError(`${file.source.fileName} names the file ${x.uri}, which is not a valid URI`);
    }
  }
  return { bodies: file.scene.bodies.length, warnings: file.scene.warnings, beside: [...beside], variants, snapshotBytes: sceneSnapshotBytes(file.estimatedBytes, file.scene) };
}

export interface BakeJoin {
  /** The scene, its files laid out beside it under their names. */
  scenePath: string;
  settings: PhysicsSettings;
  /** The chunks' keyframes files, in order. */
  keyframesPaths: string[];
  bodies: number;
  /** Only keyframes [first, end) into the .glb (a bake so far); the files hold them, from the first file's first. Default: all, from keyframe 0. */
  window?: { first: number; end: number };
}

/** The scene with the chunks' keyframes as its animation, as a .glb; and what was dropped from it. */
export async function joinBake(req: BakeJoin): Promise<{ glb: Uint8Array; warnings: string[] }> {
  const chunks = await Promise.all(req.keyframesPaths.map(async (path) => decodeKeyframes(new Uint8Array(await readFile(path)), req.bodies)));
  const start = req.window ? (chunks[0]?.first ?? 0) : 0;
  const merged = mergeKeyframes(chunks, start);
  const keyframes = req.window ? keyframeWindow(merged, start, req.window.first, req.window.end, req.bodies) : merged;
  const file = await readPhysicsFile({ scenePath: req.scenePath });
  return writePhysicsGlb(file, checkPhysicsSettings(req.settings), keyframes);
}
