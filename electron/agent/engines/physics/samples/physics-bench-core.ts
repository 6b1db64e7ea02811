// Owns the physics benchmark's measurement: steps per second for N dynamic boxes, through this
// engine's stepping loop (events, summary, keyframes) and through a bare `world.step()` loop on
// the same world. Both worlds must end in the same bytes: the engine's bookkeeping only reads the
// world, and this checks that it does. The two loops take turns, a block of steps each, so a
// neighbour's load on this shared machine falls on both alike. The first call in a process is
// slow for both (V8 moves Rapier's WebAssembly to its optimising tier in the background, over the
// first second or so): make one call to throw away before the ones you keep.
//
// Two piles: `falling` (staggered layers that topple into a heap, awake through the timed steps:
// what a bake of many bodies is) and `resting` (layers a hair apart that settle and fall asleep
// within the warm-up: Rapier then skips them, a step costs little, and what remains is this
// engine's fixed cost per step and keyframe).

import { performance } from 'node:perf_hooks';
import { freshAccumulators } from '../worker/physics-accumulators.js';
import type { BodyModel, PhysicsScene, Quat, Vec3 } from '../reading/physics-scene.js';
import { checkPhysicsSettings } from '../physics-settings.js';
import { runSteps } from '../worker/physics-stepper.js';
import { loadRapier } from '../worker/rapier-loader.js';
import { buildWorld } from '../worker/rapier-world-builder.js';

export interface PhysicsBenchOptions {
  /** Dynamic boxes, 1 to 100,000. */
  bodies: number;
  /** Timed steps, default 600 (10 s at 1/60 s), after WARM_UP_STEPS untimed ones. */
  steps?: number;
  /** Default `falling`. */
  pile?: BenchPile;
  /** A control: time a bare loop in the engine's place, to show how far apart two equal loops come out on this machine now. */
  control?: boolean;
}

export type BenchPile = 'falling' | 'resting';

/** Run first, untimed, so neither loop is timed while V8 still compiles it. */
export const WARM_UP_STEPS = 30;
/** Steps each loop runs in its turn: long enough that the engine's setup per call (as per chunk) does not count. */
const BLOCK_STEPS = 60;

export interface PhysicsBenchResult {
  bodies: number;
  steps: number;
  engineStepsPerSecond: number;
  bareStepsPerSecond: number;
  /** Engine time over bare time: 1.0 is no overhead. */
  overhead: number;
  /** Both loops ended with byte-identical worlds. */
  identical: boolean;
  /** Bodies awake (simulated, not skipped by Rapier) after each block, as a share of all, averaged. */
  awakeShare: number;
}

export async function benchPhysicsStepping({ bodies, steps = 600, pile = 'falling', control = false }: PhysicsBenchOptions): Promise<PhysicsBenchResult> {
  if (!Number.isInteger(bodies) || bodies < 1 || bodies > 100_000) throw new RangeError(`bodies must be a whole number from 1 to 100000, not ${bodies}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a whole number of at least 1, not ${steps}`);
  const R = await loadRapier();
  const scene = pile === 'falling' ? fallingPileScene(bodies) : restingPileScene(bodies);
  const total = WARM_UP_STEPS + steps;
  const settings = checkPhysicsSettings({ steps: total });
  const engine = buildWorld(R, scene, settings);
  const bare = buildWorld(R, scene, settings);
  const queue = new R.EventQueue(true);
  try {
    const loop = {
      world: engine.world,
      eventQueue: queue,
      bodies: engine.bodyHandles.map((h) => engine.world.getRigidBody(h)),
      colliderBody: new Map(engine.bodyHandles.map((h, i) => [engine.world.getRigidBody(h).collider(0).handle, i])),
      settings,
      accumulators: freshAccumulators(bodies),
    };
    const runEngine = control
      ? (from: number, to: number): void => {
          for (let i = from; i < to; i++) engine.world.step();
        }
      : (from: number, to: number): void => void runSteps(loop, from, to);
    const runBare = (from: number, to: number): void => {
      for (let i = from; i < to; i++) bare.world.step();
    };
    runEngine(0, WARM_UP_STEPS);
    runBare(0, WARM_UP_STEPS);
    let engineSeconds = 0;
    let bareSeconds = 0;
    let awake = 0;
    let blocks = 0;
    for (let from = WARM_UP_STEPS; from < total; from += BLOCK_STEPS, blocks++) {
      const to = Math.min(total, from + BLOCK_STEPS);
      // Whichever goes first in a block meets caches the other left: take turns at that too.
      const order = blocks % 2 === 0 ? (['engine', 'bare'] as const) : (['bare', 'engine'] as const);
      for (const which of order) {
        const start = performance.now();
        if (which === 'engine') runEngine(from, to);
        else runBare(from, to);
        const seconds = (performance.now() - start) / 1000;
        if (which === 'engine') engineSeconds += seconds;
        else bareSeconds += seconds;
      }
      bare.world.islands.forEachActiveRigidBodyHandle(() => void awake++);
    }
    const a = engine.world.takeSnapshot();
    const b = bare.world.takeSnapshot();
    return {
      bodies,
      steps,
      engineStepsPerSecond: steps / engineSeconds,
      bareStepsPerSecond: steps / bareSeconds,
      overhead: engineSeconds / bareSeconds,
      identical: a.length === b.length && Buffer.compare(a, b) === 0,
      awakeShare: awake / (blocks * bodies),
    };
  } finally {
    queue.free();
    engine.world.free();
    bare.world.free();
  }
}

