// Owns the physics benchmark's measurement: steps per second for N dynamic boxes falling into a
// pile, through this engine's stepping loop (events, summary, keyframes) and through a bare
// `world.step()` loop on the same world. Both worlds must end in the same bytes: the engine's
// bookkeeping only reads the world, and this checks that it does. The first call in a process is
// slow for both (V8 moves Rapier's WebAssembly to its optimising tier in the background, over the
// first second or so): make one call to throw away before the ones you keep.

import { performance } from 'node:perf_hooks';
import { freshAccumulators } from './physics-accumulators.js';
import type { BodyModel, PhysicsScene } from './physics-scene.js';
import { checkPhysicsSettings } from './physics-settings.js';
import { runSteps } from './physics-stepper.js';
import { loadRapier } from './rapier-loader.js';
import { buildWorld } from './rapier-world-builder.js';

export interface PhysicsBenchOptions {
  /** Dynamic boxes, 1 to 100,000. */
  bodies: number;
  /** Timed steps, default 600 (10 s at 1/60 s), after WARM_UP_STEPS untimed ones. */
  steps?: number;
}

/** Run first, untimed, so neither loop is timed while V8 still compiles it or the pile is still in the air. */
export const WARM_UP_STEPS = 30;

export interface PhysicsBenchResult {
  bodies: number;
  steps: number;
  engineStepsPerSecond: number;
  bareStepsPerSecond: number;
  /** Engine time over bare time: 1.0 is no overhead. */
  overhead: number;
  /** Both loops ended with byte-identical worlds. */
  identical: boolean;
}

export async function benchPhysicsStepping({ bodies, steps = 600 }: PhysicsBenchOptions): Promise<PhysicsBenchResult> {
  if (!Number.isInteger(bodies) || bodies < 1 || bodies > 100_000) throw new RangeError(`bodies must be a whole number from 1 to 100000, not ${bodies}`);
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a whole number of at least 1, not ${steps}`);
  const R = await loadRapier();
  const scene = pileScene(bodies);
  const total = WARM_UP_STEPS + steps;
  const settings = checkPhysicsSettings({ steps: total });
  const time = (run: () => void): number => {
    const start = performance.now();
    run();
    return (performance.now() - start) / 1000;
  };
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
    runSteps(loop, 0, WARM_UP_STEPS);
    for (let i = 0; i < WARM_UP_STEPS; i++) bare.world.step();
    const engineSeconds = time(() => runSteps(loop, WARM_UP_STEPS, total));
    const bareSeconds = time(() => {
      for (let i = WARM_UP_STEPS; i < total; i++) bare.world.step();
    });
    const a = engine.world.takeSnapshot();
    const b = bare.world.takeSnapshot();
    return {
      bodies,
      steps,
      engineStepsPerSecond: steps / engineSeconds,
      bareStepsPerSecond: steps / bareSeconds,
      overhead: engineSeconds / bareSeconds,
      identical: a.length === b.length && Buffer.compare(a, b) === 0,
    };
  } finally {
    queue.free();
    engine.world.free();
    bare.world.free();
  }
}

/** N half-metre boxes in a square grid of columns, a hair apart, above a static ground. */
export function pileScene(count: number): PhysicsScene {
  const side = Math.ceil(Math.sqrt(count / 4));
  const material = { friction: 0.6, restitution: 0, frictionCombine: null, restitutionCombine: null };
  const box = (i: number): BodyModel => {
    const layer = Math.floor(i / (side * side));
    const x = (i % side) * 0.55 - (side * 0.55) / 2;
    const z = (Math.floor(i / side) % side) * 0.55 - (side * 0.55) / 2;
    return {
      node: i + 1,
      name: `box ${i}`,
      kind: 'dynamic',
      translation: [x, 0.3 + layer * 0.51, z],
      rotation: [0, 0, 0, 1],
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
