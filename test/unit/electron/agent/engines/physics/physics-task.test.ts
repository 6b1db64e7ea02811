import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BadPhysicsOverrideError,
  BadPhysicsSnapshotError,
  mergeKeyframes,
  runPhysicsTaskInProcess,
  type PhysicsTaskResult,
} from '../../../../../../electron/agent/engines/physics/index.js';
import { addNode, boxScene, SAMPLE } from './physics-fixtures.js';

const settings = { durationSeconds: 3 };
const sample = { scenePath: SAMPLE, settings };
const bytesOf = (a: Float32Array | Uint32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('not refused');
    },
    (e: Error) => e,
  );
}

describe('runPhysicsTaskInProcess', () => {
  it('knocks the tower over: boxes move, stop, and touch things; the ball is fastest', async () => {
    const run = await runPhysicsTaskInProcess(sample);
    expect(run.keyframes).toMatchObject({ first: 0 });
    expect(run.keyframes.steps).toHaveLength(91);
    expect(run.keyframes.poses).toHaveLength(91 * 13 * 7);
    const ball = run.summary.at(-1)!;
    expect(ball.name).toBe('Ball');
    expect(ball.maxSpeedMPerS).toBe(7);
    expect(Math.max(...run.summary.map((s) => s.maxSpeedMPerS))).toBe(ball.maxSpeedMPerS);
    expect(run.summary.every((s) => s.contacts > 0)).toBe(true);
    const toppled = run.summary.filter((s) => s.name.startsWith('Box') && s.finalTranslation[1] < 1.5 && s.name.startsWith('Box r3'));
    expect(toppled.length).toBeGreaterThan(0);
    expect(run.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is deterministic: two runs give the same bytes', async () => {
    const [a, b] = [await runPhysicsTaskInProcess(sample), await runPhysicsTaskInProcess(sample)];
    expect(bytesOf(a.snapshot).equals(bytesOf(b.snapshot))).toBe(true);
    expect(bytesOf(a.keyframes.poses).equals(bytesOf(b.keyframes.poses))).toBe(true);
    expect(a.hash).toBe(b.hash);
    expect(a.summary).toEqual(b.summary);
    // And the same on every machine (Rapier's deterministic build, our arithmetic only + - * / sqrt):
    // if this fails on one machine but not another, that machine simulates differently.
    expect(a.hash).toBe('e4be4f85e200dac0b2965e0c3159ee524874e0155b07150c13d687ebe89e712d');
  });

  it('runs in chunks from snapshots to the same bits as in one go: keyframes, summary, world and hash', async () => {
    const whole = await runPhysicsTaskInProcess(sample);
    const chunks: PhysicsTaskResult[] = [];
    // Uneven cuts, one between keyframes and one of a single step.
    for (const [fromStep, toStep] of [[0, 47], [47, 48], [48, 131], [131, 180]] as const) {
      chunks.push(await runPhysicsTaskInProcess({ ...sample, fromStep, toStep, ...(fromStep > 0 ? { snapshot: chunks.at(-1)!.snapshot } : {}) }));
    }
    const merged = mergeKeyframes(chunks.map((c) => c.keyframes));
    expect(bytesOf(merged.poses).equals(bytesOf(whole.keyframes.poses))).toBe(true);
    expect([...merged.steps]).toEqual([...whole.keyframes.steps]);
    const last = chunks.at(-1)!;
    expect(last.hash).toBe(whole.hash);
    expect(bytesOf(last.snapshot).equals(bytesOf(whole.snapshot))).toBe(true);
    expect(last.summary).toEqual(whole.summary);
    // Keyframe k is the state after step 2k: each chunk records those its steps end on.
    expect(chunks.map((c) => [c.keyframes.first, c.keyframes.steps.length])).toEqual([[0, 24], [24, 1], [25, 41], [66, 25]]);
  });

  it('applies a variant\'s overrides at step 0, and they change the outcome', async () => {
    const base = await runPhysicsTaskInProcess(sample);
    const slow = await runPhysicsTaskInProcess({ ...sample, overrides: { bodies: { Ball: { linearVelocity: { x: 1 } } } } });
    expect(slow.summary.at(-1)!.maxSpeedMPerS).toBe(1);
    expect(slow.hash).not.toBe(base.hash);
    const moon = await runPhysicsTaskInProcess({ ...sample, overrides: { gravity: { y: -1.62 } } });
    expect(moon.settings.gravity).toEqual([0, -1.62, 0]);
    expect(moon.hash).not.toBe(base.hash);
    const icy = await runPhysicsTaskInProcess({ ...sample, overrides: { friction: 0, restitution: 0.9, bodies: { '#14': { mass: 1 } } } });
    expect(icy.hash).not.toBe(base.hash);
    const err = await rejection(runPhysicsTaskInProcess({ ...sample, overrides: { bodies: { Wheel: { mass: 1 } } } }));
    expect(err).toBeInstanceOf(BadPhysicsOverrideError);
    expect(err.message).toMatch(/the scene has no moving body Wheel; its moving bodies are Box r0 c0 \(#2\), .* Ball \(#14\)/);
  });

  it('refuses a snapshot that does not continue this task', async () => {
    const first = await runPhysicsTaskInProcess({ ...sample, toStep: 60 });
    const refuse = async (task: object, pattern: RegExp) => {
      const err = await rejection(runPhysicsTaskInProcess({ ...sample, ...task }));
      expect(err).toBeInstanceOf(BadPhysicsSnapshotError);
      expect(err.message).toMatch(pattern);
    };
    await refuse({ fromStep: 60 }, /continues a snapshot; give the previous chunk's/);
    await refuse({ fromStep: 61, snapshot: first.snapshot }, /taken after step 60, not 61/);
    await refuse({ fromStep: 60, snapshot: first.snapshot, overrides: { friction: 0.1 } }, /belongs to another scene, settings or variant/);
    await refuse({ fromStep: 60, snapshot: first.snapshot, settings: { durationSeconds: 4 } }, /belongs to another scene/);
    await refuse({ fromStep: 60, snapshot: first.snapshot.subarray(0, 40) }, /truncated|damaged/);
    const garbled = new Uint8Array(first.snapshot);
    garbled.fill(7, garbled.length - 200);
    await refuse({ fromStep: 60, snapshot: garbled }, /world is damaged/);
    await refuse({ snapshot: first.snapshot }, /a run from step 0 builds its world/);
    await expect(runPhysicsTaskInProcess({ ...sample, fromStep: 50, toStep: 40 })).rejects.toThrow(/steps 50 to 40 are not a part of the run's 180 steps/);
  });

  it('refuses a run whose keyframes would not fit in memory, before stepping', async () => {
    const err = await rejection(runPhysicsTaskInProcess({ scenePath: SAMPLE, settings: { steps: 10_000_000, dtSeconds: 0.001, fps: 1000 } }));
    expect(err.message).toMatch(/would record 10000001 keyframes of 13 bodies \(3.4 GiB\); at most 256 MiB of keyframes are kept: lower fps or shorten the run/);
  });

  it('runs a scene given as bytes, .glb or .gltf', async () => {
    const glb = await runPhysicsTaskInProcess({ sceneBytes: new Uint8Array(readFileSync(SAMPLE)), settings });
    expect(glb.hash).toBe((await runPhysicsTaskInProcess(sample)).hash);
    const drop = await runPhysicsTaskInProcess({ sceneBytes: boxScene().bytes, fileName: 'box.gltf', settings: { durationSeconds: 2 } });
    const box = drop.summary[0]!;
    expect(box.finalTranslation[1]).toBeCloseTo(0.5, 1);
    expect(box.restSeconds).not.toBeNull();
    expect(box.restSeconds!).toBeLessThan(1.5);
    expect(box.contacts).toBe(1);
  });

  it('reads top speed and rest at keyframes: a box dropped 1.5 m goes as fast as at the last frame before it lands, and rests from a frame on', async () => {
    // Its bottom falls from 1.5 m to 0: it lands after sqrt(2 × 1.5 / 9.81) = 0.553 s, at 5.42 m/s.
    const drop = await runPhysicsTaskInProcess({ sceneBytes: boxScene().bytes, fileName: 'box.gltf', settings: { durationSeconds: 2, fps: 30 } });
    const box = drop.summary[0]!;
    const lastFrameBeforeLanding = Math.floor(0.553 * 30) / 30; // 0.533 s
    expect(box.maxSpeedMPerS).toBeGreaterThan(9.81 * lastFrameBeforeLanding * 0.99);
    expect(box.maxSpeedMPerS).toBeLessThan(Math.sqrt(2 * 9.81 * 1.5));
    // At rest after it landed: from a keyframe on, or from the step it fell asleep in.
    expect(box.restSeconds).not.toBeNull();
    expect(box.restSeconds!).toBeGreaterThan(0.553);
    // Faster keyframes see closer to the true top speed; both are the same run.
    const fine = await runPhysicsTaskInProcess({ sceneBytes: boxScene().bytes, fileName: 'box.gltf', settings: { durationSeconds: 2, fps: 60 } });
    expect(fine.summary[0]!.maxSpeedMPerS).toBeGreaterThanOrEqual(box.maxSpeedMPerS);
    expect(fine.summary[0]!.finalTranslation).toEqual(box.finalTranslation);
  });

  it('judges a sleeping body as it wakes: knocked between two keyframes of 1 fps, it moved and came to rest again, in one piece or in chunks', async () => {
    // A box asleep on the ground (after about 0.5 s) is hit at about 1.1 s by a light block
    // sliding in at 3 m/s without gravity, slides 12 cm, and is slow again by the keyframe at 2 s.
    const knocked = boxScene((json) => {
      json.nodes[1].translation = [0, 0.5, 0];
      json.extensions.KHR_physics_rigid_bodies.physicsMaterials[0] = { staticFriction: 0.9, dynamicFriction: 0.9, restitution: 0.8 };
      json.extensions.KHR_implicit_shapes.shapes.push({ type: 'box', box: { size: [0.5, 0.5, 0.5] } });
      addNode(json, { name: 'Striker', translation: [-4, 0.5, 0], extensions: { KHR_physics_rigid_bodies: { motion: { mass: 0.5, gravityFactor: 0, linearVelocity: [3, 0, 0] }, collider: { geometry: { shape: 2 }, physicsMaterial: 0 } } } });
    }).bytes;
    const task = { sceneBytes: knocked, fileName: 'knock.gltf', settings: { durationSeconds: 4, fps: 1 } };
    const whole = await runPhysicsTaskInProcess(task);
    const box = whole.summary[0]!;
    expect(box.maxSpeedMPerS).toBeGreaterThan(1); // the knock, though no keyframe saw it moving
    expect(box.restSeconds).toBeGreaterThan(1.1); // at rest after the knock, not since it first slept
    let from = 0;
    let snapshot: Uint8Array | undefined;
    let last = whole;
    for (const to of [66, 67, 68, 120, 240]) {
      last = await runPhysicsTaskInProcess({ ...task, fromStep: from, toStep: to, ...(snapshot ? { snapshot } : {}) });
      [from, snapshot] = [to, last.snapshot];
    }
    expect(last.summary).toEqual(whole.summary);
    expect(last.hash).toBe(whole.hash);
  });
});
