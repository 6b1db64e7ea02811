// Owns the stepping loop: steps [from, to) of fixed size, each as `substeps` Rapier steps, with
// on keyframe steps every moving body's pose recorded and the summary's accumulators updated.
// Keyframe k belongs to the chunk whose steps end at or after it (state 0 to the first chunk), so
// chunks together record each keyframe once.
//
// Speeds are read at keyframes, not after every step: each read is a call into WebAssembly, and
// with a thousand bodies reading every step cost more than the figure allows (bench:physics).
// Top speed is then the fastest a body went at any keyframe (the frames the animation shows) or
// in the step it woke from sleep, and a body comes to rest at the first keyframe (or waking) of
// its last still run, or in the step it fell asleep, whichever the steps show first.

import type { EventQueue, RigidBody, World } from '@dimforge/rapier3d-deterministic-compat';
import { chainKeyframe, REST_ANGULAR_SPEED_RAD_PER_S, REST_SPEED_M_PER_S, type Accumulators } from './physics-accumulators.js';
import { keyframeStep, type CheckedPhysicsSettings } from '../physics-settings.js';

/** Floats per body per keyframe: translation xyz, rotation xyzw. */
export const POSE_FLOATS = 7;
const PROGRESS_INTERVAL_MS = 250;
/** What a callback from Rapier's active set costs, in asks of one body whether it sleeps (measured: ~70 ns vs ~15 ns). */
const ACTIVE_SET_CALL_COST = 5;

export interface ChunkKeyframes {
  /** The index of this chunk's first keyframe in the whole run. */
  first: number;
  /** The step after which each keyframe was recorded (time = step × dt). */
  steps: Uint32Array;
  /** keyframes × bodies × POSE_FLOATS, float32 as Rapier keeps them. */
  poses: Float32Array;
}

export interface StepLoop {
  world: World;
  eventQueue: EventQueue;
  /** PhysicsScene.bodies order. */
  bodies: RigidBody[];
  /** Collider handle → index in `bodies` (static colliders are absent). */
  colliderBody: Map<number, number>;
  settings: CheckedPhysicsSettings;
  accumulators: Accumulators;
}

export interface StepHooks {
  onProgress?: (stepsDone: number, steps: number) => void;
  /** Checked every step; aborting throws its reason. */
  signal?: AbortSignal;
  /** Once the scene is read: the most memory the task should take (physics-budget), for the runner's watchdog. */
  onMemoryBound?: (bytes: number) => void;
}

/** The first keyframe a chunk starting at `fromStep` records. */
export function firstKeyframe(settings: CheckedPhysicsSettings, fromStep: number): number {
  if (fromStep === 0) return 0;
  let k = Math.max(0, Math.floor(fromStep * settings.dtSeconds * settings.fps) - 2);
  while (k < settings.keyframeCount && keyframeStep(settings, k) <= fromStep) k++;
  return k;
}

/** The keyframes [first, end) a chunk of steps [fromStep, toStep) records: what its keyframes output must hold, exactly. */
export function chunkKeyframeRange(settings: CheckedPhysicsSettings, fromStep: number, toStep: number): { first: number; end: number } {
  const first = firstKeyframe(settings, fromStep);
  let end = first;
  while (end < settings.keyframeCount && keyframeStep(settings, end) <= toStep) end++;
  return { first, end };
}

