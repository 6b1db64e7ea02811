// Owns what a finished run hands back: the input scene as a .glb with the simulation as an
// animation ("Simulation": LINEAR translation and rotation tracks per moving body, a key per
// keyframe), and the summary JSON. The physics drafts' extensions are left out of the .glb (its
// motion is now baked: a physics viewer would simulate it again); lights and emissive strength,
// which the built-in renderer reads, are carried over; any other extension is dropped, with a
// warning, since gltf-transform rewrites the file without it.

import { Format, GLB_BUFFER, NodeIO, type GLTF } from '@gltf-transform/core';
import { z } from 'zod';
import type { PhysicsSceneFile } from './reading/gltf-physics-reader.js';
import { packGlb } from './reading/glb-container.js';
import { PHYSICS_EXTENSIONS } from './reading/physics-document.js';
import type { CheckedPhysicsSettings } from './physics-settings.js';
import type { BodySummary, PhysicsTaskResult } from './worker/physics-task.js';
import { localTracks, type RunKeyframes } from './worker/simulated-poses.js';

export const SIMULATION_ANIMATION = 'Simulation';
/** Extensions copied from the input's JSON: their indices (nodes, materials) survive gltf-transform's rewrite. */
const CARRIED = ['KHR_lights_punctual', 'KHR_materials_emissive_strength', 'KHR_mesh_quantization'];

export interface PhysicsSummaryJson {
  fileName: string;
  hash: string;
  dtSeconds: number;
  substeps: number;
  steps: number;
  fps: number;
  gravity: [number, number, number];
  bodies: BodySummary[];
  warnings: string[];
}

const simulated = z.number().nullable(); // a run that went non-finite writes null (JSON has no NaN): still a result
const vec = (n: number) => z.array(simulated).length(n);
/**
 * A summary as the coordinator takes it from a teammate and the job's views read it back: the
 * shape a worker writes (physics-engine), every list bounded. Anything else is not a summary.
 */
export const physicsSummarySchema = z.object({
  index: z.number().int().min(0).optional(),
  label: z.string().optional(),
  fileName: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  dtSeconds: z.number(),
  substeps: z.number().int(),
  steps: z.number().int(),
  fps: z.number(),
  gravity: vec(3),
  bodies: z.array(
    z.object({
      name: z.string(),
      node: z.number().int().min(0),
      kind: z.enum(['dynamic', 'kinematic']),
      finalTranslation: vec(3),
      finalRotation: vec(4),
      restSeconds: z.number().nullable(),
      maxSpeedMPerS: simulated,
      contacts: z.number().int().min(0),
    }),
  ),
  warnings: z.array(z.string()),
});
export type CheckedPhysicsSummary = z.infer<typeof physicsSummarySchema>;

/** `text` read as a summary of a run of `bodies` bodies, or null when it is not one. */
export function parsePhysicsSummary(text: string, bodies: number): CheckedPhysicsSummary | null {
  // A summary opens 3 objects and lists per body (and 3 more): 64 MiB of "[[[[" or "{},{}" would
  // parse to a gigabyte of objects in the agent before any schema could refuse them.
  if (openings(text) > 3 * bodies + 16) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = physicsSummarySchema.safeParse(value);
  return parsed.success && parsed.data.bodies.length === bodies ? parsed.data : null;
}

/** Warnings a run keeps: each once, each within 1000 characters, at most 64 (a scene can repeat one per node). */
export function boundedWarnings(warnings: readonly string[]): string[] {
  const unique = [...new Set(warnings)].map((w) => (w.length > 1000 ? `${w.slice(0, 999)}…` : w));
  return unique.length <= 64 ? unique : [...unique.slice(0, 63), `and ${unique.length - 63} more warnings`];
}

export function physicsSummaryJson(fileName: string, result: PhysicsTaskResult): PhysicsSummaryJson {
  const { dtSeconds, substeps, totalSteps, fps, gravity } = result.settings;
  return { fileName, hash: result.hash, dtSeconds, substeps, steps: totalSteps, fps, gravity, bodies: result.summary, warnings: result.warnings };
}

