// A KHR_physics_rigid_bodies file written outside this project, under a licence that lets us ship
// it: the draft author's own "valid" test file for his glTF-Validator fork (Apache-2.0; origin in
// assets/physics/fixtures/README.md). It is a validator fixture, not a scene: it has no `scenes`,
// its only body is kinematic and its joint has soft limits. So the file as shipped is refused,
// and the test then adds, in memory only, the one thing each refusal names, to show that the
// reader gets through everything else the file says (inertia overrides, a negative gravity
// factor, a convex hull named by `geometry.node`, collision filters) and simulates it repeatably.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BadPhysicsSceneError, readPhysicsFile, runPhysicsTaskInProcess } from '../../../../../../electron/agent/engines/physics/index.js';

const FIXTURE = new URL('../../../../../../assets/physics/fixtures/glTF-Validator-physics-node-valid.gltf', import.meta.url).pathname;
const FILE_NAME = 'glTF-Validator-physics-node-valid.gltf';

/** The committed file's JSON, changed by `edit` (the file on disk is never changed). */
function edited(edit: (json: any) => void): Uint8Array {
  const json = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  edit(json);
  return new Uint8Array(Buffer.from(JSON.stringify(json)));
}

/** Each step adds what the previous refusal asked for. */
const withScene = (json: any) => {
  json.scenes = [{ nodes: [0, 1, 2] }];
  json.scene = 0;
};
const withDynamicBody = (json: any) => {
  withScene(json);
  json.nodes[0].extensions.KHR_physics_rigid_bodies.motion.isKinematic = false;
};
const withoutJoint = (json: any) => {
  withDynamicBody(json);
  delete json.nodes[0].extensions.KHR_physics_rigid_bodies.joint;
};

async function refusal(input: Parameters<typeof readPhysicsFile>[0]): Promise<string> {
  const err = await readPhysicsFile(input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadPhysicsSceneError);
  expect((err as BadPhysicsSceneError).code).toBe('bad-scene');
  return (err as Error).message;
}

describe('a third-party KHR_physics_rigid_bodies file (glTF-Validator fork, Apache-2.0)', () => {
  it('is the committed file: KHR_implicit_shapes and KHR_physics_rigid_bodies on three nodes, data in a data: URI', () => {
    const json = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    expect(json.extensionsUsed).toEqual(['KHR_implicit_shapes', 'KHR_physics_rigid_bodies']);
    expect(json.nodes).toHaveLength(3);
    expect(json.buffers[0].uri.startsWith('data:')).toBe(true);
    expect(json.scenes).toBeUndefined();
  });

  it('refuses the file as shipped: it has no scene, so there is nothing to simulate', async () => {
    expect(await refusal({ scenePath: FIXTURE })).toMatch(/has no scene 0 to simulate/);
  });

  it('with a scene, reads every node and refuses because its only moving body is kinematic', async () => {
    expect(await refusal({ sceneBytes: edited(withScene), fileName: FILE_NAME })).toMatch(/has no dynamic rigid body to simulate: its only moving bodies are kinematic/);
  });

  it('with that body dynamic, refuses its joint: a limit with stiffness is a soft limit, which Rapier cannot hold', async () => {
    expect(await refusal({ sceneBytes: edited(withDynamicBody), fileName: FILE_NAME })).toMatch(/joint has a soft limit \(stiffness\); Rapier's JavaScript joints have hard limits only/);
  });

  it('without the joint, reads the rest as written and simulates it, twice to the same hash', async () => {
    const sceneBytes = edited(withoutJoint);
    const { scene } = await readPhysicsFile({ sceneBytes, fileName: FILE_NAME });
    expect(scene.bodies.length).toBeGreaterThan(0);
    const [body] = scene.bodies;
    expect(body).toMatchObject({
      kind: 'dynamic',
      linearVelocity: [1, 2, 4],
      angularVelocity: [-1, -2, -4],
      gravityFactor: -1,
      centerOfMass: [0.25, 0.5, 1],
      inertia: { diagonal: [0.25, 0.5, 1], orientation: [0, 1, 0, 0] },
    });
    expect(body!.colliders.map((c) => c.shape.kind)).toEqual(['sphere']);
    // Node 1's sphere and node 2's convex hull of its own mesh (the older `geometry.node` form) are static.
    expect(scene.staticColliders.map((c) => [c.node, c.shape.kind])).toEqual([
      [1, 'sphere'],
      [2, 'convex'],
    ]);
    expect(scene.joints).toEqual([]);

    const task = { sceneBytes, fileName: FILE_NAME, settings: { durationSeconds: 1 } };
    const [a, b] = [await runPhysicsTaskInProcess(task), await runPhysicsTaskInProcess(task)];
    expect(a.hash).toBe(b.hash);
    expect(a.summary).toHaveLength(1);
    expect(a.summary[0]!.maxSpeedMPerS).toBeGreaterThan(0);
  });
});
