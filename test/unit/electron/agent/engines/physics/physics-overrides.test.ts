import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  applyOverrides,
  BadPhysicsOverrideError,
  buildPhysicsSampleScene,
  checkPhysicsSettings,
  findBody,
  readPhysicsFile,
} from '../../../../../../electron/agent/engines/physics/index.js';
import { addNode, boxScene, SAMPLE } from './physics-fixtures.js';

describe('applyOverrides', () => {
  it('changes a copy: friction and restitution everywhere or on one body, gravity, mass (with the stated inertia), velocities', async () => {
    const { scene } = await readPhysicsFile({
      sceneBytes: boxScene((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.motion.inertiaDiagonal = [1, 1, 1])).bytes,
    });
    const before = structuredClone(scene);
    const out = applyOverrides(scene, checkPhysicsSettings(), {
      gravity: { x: 1 },
      friction: 0.1,
      bodies: { Box: { restitution: 0.7, mass: 4, linearVelocity: { z: 2 } } },
    });
    expect(scene).toEqual(before);
    expect(out.settings.gravity).toEqual([1, -9.81, 0]);
    expect(out.scene.staticColliders[0]!.material).toMatchObject({ friction: 0.1, restitution: 0 });
    expect(out.scene.bodies[0]).toMatchObject({ mass: 4, linearVelocity: [0, 0, 2], inertia: { diagonal: [2, 2, 2] } });
    expect(out.scene.bodies[0]!.colliders[0]!.material).toMatchObject({ friction: 0.1, restitution: 0.7 });
  });

  it('finds bodies by unique name or by "#node", and refuses others with the list', async () => {
    const { scene } = await readPhysicsFile({
      sceneBytes: boxScene((j) => addNode(j, { name: 'Box', translation: [3, 2, 0], extensions: { KHR_physics_rigid_bodies: { motion: {}, collider: { geometry: { shape: 1 } } } } })).bytes,
    });
    expect(findBody(scene, '#2')).toBe(1);
    expect(() => findBody(scene, 'Box')).toThrow(/2 moving bodies are named Box; name one by its node index: Box \(#1\), Box \(#2\)/);
    expect(() => findBody(scene, '#0')).toThrow(BadPhysicsOverrideError);
    expect(() => applyOverrides(scene, checkPhysicsSettings(), { bodies: { '#1': { mass: -1 } } })).toThrow(/Box.mass must be above 0/);
    expect(() => applyOverrides(scene, checkPhysicsSettings(), { gravity: { y: Infinity } })).toThrow(/gravity.y must be within ±1000/);
  });
});

describe('the physics sample', () => {
  it('is what its generator writes, byte for byte', async () => {
    expect(Buffer.from(await buildPhysicsSampleScene()).equals(readFileSync(SAMPLE))).toBe(true);
  });
});
