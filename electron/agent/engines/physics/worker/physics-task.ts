// Owns running one physics task in this thread: read and check the scene, apply the variant's
// overrides, build the world (step 0) or restore it from the previous chunk's snapshot, step to
// the end of the chunk, and hand back keyframes, summary, the next snapshot and the run's hash.
// The worker runs this; so do tests, which need no thread.

import { createHash } from 'node:crypto';
import type { World } from '@dimforge/rapier3d-deterministic-compat';
import { readPhysicsFile, type PhysicsSceneFile } from '../reading/gltf-physics-reader.js';
import { freshAccumulators, resultHash, type Accumulators } from './physics-accumulators.js';
import { decodeChunkState, encodeChunkState, readSnapshotFile } from './physics-chunk-state.js';
import { BadPhysicsSettingsError, BadPhysicsSnapshotError } from '../physics-errors.js';
import { applyOverrides, type PhysicsOverrides } from '../physics-overrides.js';
import type { MotionKind, PhysicsScene, Quat, Vec3 } from '../reading/physics-scene.js';
import type { SceneSource } from '../reading/physics-scene-source.js';
import { checkKeyframeBytes, checkPhysicsSettings, type CheckedPhysicsSettings, type PhysicsSettings } from '../physics-settings.js';
import { colliderCount, maxSnapshotBytes, taskMemoryBytes } from '../reading/physics-budget.js';
import { POSE_FLOATS, runSteps, type ChunkKeyframes, type StepHooks } from './physics-stepper.js';
import { loadRapier } from './rapier-loader.js';
import { buildWorld } from './rapier-world-builder.js';
import { boundedWarnings, writePhysicsGlb } from '../physics-output.js';
import { mergeKeyframes } from './simulated-poses.js';

export { MAX_KEYFRAME_BYTES } from '../physics-settings.js';

export interface PhysicsTask {
  /** A .glb or .gltf on disk; or give sceneBytes (a .glb, or a .gltf with only data URIs). */
  scenePath?: string;
  sceneBytes?: Uint8Array;
  /** Names the scene in messages when it comes as bytes. */
  fileName?: string;
  settings?: PhysicsSettings;
  overrides?: PhysicsOverrides;
  /** Steps [fromStep, toStep) of the run; default the whole run. */
  fromStep?: number;
  toStep?: number;
  /** The previous chunk's `snapshot`; required when fromStep > 0. */
  snapshot?: Uint8Array;
  /** Or the file it is in (a lease's asset), read here, on the thread that runs the task. */
  snapshotPath?: string;
  /** Also write the run into the scene as a .glb (a whole run: a wedge variant). */
  writeGlb?: boolean;
}

export interface BodySummary {
  name: string;
  node: number;
  kind: MotionKind;
  /** World pose after the chunk's last step. */
  finalTranslation: Vec3;
  finalRotation: Quat;
  /** Seconds from which the body stayed at rest to the end (physics-accumulators); null if it still moves. */
  restSeconds: number | null;
  maxSpeedMPerS: number;
  contacts: number;
}

export interface PhysicsTaskResult {
  fromStep: number;
  toStep: number;
  settings: CheckedPhysicsSettings;
  bodies: { name: string; node: number }[];
  keyframes: ChunkKeyframes;
  /** As of toStep: the whole run's when toStep is its last step. */
  summary: BodySummary[];
  /** Continues the run from toStep (physics-chunk-state). */
  snapshot: Uint8Array;
  /** sha256 hex of every keyframe from step 0 to toStep and the world at toStep: equal runs, equal hashes. */
  hash: string;
  warnings: string[];
  /** The scene with this run as its animation, when the task asked for it (writeGlb). */
  glb?: Uint8Array;
}