/** The scene with the run as its "Simulation" animation, as a .glb; and what was dropped from it. */
export async function writePhysicsGlb(file: PhysicsSceneFile, settings: CheckedPhysicsSettings, keyframes: RunKeyframes): Promise<{ glb: Uint8Array; warnings: string[] }> {
  const { document, scene, source } = file;
  const root = document.getRoot();
  const nodes = root.listNodes();
  const moving = new Set(scene.bodies.map((b) => nodes[b.node]));
  // The run replaces whatever the file animated on these nodes.
  for (const animation of root.listAnimations()) {
    for (const channel of animation.listChannels()) if (moving.has(channel.getTargetNode()!) && channel.getTargetPath() !== 'weights') channel.dispose();
    if (animation.listChannels().length === 0) animation.dispose();
  }
  // A GLB holds one buffer: everything moves into the first.
  const [buffer, ...others] = root.listBuffers().length > 0 ? root.listBuffers() : [document.createBuffer()];
  for (const accessor of root.listAccessors()) accessor.setBuffer(buffer!);
  others.forEach((b) => b.dispose());

  const times = document
    .createAccessor('simulation time')
    .setType('SCALAR')
    .setArray(Float32Array.from(keyframes.steps, (s) => s * settings.dtSeconds))
    .setBuffer(buffer!);
  const animation = document.createAnimation(SIMULATION_ANIMATION);
  localTracks(scene, keyframes).forEach((track, b) => {
    const node = nodes[scene.bodies[b]!.node]!;
    for (const [path, type, values] of [['translation', 'VEC3', track.translation], ['rotation', 'VEC4', track.rotation]] as const) {
      const output = document.createAccessor().setType(type).setArray(values).setBuffer(buffer!);
      const sampler = document.createAnimationSampler().setInput(times).setOutput(output).setInterpolation('LINEAR');
      animation.addSampler(sampler).addChannel(document.createAnimationChannel().setTargetNode(node).setTargetPath(path).setSampler(sampler));
    }
  });

  const { json, resources } = await new NodeIO().writeJSON(document, { format: Format.GLB });
  const warnings = carryExtensions(source.json, json);
  return { glb: packGlb(json, resources[GLB_BUFFER] ?? null), warnings };
}

function carryExtensions(input: GLTF.IGLTF, output: GLTF.IGLTF): string[] {
  const used = (Array.isArray(input.extensionsUsed) ? input.extensionsUsed : []).filter((e) => typeof e === 'string');
  const carried = used.filter((e) => CARRIED.includes(e));
  const copy = (from: { extensions?: Record<string, unknown> } | undefined, to: { extensions?: Record<string, unknown> } | undefined): void => {
    if (!from?.extensions || !to) return;
    for (const name of carried) if (from.extensions[name] !== undefined) to.extensions = { ...to.extensions, [name]: from.extensions[name] };
  };
  copy(input as never, output as never);
  (input.nodes ?? []).forEach((node, i) => copy(node as never, output.nodes?.[i] as never));
  (input.materials ?? []).forEach((material, i) => copy(material as never, output.materials?.[i] as never));
  if (carried.length > 0) output.extensionsUsed = [...new Set([...(output.extensionsUsed ?? []), ...carried])];
  const required = (Array.isArray(input.extensionsRequired) ? input.extensionsRequired : []).filter((e) => carried.includes(e));
  if (required.length > 0) output.extensionsRequired = [...new Set([...(output.extensionsRequired ?? []), ...required])];
  return used
    .filter((e) => !CARRIED.includes(e) && !PHYSICS_EXTENSIONS.includes(e))
    .map((e) => `extension ${e} is not carried into the simulated .glb`);
}

/** How many objects and arrays JSON `text` opens (brackets inside strings do not count). */
function openings(text: string): number {
  let n = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) n++;
  }
  return n;
}
