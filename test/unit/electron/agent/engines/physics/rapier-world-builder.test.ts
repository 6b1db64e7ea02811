import { describe, expect, it } from 'vitest';
import { checkPhysicsSettings, readPhysicsFile } from '../../../../../../electron/agent/engines/physics/index.js';
import { loadRapier } from '../../../../../../electron/agent/engines/physics/worker/rapier-loader.js';
import { buildWorld } from '../../../../../../electron/agent/engines/physics/worker/rapier-world-builder.js';
import { addNode, boxScene } from './physics-fixtures.js';

async function world(edit: (json: any) => void, steps: number) {
  const R = await loadRapier();
  const { scene } = await readPhysicsFile({ sceneBytes: boxScene(edit).bytes });
  const built = buildWorld(R, scene, checkPhysicsSettings());
  for (let i = 0; i < steps; i++) built.world.step();
  const bodies = built.bodyHandles.map((h) => built.world.getRigidBody(h));
  return { R, bodies, world: built.world, scene };
}

const motion = (j: any) => j.nodes[1].extensions.KHR_physics_rigid_bodies.motion;

describe('buildWorld', () => {
  it('gives a body the mass, centre of mass and inertia the file states, the rest from its colliders', async () => {
    const { bodies } = await world((j) => Object.assign(motion(j), { mass: 3, centerOfMass: [0, 0.1, 0] }), 1);
    expect(bodies[0]!.mass()).toBeCloseTo(3, 5);
    expect(bodies[0]!.localCom()).toMatchObject({ x: 0, y: expect.closeTo(0.1, 6), z: 0 });
    // A unit cube of 3 kg: (3/12)(1 + 1) about every axis.
    expect(bodies[0]!.principalInertia().x).toBeCloseTo(0.5, 5);
    const stated = await world((j) => Object.assign(motion(j), { mass: 3, inertiaDiagonal: [1, 2, 3] }), 1);
    expect(stated.bodies[0]!.principalInertia()).toMatchObject({ x: expect.closeTo(1, 5), y: expect.closeTo(2, 5), z: expect.closeTo(3, 5) });
  });

  it('reads a mass of 0 as infinite, as the draft says: gravity and contacts do not move the body', async () => {
    const { bodies } = await world((j) => Object.assign(motion(j), { mass: 0 }), 60);
    expect(bodies[0]!.translation()).toMatchObject({ x: 0, y: 2, z: 0 });
  });

  it('moves a kinematic body at its velocity and a dynamic one by gravity onto the ground', async () => {
    const { bodies } = await world((j) => {
      addNode(j, { name: 'Belt', translation: [5, 0, 0], extensions: { KHR_physics_rigid_bodies: { motion: { isKinematic: true, linearVelocity: [0, 0, 1] }, collider: { geometry: { shape: 1 } } } } });
    }, 60);
    expect(bodies[0]!.translation().y).toBeCloseTo(0.5, 1);
    expect(bodies[1]!.translation()).toMatchObject({ x: 5, y: 0, z: expect.closeTo(1, 4) });
  });

  it('builds cones apex up or down (next to an infinite ground plane)', async () => {
    const cone = async (radiusTop: number, radiusBottom: number) => {
      const { R, world: w } = await world((j) => {
        j.extensions.KHR_implicit_shapes.shapes.push({ type: 'cylinder', cylinder: { height: 2, radiusTop, radiusBottom } }, { type: 'plane' });
        j.nodes[0].extensions.KHR_physics_rigid_bodies.collider.geometry.shape = 3;
        j.nodes[0].translation = [0, 0, 0];
        addNode(j, { name: 'Cone', translation: [10, 1, 0], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 2 } } } } });
      }, 1); // scene queries see colliders once a step has updated the broad phase
      // A ray down through x = 10.25 meets an apex-up cone on its slope (y 1.5), an apex-down one on its top (y 2).
      const hit = w.castRay(new R.Ray({ x: 10.25, y: 5, z: 0 }, { x: 0, y: -1, z: 0 }), 10, true);
      return 5 - hit!.timeOfImpact;
    };
    expect(await cone(0, 1)).toBeCloseTo(1.5, 4);
    expect(await cone(1, 0)).toBeCloseTo(2, 4);
  });

  it('builds a limited hinge that keeps to its limits and a fixed joint that holds', async () => {
    const { bodies } = await world((j) => {
      j.extensions.KHR_physics_rigid_bodies.physicsJoints = [
        { limits: [{ linearAxes: [0, 1, 2], max: 0 }, { angularAxes: [1, 2], max: 0 }, { angularAxes: [0], min: -0.3, max: 0.3 }] },
        { limits: [{ linearAxes: [0, 1, 2], max: 0 }, { angularAxes: [0, 1, 2], max: 0 }] },
      ];
      j.nodes[1].translation = [0, 5, 0];
      // The hinge's axis is X through the box's corner edge: gravity swings it, the limit stops it.
      const pivot = addNode(j, { name: 'Hinge', translation: [0, 0.5, 0.5], extensions: { KHR_physics_rigid_bodies: { joint: { connectedNode: 3, joint: 0 } } } }, false);
      j.nodes[1].children = [pivot];
      addNode(j, { name: 'Anchor', translation: [0, 5.5, 0.5] });
      const weld = addNode(j, { name: 'Weld', extensions: { KHR_physics_rigid_bodies: { joint: { connectedNode: 1, joint: 1 } } } }, false);
      addNode(j, { name: 'Plank', translation: [2, 5, 0], children: [weld], extensions: { KHR_physics_rigid_bodies: { motion: { mass: 1 }, collider: { geometry: { shape: 1 } } } } });
      j.nodes[weld].translation = [-2, 0, 0];
    }, 120);
    const [box, plank] = bodies;
    const q = box!.rotation();
    const angle = 2 * Math.atan2(q.x, q.w);
    expect(Math.abs(angle)).toBeLessThan(0.31);
    expect(Math.abs(angle)).toBeGreaterThan(0.25);
    const b = box!.translation();
    const p = plank!.translation();
    // Welded 2 m apart along the box's X, whatever the pair does.
    expect(Math.hypot(p.x - b.x, p.y - b.y, p.z - b.z)).toBeCloseTo(2, 2);
  });
});
