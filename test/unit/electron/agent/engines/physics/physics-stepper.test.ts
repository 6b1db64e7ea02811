// The stepping loop skips what it can (poses of bodies asleep across a keyframe interval are
// copied, awake bodies are found through Rapier's active set or by asking each, whichever is
// cheaper), so it is checked here against a loop that skips nothing: the same world, every body's
// pose read at every keyframe. Piles of boxes go through both ways of finding awake bodies: all
// awake as they fall, then fewer and fewer, then none.

import { describe, expect, it } from 'vitest';
import { fallingPileScene, restingPileScene } from '../../../../../../electron/agent/engines/physics/samples/physics-bench-core.js';
import { freshAccumulators } from '../../../../../../electron/agent/engines/physics/worker/physics-accumulators.js';
import type { PhysicsScene } from '../../../../../../electron/agent/engines/physics/reading/physics-scene.js';
import { checkPhysicsSettings, keyframeStep } from '../../../../../../electron/agent/engines/physics/physics-settings.js';
import { POSE_FLOATS, runSteps } from '../../../../../../electron/agent/engines/physics/worker/physics-stepper.js';
import { loadRapier } from '../../../../../../electron/agent/engines/physics/worker/rapier-loader.js';
import { buildWorld } from '../../../../../../electron/agent/engines/physics/worker/rapier-world-builder.js';

const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function compare(scene: PhysicsScene, steps: number, cuts: number[]): Promise<{ awakeAtEnd: number }> {
  const R = await loadRapier();
  const settings = checkPhysicsSettings({ steps, fps: 24 });
  const engine = buildWorld(R, scene, settings);
  const naive = buildWorld(R, scene, settings);
  const queue = new R.EventQueue(true);
  try {
    const bodies = engine.bodyHandles.map((h) => engine.world.getRigidBody(h));
    const loop = { world: engine.world, eventQueue: queue, bodies, colliderBody: new Map(bodies.map((b, i) => [b.collider(0).handle, i])), settings, accumulators: freshAccumulators(bodies.length) };
    // In chunks, as a bake runs: each chunk starts knowing nothing of which bodies slept.
    const chunks = [0, ...cuts, steps].slice(1).map((to, i, all) => runSteps(loop, i === 0 ? 0 : all[i - 1]!, to));
    const poses = new Float32Array(chunks.reduce((n, c) => n + c.poses.length, 0));
    chunks.reduce((at, c) => (poses.set(c.poses, at), at + c.poses.length), 0);

    const naiveBodies = naive.bodyHandles.map((h) => naive.world.getRigidBody(h));
    const expected = new Float32Array(settings.keyframeCount * naiveBodies.length * POSE_FLOATS);
    const read = (k: number) =>
      naiveBodies.forEach((body, b) => {
        const { x, y, z } = body.translation();
        const r = body.rotation();
        expected.set([x, y, z, r.x, r.y, r.z, r.w], (k * naiveBodies.length + b) * POSE_FLOATS);
      });
    let k = 0;
    read(k++);
    for (let step = 1; step <= steps; step++) {
      naive.world.step();
      while (k < settings.keyframeCount && keyframeStep(settings, k) === step) read(k++);
    }
    expect(k).toBe(settings.keyframeCount);
    expect(bytes(poses).equals(bytes(expected))).toBe(true);
    let awakeAtEnd = 0;
    engine.world.islands.forEachActiveRigidBodyHandle(() => void awakeAtEnd++);
    return { awakeAtEnd };
  } finally {
    queue.free();
    engine.world.free();
    naive.world.free();
  }
}

describe('runSteps', () => {
  it('records the poses a loop that reads every body at every keyframe records, while a heap falls, topples and settles', async () => {
    await compare(fallingPileScene(125), 480, [7, 100, 101, 250]);
  });

  it('and while a pile falls asleep and stays asleep, across chunks', async () => {
    const { awakeAtEnd } = await compare(restingPileScene(100), 300, [40, 41, 200]);
    expect(awakeAtEnd).toBe(0);
  });

  it('and while a few boxes fall from high above a pile that is already asleep, then land on it and wake it', async () => {
    const scene = restingPileScene(105);
    scene.bodies.slice(100).forEach((body, i) => (body.translation = [i * 0.7 - 1.4, 20 + 6 * i, 0.1 * i]));
    await compare(scene, 480, [90, 300]);
  });
});