/**
 * N half-metre boxes in columns, each layer 0.3 m above the one below and every other layer
 * shifted by half a box, slightly tilted: they land on edges and corners and topple into a heap
 * (a 1,000-box heap keeps 90 % or more of its boxes moving for the first 5 s).
 */
export function fallingPileScene(count: number): PhysicsScene {
  const side = Math.max(1, Math.round(Math.cbrt(count)));
  return pileOf(count, (i) => {
    const layer = Math.floor(i / (side * side));
    const shift = (layer % 2) * 0.27;
    const tilt = (i * 0.618) % 1; // a golden-ratio walk: a different, repeatable tilt for each box
    return {
      translation: [(i % side) * 0.55 - (side * 0.55) / 2 + shift, 0.3 + layer * 0.8, (Math.floor(i / side) % side) * 0.55 - (side * 0.55) / 2 + shift],
      rotation: unitQuat([Math.sin(tilt) * 0.2, 0, Math.sin(tilt * 3) * 0.2, 1]),
    };
  });
}

/** N half-metre boxes in a square grid of columns, a hair apart, above a static ground: they settle and sleep within half a second. */
export function restingPileScene(count: number): PhysicsScene {
  const side = Math.ceil(Math.sqrt(count / 4));
  return pileOf(count, (i) => {
    const layer = Math.floor(i / (side * side));
    return {
      translation: [(i % side) * 0.55 - (side * 0.55) / 2, 0.3 + layer * 0.51, (Math.floor(i / side) % side) * 0.55 - (side * 0.55) / 2],
      rotation: [0, 0, 0, 1],
    };
  });
}

function unitQuat(q: Quat): Quat {
  const n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** `count` boxes placed by `place`, on a static ground. */
function pileOf(count: number, place: (i: number) => { translation: Vec3; rotation: Quat }): PhysicsScene {
  const material = { friction: 0.6, restitution: 0, frictionCombine: null, restitutionCombine: null };
  const box = (i: number): BodyModel => {
    const { translation, rotation } = place(i);
    return {
      node: i + 1,
      name: `box ${i}`,
      kind: 'dynamic',
      translation,
      rotation,
      linearVelocity: [0, 0, 0],
      angularVelocity: [0, 0, 0],
      gravityFactor: 1,
      mass: null,
      centerOfMass: null,
      inertia: null,
      colliders: [{ node: i + 1, name: `box ${i}`, shape: { kind: 'box', halfExtents: [0.25, 0.25, 0.25] }, translation: [0, 0, 0], rotation: [0, 0, 0, 1], material, groups: 0xffffffff }],
      parent: { body: null, translation: [0, 0, 0], rotation: [0, 0, 0, 1], scale: 1 },
      localScale: [1, 1, 1],
    };
  };
  return {
    fileName: `pile of ${count}`,
    bodies: Array.from({ length: count }, (_, i) => box(i)),
    staticColliders: [{ node: 0, name: 'ground', shape: { kind: 'halfspace' }, translation: [0, 0, 0], rotation: [0, 0, 0, 1], material, groups: 0xffffffff }],
    joints: [],
    warnings: [],
  };
}
