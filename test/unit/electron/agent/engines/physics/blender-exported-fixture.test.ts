// A scene exported by tools nobody here wrote: Blender 3.4's glTF exporter with the KHR physics
// exporter add-on (eoineoineoin/glTF_Physics_Blender_Exporter), as kept in
// assets/physics/fixtures/ (README.md there: provenance, licence, how it was made). Three files
// of one scene: .glb and .gltf (data: URIs) from the add-on's KHR_implicit_shapes release, and a
// .glb from its earlier release, which names shapes the older way (KHR_collision_shapes).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPhysicsFile, runPhysicsTaskInProcess } from '../../../../../../electron/agent/engines/physics/index.js';

const fixture = (name: string) => new URL(`../../../../../../assets/physics/fixtures/${name}`, import.meta.url).pathname;
const GLB = fixture('blender-rigid-bodies.glb');
const GLTF = fixture('blender-rigid-bodies.gltf');
const OLDER = fixture('blender-rigid-bodies-collision-shapes.glb');
const settings = { durationSeconds: 5 };

/** The JSON chunk of a .glb. */
function glbJson(path: string): any {
  const bytes = readFileSync(path);
  return JSON.parse(bytes.subarray(20, 20 + bytes.readUInt32LE(12)).toString('utf8'));
}

describe('a scene exported by Blender with the glTF physics exporter add-on', () => {
  it('is what the exporters wrote: their generator, the drafts\' extensions, one of them in its older name', () => {
    for (const json of [glbJson(GLB), JSON.parse(readFileSync(GLTF, 'utf8'))]) {
      expect(json.asset.generator).toBe('Khronos glTF Blender I/O v3.4.50');
      expect(json.extensionsUsed).toEqual(['KHR_implicit_shapes', 'KHR_physics_rigid_bodies']);
    }
    expect(glbJson(OLDER).extensionsUsed).toEqual(['KHR_collision_shapes', 'KHR_physics_rigid_bodies']);
  });

  it('reads every body, shape and the hinge, with nothing to warn about', async () => {
    for (const path of [GLB, GLTF, OLDER]) {
      const { scene } = await readPhysicsFile({ scenePath: path });
      expect(scene.bodies.map((b) => [b.name, b.kind, b.colliders.map((c) => c.shape.kind).join()])).toEqual([
        ['Box1', 'dynamic', 'box'],
        ['Box2', 'dynamic', 'box'],
        ['Box3', 'dynamic', 'box'],
        ['Ball', 'dynamic', 'sphere'],
        ['TiltedBox', 'dynamic', 'box'],
        ['HullRock', 'dynamic', 'convex'],
        ['Drum', 'dynamic', 'cylinder'],
        ['Pill', 'dynamic', 'capsule'],
        ['PendulumBob', 'dynamic', 'box'],
      ]);
      expect(scene.staticColliders.map((c) => c.name)).toEqual(['Ground', 'HingePost']);
      expect(scene.joints).toHaveLength(1);
      expect(scene.warnings).toEqual([]);
    }
  });

  it('simulates what Blender set up: the stack stands, everything lands, the pendulum swings on its hinge; each file to the same hash', async () => {
    const runs = await Promise.all([GLB, GLTF, OLDER].map((scenePath) => runPhysicsTaskInProcess({ scenePath, settings })));
    expect(new Set(runs.map((r) => r.hash)).size).toBe(1);
    const at = (name: string) => runs[0]!.summary.find((s) => s.name === name)!;
    // glTF is y-up: Blender's z. Unit boxes stacked on the ground, a ball of radius 0.5.
    expect(at('Box1').finalTranslation[1]).toBeCloseTo(0.5, 1);
    expect(at('Box2').finalTranslation[1]).toBeCloseTo(1.5, 1);
    expect(at('Box3').finalTranslation[1]).toBeCloseTo(2.5, 1);
    expect(at('Ball').finalTranslation[1]).toBeCloseTo(0.5, 2);
    expect(at('Pill').finalTranslation[1]).toBeCloseTo(0.3, 2); // a capsule of radius 0.3, on its side
    for (const name of ['Box1', 'Ball', 'HullRock', 'Drum', 'Pill']) expect(at(name).restSeconds, name).not.toBeNull();
    // The bob hangs from the post's hinge at (0, 4, 4), its centre 1.5 m away, and swings.
    const [x, y, z] = at('PendulumBob').finalTranslation;
    expect(Math.hypot(x, y - 4, z - 4)).toBeCloseTo(1.5, 2);
    expect(at('PendulumBob').restSeconds).toBeNull();
    expect(at('Ball').contacts).toBeGreaterThan(0);
  });
});
