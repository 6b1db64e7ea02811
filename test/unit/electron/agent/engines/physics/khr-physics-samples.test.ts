// Scenes exported by a tool nobody here wrote (Blender with the drafts' author's exporter): the
// samples of github.com/eoineoineoin/glTF_Physics. They carry no licence, so they are not in this
// repository (assets/physics/fixtures/README.md); put the .glb files in a folder and point
// TROUPE_KHR_PHYSICS_SAMPLES at it to run these.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BadPhysicsSceneError, readPhysicsFile, runPhysicsTaskInProcess } from '../../../../../../electron/agent/engines/physics/index.js';

const folder = process.env.TROUPE_KHR_PHYSICS_SAMPLES;

const ACCEPTED = ['Filtering.glb', 'Materials_Friction.glb', 'Materials_Restitution.glb', 'Triggers.glb'];
const REFUSED: [string, RegExp][] = [
  ['ShapeTypes.glb', /DynamicCone's collider is a truncated cone/],
  ['MotionProperties.glb', /WobbyToy_ModifiedCOM's collider is a tapered capsule/],
  ['JointTypes.glb', /limits its linear X axis to a range while 5 other axes are free/],
];

describe.skipIf(!folder)('the glTF_Physics samples (TROUPE_KHR_PHYSICS_SAMPLES)', () => {
  // A sample missing from the folder fails its test: a green run means every sample was tried.
  const sample = (name: string): string => {
    const path = join(folder!, name);
    expect(existsSync(path), `${name} is not in TROUPE_KHR_PHYSICS_SAMPLES (${folder})`).toBe(true);
    return path;
  };

  it.each(ACCEPTED)('simulates %s, deterministically', async (name) => {
    const task = { scenePath: sample(name), settings: { durationSeconds: 1 } };
    const [a, b] = [await runPhysicsTaskInProcess(task), await runPhysicsTaskInProcess(task)];
    expect(a.hash).toBe(b.hash);
    expect(a.summary.some((s) => s.maxSpeedMPerS > 0)).toBe(true);
  });

  it('lets Filtering\'s bodies pass through what their filters exclude, and land on the ground', async () => {
    const run = await runPhysicsTaskInProcess({ scenePath: sample('Filtering.glb'), settings: { durationSeconds: 3 } });
    const y = Object.fromEntries(run.summary.map((s) => [s.name, s.finalTranslation[1]]));
    // Blue and Green.001 fall past the static cubes of the other colour onto the ground; Green stops on its green cube.
    expect(y.DynamicBlue).toBeGreaterThan(0);
    expect(y.DynamicBlue).toBeLessThan(1);
    expect(y['DynamicGreen.001']).toBeLessThan(1);
    expect(y.DynamicGreen).toBeGreaterThan(2.5);
  });

  it.each(REFUSED)('refuses %s, saying why', async (name, reason) => {
    const err = await readPhysicsFile({ scenePath: sample(name) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadPhysicsSceneError);
    expect((err as Error).message).toMatch(reason);
  });
});
