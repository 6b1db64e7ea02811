import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeIO, type Document, type Node } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { unpackGlb } from '../../../../../../electron/agent/engines/physics/reading/glb-container.js';
import {
  physicsSummaryJson,
  readPhysicsFile,
  runPhysicsTaskInProcess,
  SIMULATION_ANIMATION,
  writePhysicsGlb,
  type PhysicsTask,
} from '../../../../../../electron/agent/engines/physics/index.js';
import { addNode, boxScene, meshScene, SAMPLE } from './physics-fixtures.js';

async function simulateToGlb(task: PhysicsTask) {
  const input = task.scenePath ? { scenePath: task.scenePath } : { sceneBytes: task.sceneBytes! };
  const [file, run] = await Promise.all([readPhysicsFile(input), runPhysicsTaskInProcess(task)]);
  const { glb, warnings } = await writePhysicsGlb(file, run.settings, run.keyframes);
  return { run, glb, warnings, doc: await new NodeIO().readBinary(glb) };
}

/** Where `node` ends up when each animated node takes its last key. */
function finalWorld(doc: Document, node: Node): { t: number[]; m: number[] } {
  for (const channel of doc.getRoot().listAnimations().find((a) => a.getName() === SIMULATION_ANIMATION)!.listChannels()) {
    const values = channel.getSampler()!.getOutput()!;
    const last: number[] = values.getElement(values.getCount() - 1, []);
    const target = channel.getTargetNode()!;
    if (channel.getTargetPath() === 'translation') target.setTranslation(last as [number, number, number]);
    else target.setRotation(last as [number, number, number, number]);
  }
  const m = node.getWorldMatrix();
  return { t: [m[12], m[13], m[14]], m: [...m] };
}

describe('writePhysicsGlb', () => {
  it('writes the run as a LINEAR TRS animation that puts each body where the simulation left it, under its turned parent', async () => {
    const { run, doc, glb, warnings } = await simulateToGlb({ scenePath: SAMPLE, settings: { durationSeconds: 3 } });
    expect(warnings).toEqual([]);
    const animation = doc.getRoot().listAnimations().find((a) => a.getName() === SIMULATION_ANIMATION)!;
    expect(animation.listChannels()).toHaveLength(13 * 2);
    for (const sampler of animation.listSamplers()) {
      expect(sampler.getInterpolation()).toBe('LINEAR');
      expect(sampler.getInput()!.getCount()).toBe(91);
      expect(sampler.getInput()!.getMax([])[0]).toBeCloseTo(3, 6);
    }
    const nodes = doc.getRoot().listNodes();
    for (const body of run.summary) {
      const { t } = finalWorld(doc, nodes[body.node]!);
      t.forEach((x, i) => expect(x).toBeCloseTo(body.finalTranslation[i]!, 4));
    }
    // Lights go with the scene (the built-in renderer reads them); the physics drafts do not.
    const { json } = unpackGlb(glb, 'out.glb');
    expect(json.extensionsUsed).toEqual(['KHR_lights_punctual']);
    expect(json.extensions!.KHR_lights_punctual).toBeDefined();
    expect(json.nodes!.find((n) => n.name === 'Sun')!.extensions).toEqual({ KHR_lights_punctual: { light: 0 } });
    expect(JSON.stringify(json)).not.toMatch(/KHR_physics_rigid_bodies|KHR_implicit_shapes/);
  });

  it('animates a body inside another body relative to its moving parent', async () => {
    const scene = boxScene((j) => {
      j.nodes[1].rotation = [0, 0, Math.sin(0.3), Math.cos(0.3)];
      j.nodes[1].extensions.KHR_physics_rigid_bodies.motion.angularVelocity = [0, 3, 0];
      j.nodes[1].children = [addNode(j, { name: 'Rider', translation: [0, 1.2, 0], extensions: { KHR_physics_rigid_bodies: { motion: { mass: 1 }, collider: { geometry: { shape: 1 } } } } }, false)];
    });
    const { run, doc } = await simulateToGlb({ sceneBytes: scene.bytes, settings: { durationSeconds: 1.5 } });
    const nodes = doc.getRoot().listNodes();
    const rider = run.summary.find((s) => s.name === 'Rider')!;
    const { t, m } = finalWorld(doc, nodes[rider.node]!);
    t.forEach((x, i) => expect(x).toBeCloseTo(rider.finalTranslation[i]!, 4));
    // The rider's world rotation, from the matrix, matches the simulation's.
    const [x, y, z, w] = rider.finalRotation;
    expect(m[0]).toBeCloseTo(1 - 2 * (y * y + z * z), 4);
    expect(m[4]).toBeCloseTo(2 * (x * y - w * z), 4);
  });

  it('replaces what the file animated on moving bodies, and keeps the rest of its animation', async () => {
    const { run, doc } = await simulateToGlb({ sceneBytes: await meshScene(undefined, true), settings: { durationSeconds: 0.5 } });
    expect(run.warnings).toEqual(['Hull is animated in the file; the simulation moves it instead, and the output drops that animation']);
    const wobble = doc.getRoot().listAnimations().find((a) => a.getName() === 'Wobble')!;
    expect(wobble.listChannels().map((c) => c.getTargetNode()!.getName())).toEqual(['Ground']);
  });

  it('writes a .gltf with its buffer beside it as one .glb', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'troupe-physics-'));
    const { json, bin } = unpackGlb(await meshScene(), 'hull.glb');
    json.buffers![0]!.uri = 'hull.bin';
    writeFileSync(join(dir, 'hull.bin'), bin!);
    writeFileSync(join(dir, 'hull.gltf'), JSON.stringify(json));
    const { doc, run } = await simulateToGlb({ scenePath: join(dir, 'hull.gltf'), settings: { durationSeconds: 1 } });
    expect(doc.getRoot().listBuffers()).toHaveLength(1);
    expect(doc.getRoot().listBuffers()[0]!.getURI()).toBe('');
    expect(doc.getRoot().listMeshes()[0]!.listPrimitives()[0]!.getAttribute('POSITION')!.getCount()).toBe(8);
    expect(run.summary[0]!.finalTranslation[1]).toBeCloseTo(0.5, 1);
  });

  it('gives the summary as JSON a person can read', async () => {
    const run = await runPhysicsTaskInProcess({ scenePath: SAMPLE, settings: { durationSeconds: 1 } });
    const summary = JSON.parse(JSON.stringify(physicsSummaryJson('tower-and-ball.glb', run)));
    expect(summary).toMatchObject({ fileName: 'tower-and-ball.glb', hash: run.hash, dtSeconds: 1 / 60, substeps: 1, steps: 60, fps: 30, gravity: [0, -9.81, 0], warnings: [] });
    expect(summary.bodies[12]).toMatchObject({ name: 'Ball', node: 14, kind: 'dynamic', maxSpeedMPerS: 7, contacts: expect.any(Number) });
    expect(Object.keys(summary.bodies[0])).toEqual(['name', 'node', 'kind', 'finalTranslation', 'finalRotation', 'restSeconds', 'maxSpeedMPerS', 'contacts']);
  });
});
