// Hostile scene files against the physics reader: memory a file declares but does not hold,
// collision geometry multiplied by sharing, and node graphs shaped to make the reader quadratic.
// Each is refused (or read) before it costs what it asks for.

import { NodeIO } from '@gltf-transform/core';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BadPhysicsSceneError, readPhysicsFile, wedgeVariants } from '../../../../../../electron/agent/engines/physics/index.js';
import { MeshGeometry } from '../../../../../../electron/agent/engines/physics/reading/mesh-geometry.js';
import { buildNodeGraph } from '../../../../../../electron/agent/engines/physics/reading/node-graph.js';
import { CONTACT_BYTES_PER_BODY, PhysicsBudget, THREAD_BASE_BYTES } from '../../../../../../electron/agent/engines/physics/reading/physics-budget.js';
import { PhysicsThread } from '../../../../../../electron/agent/engines/physics/worker/physics-runner.js';
import { runPhysicsTaskInProcess } from '../../../../../../electron/agent/engines/physics/worker/physics-task.js';
import { boxScene, meshScene } from './physics-fixtures.js';

const MiB = 2 ** 20;

describe('hostile scenes against the physics reader', () => {
  it('a 300-byte .gltf declaring gigabytes of accessors is refused before the reader allocates them', async () => {
    const { bytes } = boxScene((j) => {
      // No buffer view: glTF readers allocate these zero-filled, at the declared count.
      j.accessors = [0, 1, 2].map(() => ({ componentType: 5126, type: 'VEC4', count: 60_000_000 }));
    });
    expect(bytes.byteLength).toBeLessThan(2000);
    const before = process.memoryUsage().arrayBuffers;
    const err = await readPhysicsFile({ sceneBytes: bytes, fileName: 'bomb.gltf' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadPhysicsSceneError);
    expect((err as Error).message).toMatch(/bomb\.gltf needs more than the 2 GiB a physics scene may use on this machine \(accessor 2 declares 60000000 VEC4 elements/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * MiB);
  });

  it("a mesh shared by many colliders counts once per collider, and is refused past the budget before it is copied", async () => {
    const glb = await meshScene();
    const document = await new NodeIO().readBinary(glb);
    const json = { nodes: [{}], scenes: [{ nodes: [0] }], scene: 0 } as never;
    const graph = buildNodeGraph(json, 'shared.glb');
    // The cube has 8 vertices and 12 triangles: 2,816 bytes a copy, so a 1 MiB budget holds 372 copies.
    const geometry = new MeshGeometry(document, graph, 'shared.glb', [], new PhysicsBudget('shared.glb', MiB));
    let copies = 0;
    const err = (() => {
      try {
        for (; copies < 10_000; copies++) geometry.ofMesh(0, `node C${copies}'s collider`);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(BadPhysicsSceneError);
    expect((err as Error).message).toMatch(/shared\.glb needs more than the 1 MiB .*node C372's collider: mesh Cube primitive 0 adds 12 collision triangles/);
    expect(copies).toBe(372);
  });

  it('colliders taking their shape from one large subtree are refused once their walks pass the budget', async () => {
    // 1,000 colliders, each `geometry.node` = a node with 1,000 descendants: a million node visits for a 100 KB file.
    const glb = await meshScene((j) => {
      const children = Array.from({ length: 1000 }, (_, i) => j.nodes.length + i);
      j.nodes.push(...children.map(() => ({ mesh: 0 })));
      j.nodes[1].children = children;
      for (let c = 0; c < 1000; c++) {
        j.nodes.push({ extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { node: 1, convexHull: true } } } } });
        j.scenes[0].nodes.push(j.nodes.length - 1);
      }
    });
    const err = await readPhysicsFile({ sceneBytes: glb, fileName: 'walks.glb' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadPhysicsSceneError);
    expect((err as Error).message).toMatch(/walks\.glb needs more than the 2 GiB .*collision triangles|walk more nodes/);
  });

  it('a chain of 100,000 nodes, each a collider, is read in linear time (was quadratic: minutes)', async () => {
    const { bytes } = boxScene((j) => {
      const first = j.nodes.length;
      for (let i = 0; i < 100_000; i++) {
        j.nodes.push({ name: `link${i}`, translation: [0, 0, 0], ...(i + 1 < 100_000 ? { children: [first + i + 1] } : {}), extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 1 } } } } });
      }
      j.scenes[0].nodes.push(first);
    });
    const file = await readPhysicsFile({ sceneBytes: bytes, fileName: 'chain.gltf' });
    expect(file.scene.staticColliders.length).toBe(100_001);
  });

  it('a wedge naming a body "__proto__" or "constructor" changes that body only, never Object.prototype', () => {
    try {
      const [variant] = wedgeVariants('__proto__.friction=0.5,constructor.mass=2');
      expect(({} as Record<string, unknown>).friction).toBeUndefined();
      expect((Object as unknown as Record<string, unknown>).mass).toBeUndefined();
      expect(Object.hasOwn(variant!.overrides.bodies!, '__proto__')).toBe(true);
      expect(JSON.parse(JSON.stringify(variant!.overrides))).toEqual({ bodies: { ['__proto__']: { friction: 0.5 }, constructor: { mass: 2 } } });
    } finally {
      delete (Object.prototype as Record<string, unknown>).friction;
      delete (Object as unknown as Record<string, unknown>).mass;
    }
  });

  it('repeated warnings are kept once, and at most 64', async () => {
    const { bytes } = boxScene((j) => {
      // 200 distinct physics materials with two frictions each: 200 different warnings.
      j.extensions.KHR_physics_rigid_bodies.physicsMaterials = Array.from({ length: 200 }, (_, i) => ({ staticFriction: 0.5, dynamicFriction: 0.1 + i / 1000 }));
      for (let i = 0; i < 200; i++) j.nodes.push({ translation: [i * 3, 5, 0], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 1 }, physicsMaterial: i } } } });
      j.scenes[0].nodes.push(...Array.from({ length: 200 }, (_, i) => 2 + i));
    });
    const { scene } = await readPhysicsFile({ sceneBytes: bytes, fileName: 'warnings.gltf' });
    expect(scene.warnings.length).toBe(64);
    expect(scene.warnings.at(-1)).toMatch(/^and \d+ more warnings$/);
  });

  it("bodies piled into one another (every pair a contact in Rapier's own memory, which no thread limit bounds) are stopped at the task's memory bound", async () => {
    // 400 boxes at one point: a 40 KB file; Rapier took about 1 GiB for 500 of them in 3 steps, 3 GiB for 1,500.
    const { bytes } = boxScene((j) => {
      for (let i = 0; i < 400; i++) {
        j.nodes.push({ translation: [0, 2, 0], extensions: { KHR_physics_rigid_bodies: { motion: { mass: 1 }, collider: { geometry: { shape: 1 } } } } });
        j.scenes[0].nodes.push(j.nodes.length - 1);
      }
    });
    // The bound the task reports for its scene: a thread's base, and room for each body's contacts.
    let bound = 0;
    await runPhysicsTaskInProcess({ sceneBytes: bytes, fileName: 'pile.gltf', settings: { steps: 1 } }, { onMemoryBound: (b) => (bound = b) });
    expect(bound).toBeGreaterThan(THREAD_BASE_BYTES + 401 * CONTACT_BYTES_PER_BODY);
    expect(bound).toBeLessThan(THREAD_BASE_BYTES + 401 * CONTACT_BYTES_PER_BODY + 64 * MiB);
    // The watchdog measures this process's growth from the run's start. Memory this process frees
    // meanwhile (the in-process run above, earlier tests' scenes) would hide the thread's growth
    // when the collector happens to run then, as it did beside stress-ng: collected first.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    gc();
    gc();
    // A lower bound here, so the test need not wait for a gigabyte: the watchdog stops the thread at it.
    const thread = new PhysicsThread({ memoryLimitBytes: 300 * MiB });
    try {
      const err = await thread.run({ sceneBytes: bytes, fileName: 'pile.gltf', settings: { steps: 5 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadPhysicsSceneError);
      expect((err as Error).message).toMatch(/the physics run took \d+ MiB of memory, more than its scene needs \(300 MiB\)/);
    } finally {
      await thread.close();
    }
  });
});
