import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { packGlb, unpackGlb } from '../../../../../../electron/agent/engines/physics/reading/glb-container.js';
import { BadPhysicsSceneError, readPhysicsFile, runPhysicsTaskInProcess } from '../../../../../../electron/agent/engines/physics/index.js';
import { mulberry32 } from '../../../../../../shared/seeded-random.js';
import { addNode, boxScene, SAMPLE } from './physics-fixtures.js';

const VALUES: unknown[] = [-1, 0, 0.5, 3, 17, 1e30, -1e30, 2 ** 32, 'x', '', null, true, false, [], {}, [1, 2], [0, 0, 0], [0, 0, 0, 0], [1e9, 1e9, 1e9], { type: 'box' }];

/** Every path into `value` (objects and arrays), so a mutation can land anywhere. */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      const path = [...at, Array.isArray(value) ? Number(key) : key];
      out.push(path);
      paths((value as Record<string, unknown>)[key], path, out);
    }
  }
  return out;
}

function mutate(json: any, random: () => number): void {
  const all = paths(json);
  const path = all[Math.floor(random() * all.length)]!;
  const parent = path.slice(0, -1).reduce((o, k) => o[k], json);
  const key = path.at(-1)!;
  const r = random();
  if (r < 0.2) delete parent[key];
  else parent[key] = structuredClone(VALUES[Math.floor(random() * VALUES.length)]);
}

/** A scene using most of the drafts: joints, filters, materials, compound and kinematic bodies. */
function richScene(): any {
  return boxScene((j) => {
    j.extensions.KHR_physics_rigid_bodies.collisionFilters = [{ collisionSystems: ['a'], collideWithSystems: ['a', 'b'] }, { collisionSystems: ['b'], notCollideWithSystems: ['c'] }];
    j.extensions.KHR_physics_rigid_bodies.physicsJoints = [
      { limits: [{ linearAxes: [0, 1, 2], max: 0 }, { angularAxes: [0, 1], max: 0 }, { angularAxes: [2], min: -1, max: 1 }], drives: [{ type: 'angular', mode: 'force', axis: 2, velocityTarget: 1, damping: 2 }] },
    ];
    j.extensions.KHR_implicit_shapes.shapes.push({ type: 'sphere', sphere: { radius: 0.3 } }, { type: 'capsule', capsule: { height: 1, radiusTop: 0.2, radiusBottom: 0.2 } });
    const arm = addNode(j, { name: 'Arm', translation: [1, 0, 0], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 2 }, collisionFilter: 0 } } } }, false);
    const pivot = addNode(j, { name: 'Pivot', extensions: { KHR_physics_rigid_bodies: { joint: { connectedNode: 0, joint: 0 } } } }, false);
    j.nodes[1].children = [arm, pivot];
    addNode(j, { name: 'Spinner', translation: [3, 1, 0], extensions: { KHR_physics_rigid_bodies: { motion: { isKinematic: true, angularVelocity: [0, 1, 0] }, collider: { geometry: { shape: 3 }, collisionFilter: 1 } } } });
  }).json;
}

async function outcome(bytes: Uint8Array, fileName: string): Promise<unknown> {
  return readPhysicsFile({ sceneBytes: bytes, fileName }).then(
    () => null,
    (e: unknown) => e,
  );
}

describe('readPhysicsFile on damaged files', () => {
  it('never crashes on 600 seeded mutations of a rich scene: it reads it, or refuses it with a named error', async () => {
    const random = mulberry32(20261128);
    const refused = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const json = richScene();
      for (let m = 1 + Math.floor(random() * 3); m > 0; m--) mutate(json, random);
      const bytes = new Uint8Array(Buffer.from(JSON.stringify(json)));
      const err = await outcome(bytes, 'fuzz.gltf');
      if (err === null) {
        // What the reader accepts, Rapier must build and step.
        if (i % 5 === 0) await runPhysicsTaskInProcess({ sceneBytes: bytes, settings: { steps: 3 } });
        continue;
      }
      expect(err, `mutation ${i}: ${String(err)}`).toBeInstanceOf(BadPhysicsSceneError);
      // The last resorts (the reader's, and the wrapper around gltf-transform's own errors) turn a
      // slipped-through case into a refusal in a library's words; the checks should come first.
      expect((err as Error).message, `mutation ${i}`).not.toMatch(/its physics could not be read|could not read/);
      const kind = (err as Error).message.replace(/[0-9]+/g, '#').slice(0, 60);
      refused.set(kind, (refused.get(kind) ?? 0) + 1);
    }
    expect(refused.size).toBeGreaterThan(10);
  });

  it('refuses truncated or garbled bytes of the sample, and mutations of its JSON, with a named error', async () => {
    const sample = new Uint8Array(readFileSync(SAMPLE));
    const random = mulberry32(7);
    for (const cut of [0, 11, 20, 100, 1000, sample.length - 10]) {
      expect(await outcome(sample.subarray(0, cut), 'cut.glb')).toBeInstanceOf(BadPhysicsSceneError);
    }
    const text = Buffer.from(JSON.stringify(boxScene().json).replace('"mass":2', '"mass":NaN'));
    expect(await outcome(new Uint8Array(text), 'nan.gltf')).toBeInstanceOf(BadPhysicsSceneError);
    const { json, bin } = unpackGlb(sample, 'sample.glb');
    for (let i = 0; i < 60; i++) {
      const copy = structuredClone(json);
      mutate(copy, random);
      const err = await outcome(packGlb(copy, bin), 'fuzz.glb');
      if (err !== null) expect(err, `mutation ${i}: ${String(err)}`).toBeInstanceOf(BadPhysicsSceneError);
    }
  });
});