export async function runPhysicsTaskInProcess(task: PhysicsTask, hooks: StepHooks = {}): Promise<PhysicsTaskResult> {
  const checked = checkPhysicsSettings(task.settings);
  const fromStep = task.fromStep ?? 0;
  const toStep = task.toStep ?? checked.totalSteps;
  if (!Number.isInteger(fromStep) || !Number.isInteger(toStep) || fromStep < 0 || toStep <= fromStep || toStep > checked.totalSteps) {
    throw new BadPhysicsSettingsError(`steps ${fromStep} to ${toStep} are not a part of the run's ${checked.totalSteps} steps`);
  }
  const file = await readTaskScene(task);
  const { scene, settings } = applyOverrides(file.scene, checked, task.overrides);
  checkKeyframeBytes(settings.keyframeCount, scene.bodies.length);
  // What this run may take, from what its scene declares: the runner stops the thread past it
  // (Rapier's WebAssembly memory is in this process, and no thread limit bounds it).
  const colliders = colliderCount(scene);
  const keyframeBytes = settings.keyframeCount * scene.bodies.length * POSE_FLOATS * Float32Array.BYTES_PER_ELEMENT;
  hooks.onMemoryBound?.(taskMemoryBytes(file.estimatedBytes, scene.bodies.length, colliders, keyframeBytes, fromStep > 0));
  const taskKey = taskFingerprint(file.source, settings, task.overrides);
  const R = await loadRapier();
  let world: World;
  let bodyHandles: number[];
  let accumulators: Accumulators;
  if (fromStep === 0) {
    if (task.snapshot || task.snapshotPath !== undefined) throw new BadPhysicsSnapshotError('a run from step 0 builds its world from the scene; give no snapshot');
    ({ world, bodyHandles } = buildWorld(R, scene, settings));
    accumulators = freshAccumulators(scene.bodies.length);
  } else {
    // A teammate's snapshot is no larger than a world of this scene can be: a larger one is refused before it is read.
    const maxBytes = maxSnapshotBytes(file.estimatedBytes, scene.bodies.length, colliders);
    if (task.snapshot && task.snapshot.byteLength > maxBytes) throw new BadPhysicsSnapshotError(`the snapshot to continue from is ${task.snapshot.byteLength} bytes; this run's can be at most ${maxBytes}`);
    const snapshot = task.snapshot ?? (task.snapshotPath !== undefined ? await readSnapshotFile(task.snapshotPath, maxBytes) : undefined);
    ({ world, bodyHandles, accumulators } = restore(R, snapshot, fromStep, taskKey, scene));
  }
  const eventQueue = new R.EventQueue(true);
  try {
    const bodies = bodyHandles.map((h) => world.getRigidBody(h));
    // From each body's own list: in a restored world, Collider.parent() of a static collider
    // answers body handle 0 instead of null (rapier3d-compat 0.21), which would credit the
    // ground's contacts to the first body.
    const colliderBody = new Map<number, number>();
    bodies.forEach((body, b) => {
      for (let i = 0; i < body.numColliders(); i++) colliderBody.set(body.collider(i).handle, b);
    });
    const keyframes = runSteps({ world, eventQueue, bodies, colliderBody, settings, accumulators }, fromStep, toStep, hooks);
    const rapierSnapshot = world.takeSnapshot();
    const summary = scene.bodies.map((b, i): BodySummary => {
      const t = bodies[i]!.translation();
      const r = bodies[i]!.rotation();
      const acc = accumulators.bodies[i]!;
      return {
        name: b.name,
        node: b.node,
        kind: b.kind,
        finalTranslation: [t.x, t.y, t.z],
        finalRotation: [r.x, r.y, r.z, r.w],
        restSeconds: acc.restSinceStep === null ? null : acc.restSinceStep * settings.dtSeconds,
        maxSpeedMPerS: acc.maxSpeedMPerS,
        contacts: acc.contacts,
      };
    });
    let glb: Uint8Array | undefined;
    const warnings = [...scene.warnings];
    if (task.writeGlb) {
      if (fromStep !== 0 || toStep !== settings.totalSteps) throw new BadPhysicsSettingsError('only a whole run (steps 0 to the end) can be written as a .glb; join a bake\'s chunks first');
      const written = await writePhysicsGlb(file, settings, mergeKeyframes([keyframes]));
      glb = written.glb;
      warnings.push(...written.warnings);
    }
    return {
      fromStep,
      toStep,
      settings,
      bodies: scene.bodies.map((b) => ({ name: b.name, node: b.node })),
      keyframes,
      summary,
      snapshot: encodeChunkState({ step: toStep, taskKey, bodyHandles, accumulators }, rapierSnapshot),
      hash: resultHash(accumulators, rapierSnapshot),
      warnings: boundedWarnings(warnings),
      ...(glb ? { glb } : {}),
    };
  } finally {
    eventQueue.free();
    world.free();
  }
}

export function readTaskScene(task: PhysicsTask): Promise<PhysicsSceneFile> {
  if (task.scenePath !== undefined) return readPhysicsFile({ scenePath: task.scenePath });
  if (task.sceneBytes !== undefined) return readPhysicsFile({ sceneBytes: task.sceneBytes, ...(task.fileName ? { fileName: task.fileName } : {}) });
  throw new BadPhysicsSettingsError('a physics task needs a scenePath or sceneBytes');
}

function restore(R: Awaited<ReturnType<typeof loadRapier>>, snapshot: Uint8Array | undefined, fromStep: number, taskKey: string, scene: PhysicsScene) {
  if (!snapshot) throw new BadPhysicsSnapshotError(`a run from step ${fromStep} continues a snapshot; give the previous chunk's`);
  const { header, rapierSnapshot } = decodeChunkState(snapshot);
  if (header.step !== fromStep) throw new BadPhysicsSnapshotError(`the snapshot was taken after step ${header.step}, not ${fromStep}; give the snapshot of the chunk that ends at ${fromStep}`);
  if (header.taskKey !== taskKey) throw new BadPhysicsSnapshotError('the snapshot belongs to another scene, settings or variant; continue it with the task it came from');
  if (header.bodyHandles.length !== scene.bodies.length || header.accumulators.bodies.length !== scene.bodies.length) {
    throw new BadPhysicsSnapshotError('the snapshot has a different number of bodies than the scene');
  }
  let world: World;
  try {
    world = R.World.restoreSnapshot(rapierSnapshot);
  } catch {
    world = null as unknown as World;
  }
  if (!world || header.bodyHandles.some((h) => !world.bodies.contains(h))) throw new BadPhysicsSnapshotError('the snapshot\'s world is damaged');
  return { world, bodyHandles: header.bodyHandles, accumulators: header.accumulators };
}

/** What a world was built from: the scene's bytes, the settings in effect and the overrides, canonically. */
function taskFingerprint(source: SceneSource, settings: CheckedPhysicsSettings, overrides: PhysicsOverrides | undefined): string {
  const hash = createHash('sha256').update(canonicalJson(source.json));
  for (const key of Object.keys(source.resources).sort()) hash.update(key).update(source.resources[key]!);
  return hash.update(canonicalJson({ settings, overrides: overrides ?? {} })).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}