export function runSteps(loop: StepLoop, fromStep: number, toStep: number, hooks: StepHooks = {}): ChunkKeyframes {
  const { world, eventQueue, bodies, colliderBody, settings, accumulators } = loop;
  const { first, end: last } = chunkKeyframeRange(settings, fromStep, toStep);
  const steps = new Uint32Array(last - first);
  const poses = new Float32Array((last - first) * bodies.length * POSE_FLOATS);
  // Sleeping bodies neither move nor need reading (each read is a call into WebAssembly, which
  // with many bodies at rest cost more than the step itself). Dynamic bodies are read through
  // the world's active set; a body is known not to have moved in a step if it was asleep both
  // before and after it, and then its last recorded pose is copied instead of read again. Only
  // bodies that change state are visited: a step of a resting pile costs no loop over it.
  const index = new Map(bodies.map((body, b) => [body.handle, b]));
  const isDynamic = Uint8Array.from(bodies, (body) => (body.isDynamic() ? 1 : 0));
  const dynamic = bodies.flatMap((_, b) => (isDynamic[b] === 1 ? [b] : []));
  const kinematic = bodies.flatMap((_, b) => (isDynamic[b] === 1 ? [] : [b]));
  const movedIn = new Float64Array(bodies.length).fill(Infinity); // the last step in which each may have moved (unknown yet: always)
  const awakeAfter = new Float64Array(bodies.length).fill(-Infinity); // the last step after which each was awake
  // Awake after the step before this chunk's first, asked of each body once (the world as the
  // last chunk left it): so a body woken in this chunk's first step is seen waking, as it would
  // be in an uncut run. One asleep has not moved since before the chunk.
  let awakeLast: number[] = [];
  let awakeThis: number[] = [];
  bodies.forEach((body, b) => {
    if (body.isSleeping()) movedIn[b] = fromStep - 1;
    else {
      awakeLast.push(b);
      awakeAfter[b] = fromStep - 1;
    }
  });
  let recordedAfter = -Infinity; // the step after which the last keyframe of this chunk was recorded
  let next = first;
  // At a keyframe after `step` steps, for a body awake after the last of them.
  const judge = (b: number, step: number): void => {
    const acc = accumulators.bodies[b]!;
    const body = bodies[b]!;
    const speed = speedOf(body);
    if (speed > acc.maxSpeedMPerS) acc.maxSpeedMPerS = speed;
    // The turn matters only to a body slow enough to be at rest: a fast one is not, whatever it turns.
    if (speed >= REST_SPEED_M_PER_S) acc.restSinceStep = null;
    else if (turnOf(body) < REST_ANGULAR_SPEED_RAD_PER_S) acc.restSinceStep ??= step;
    else acc.restSinceStep = null;
  };
  const record = (step: number): void => {
    const stride = bodies.length * POSE_FLOATS;
    const at = (next - first) * stride;
    // The last keyframe, whole (one copy), then the bodies that may have moved since, read.
    if (next > first) poses.copyWithin(at, at - stride, at);
    bodies.forEach((body, b) => {
      if (next > first && movedIn[b]! <= recordedAfter) return;
      const i = at + b * POSE_FLOATS;
      const t = body.translation(scratch.vector);
      poses[i] = t.x;
      poses[i + 1] = t.y;
      poses[i + 2] = t.z;
      const r = body.rotation(scratch.rotation);
      poses[i + 3] = r.x;
      poses[i + 4] = r.y;
      poses[i + 5] = r.z;
      poses[i + 6] = r.w;
    });
    // Speed and rest of the bodies awake after the last step (an asleep one's are zero, and it
    // came to rest when it fell asleep). Keyframe 0 has no step before it: its speeds are the start's.
    if (step > 0) for (const b of awakeLast) judge(b, step);
    steps[next - first] = step;
    chainKeyframe(accumulators, poses.subarray(at, at + stride));
    recordedAfter = step - 1;
    next++;
  };
  if (fromStep === 0) {
    // The start counts: a body thrown at 7 m/s had that speed, even if friction takes some in the first step.
    bodies.forEach((body, b) => (accumulators.bodies[b]!.maxSpeedMPerS = speedOf(body)));
    if (first === 0) record(0);
  }
  const onContact = (c1: number, c2: number, started: boolean): void => {
    if (!started) return;
    const b1 = colliderBody.get(c1);
    const b2 = colliderBody.get(c2);
    if (b1 !== undefined) accumulators.bodies[b1]!.contacts++;
    if (b2 !== undefined && b2 !== b1) accumulators.bodies[b2]!.contacts++;
  };
  let reportAt = Date.now() + PROGRESS_INTERVAL_MS;
  for (let step = fromStep; step < toStep; step++) {
    if (hooks.signal?.aborted) throw hooks.signal.reason;
    for (let s = 0; s < settings.substeps; s++) {
      world.step(eventQueue);
      eventQueue.drainCollisionEvents(onContact);
    }
    const awake = (b: number): void => {
      const woke = awakeAfter[b] !== step - 1;
      awakeThis.push(b);
      awakeAfter[b] = step;
      movedIn[b] = step;
      // Judged as it wakes too: a sleeping body knocked (fastest just after the knock) may come to
      // rest again before the next keyframe, and would otherwise keep its old rest and top speed.
      if (woke) judge(b, step + 1);
    };
    // Which dynamic bodies are awake: Rapier's active set calls back once for each awake body
    // (~70 ns a call), or each body can be asked (~15 ns, awake or not). Whichever was cheaper
    // for the step before is used: a toppling heap asks each, a resting pile walks the set.
    if (awakeLast.length * ACTIVE_SET_CALL_COST > dynamic.length) {
      for (const b of dynamic) if (!bodies[b]!.isSleeping()) awake(b);
    } else {
      // Handles, not bodies: Rapier would make a wrapper object per awake body per step (garbage).
      world.islands.forEachActiveRigidBodyHandle((handle) => {
        const b = index.get(handle);
        if (b !== undefined && isDynamic[b] === 1) awake(b);
      });
    }
    // Kinematic bodies are not in the active set: ask each (Rapier zeroes a sleeping body's velocities).
    for (const b of kinematic) if (!bodies[b]!.isSleeping()) awake(b);
    for (const b of awakeLast) {
      if (awakeAfter[b] === step) continue;
      // Asleep now, awake before: it fell asleep in this step, after moving in it.
      movedIn[b] = step;
      accumulators.bodies[b]!.restSinceStep ??= step + 1;
    }
    [awakeLast, awakeThis] = [awakeThis, awakeLast];
    awakeThis.length = 0;
    while (next < last && keyframeStep(settings, next) <= step + 1) record(step + 1);
    if (hooks.onProgress && ((step & 63) === 0 || step + 1 === toStep) && (Date.now() >= reportAt || step + 1 === toStep)) {
      reportAt = Date.now() + PROGRESS_INTERVAL_MS;
      hooks.onProgress(step + 1 - fromStep, toStep - fromStep);
    }
  }
  return { first, steps, poses };
}

/** Reused for every read from Rapier: its getters fill a given object instead of making one per call. */
const scratch = { vector: { x: 0, y: 0, z: 0 }, rotation: { x: 0, y: 0, z: 0, w: 1 } };

// sqrt, not Math.hypot: sqrt is exactly rounded on every machine, hypot is not.
function speedOf(body: RigidBody): number {
  const l = body.linvel(scratch.vector);
  return Math.sqrt(l.x * l.x + l.y * l.y + l.z * l.z);
}

function turnOf(body: RigidBody): number {
  const a = body.angvel(scratch.vector);
  return Math.sqrt(a.x * a.x + a.y * a.y + a.z * a.z);
}
