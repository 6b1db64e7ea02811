import { describe, expect, it } from 'vitest';
import { BadPhysicsSceneError, readPhysicsFile } from '../../../../../../electron/agent/engines/physics/index.js';
import { addNode, boxScene, meshScene, SAMPLE } from './physics-fixtures.js';

async function refusal(bytes: Uint8Array): Promise<string> {
  const err = await readPhysicsFile({ sceneBytes: bytes, fileName: 'scene.gltf' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BadPhysicsSceneError);
  expect((err as BadPhysicsSceneError).code).toBe('bad-scene');
  return (err as Error).message;
}

const read = async (bytes: Uint8Array) => (await readPhysicsFile({ sceneBytes: bytes, fileName: 'scene.gltf' })).scene;

describe('readPhysicsFile', () => {
  it('reads the sample: twelve boxes under a moved, turned Tower node, a heavy ball, a static ground', async () => {
    const { scene } = await readPhysicsFile({ scenePath: SAMPLE });
    expect(scene.bodies.map((b) => b.name)).toEqual([...Array.from({ length: 12 }, (_, i) => `Box r${Math.floor(i / 3)} c${i % 3}`), 'Ball']);
    expect(scene.staticColliders.map((c) => c.name)).toEqual(['Ground']);
    expect(scene.warnings).toEqual([]);
    const ball = scene.bodies.at(-1)!;
    expect(ball).toMatchObject({ kind: 'dynamic', mass: 8, linearVelocity: [7, 0, 0], parent: { body: null, scale: 1 } });
    expect(ball.colliders[0]!.shape).toEqual({ kind: 'sphere', radius: 0.35 });
    expect(ball.colliders[0]!.material).toMatchObject({ friction: 0.4, restitution: 0.2, restitutionCombine: 'maximum' });
    const box = scene.bodies[0]!;
    expect(box.parent.translation).toEqual([1.5, 0, 0]);
    expect(box.parent.rotation[1]).toBeCloseTo(Math.sin(Math.PI / 24), 6);
    // The body's world pose includes the Tower's turn; its collider sits at the body's origin.
    expect(box.rotation[1]).toBeCloseTo(Math.sin(Math.PI / 24), 6);
    expect(box.colliders[0]).toMatchObject({ translation: [0, 0, 0], shape: { kind: 'box', halfExtents: [0.25, 0.25, 0.25] } });
  });

  it('reads compound bodies, scaled shapes, kinematic and infinite-mass bodies, and a centre of mass in node space', async () => {
    const scene = await read(
      boxScene((j) => {
        j.nodes[1].scale = [2, 1, 2];
        j.nodes[1].extensions.KHR_physics_rigid_bodies.motion = { mass: 0, centerOfMass: [0.1, 0.2, 0.3], inertiaDiagonal: [0, 1, 0] };
        j.nodes[1].children = [addNode(j, { name: 'Wing', translation: [1, 0, 0], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 1 } } } } }, false)];
        addNode(j, { name: 'Spinner', translation: [5, 1, 0], extensions: { KHR_physics_rigid_bodies: { motion: { isKinematic: true, angularVelocity: [0, 2, 0] }, collider: { geometry: { shape: 1 } } } } });
      }).bytes,
    );
    const [box, spinner] = scene.bodies;
    expect(box!.colliders.map((c) => [c.name, c.translation, c.shape])).toEqual([
      ['Box', [0, 0, 0], { kind: 'box', halfExtents: [1, 0.5, 1] }],
      ['Wing', [2, 0, 0], { kind: 'box', halfExtents: [1, 0.5, 1] }],
    ]);
    expect(box).toMatchObject({ mass: 0, centerOfMass: [0.2, 0.2, 0.6], inertia: { diagonal: [0, 1, 0], orientation: [0, 0, 0, 1] }, localScale: [2, 1, 2] });
    expect(spinner).toMatchObject({ kind: 'kinematic', angularVelocity: [0, 2, 0] });
  });

  it('reads the older KHR_collision_shapes form, mesh hulls and triangle meshes', async () => {
    const old = await read(
      boxScene((j) => {
        j.extensions.KHR_collision_shapes = j.extensions.KHR_implicit_shapes;
        delete j.extensions.KHR_implicit_shapes;
        for (const [i, n] of j.nodes.entries()) n.extensions.KHR_physics_rigid_bodies.collider = { shape: i, physicsMaterial: 0 };
      }).bytes,
    );
    expect(old.bodies[0]!.colliders[0]!.shape).toEqual({ kind: 'box', halfExtents: [0.5, 0.5, 0.5] });
    const hull = (await readPhysicsFile({ sceneBytes: await meshScene() })).scene.bodies[0]!.colliders[0]!.shape;
    expect(hull.kind).toBe('convex');
    const trimesh = (await readPhysicsFile({ sceneBytes: await meshScene((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.geometry = { mesh: 0 })) })).scene;
    expect(trimesh.bodies[0]!.colliders[0]!.shape).toMatchObject({ kind: 'trimesh', indices: expect.any(Uint32Array) });
  });

  it('maps joints to what Rapier builds: a fixed joint, a limited and driven hinge about Z', async () => {
    const scene = await read(
      boxScene((j) => {
        j.extensions.KHR_physics_rigid_bodies.physicsJoints = [
          { limits: [{ linearAxes: [0, 1, 2], max: 0 }, { angularAxes: [0, 1, 2], min: 0, max: 0 }] },
          {
            limits: [{ linearAxes: [0, 1, 2], min: 0, max: 0 }, { angularAxes: [0, 1], max: 0 }, { angularAxes: [2], min: -0.5, max: 1 }],
            drives: [{ type: 'angular', mode: 'acceleration', axis: 2, velocityTarget: 3, damping: 0.5 }],
          },
        ];
        const pivot = addNode(j, { name: 'Pivot', translation: [0, 1, 0], extensions: { KHR_physics_rigid_bodies: { joint: { connectedNode: 0, joint: 0 } } } }, false);
        const hinge = addNode(j, { name: 'Hinge', extensions: { KHR_physics_rigid_bodies: { joint: { connectedNode: 0, joint: 1, enableCollision: true } } } }, false);
        j.nodes[1].children = [pivot, hinge];
      }).bytes,
    );
    expect(scene.joints.map((x) => [x.name, x.kind, x.lockedAxes, x.bodyA, x.bodyB, x.contactsEnabled])).toEqual([
      ['Pivot', 'generic', 63, 0, null, false],
      ['Hinge', 'revolute', 0, 0, null, true],
    ]);
    const hinge = scene.joints[1]!;
    expect(hinge.limits).toEqual([-0.5, 1]);
    expect(hinge.motor).toMatchObject({ model: 'acceleration', targetVelocity: 3, damping: 0.5, maxForce: Infinity });
    // Rapier's hinge turns about its frame's X: the frame is turned so X lies along the draft's Z.
    expect(hinge.frameA.rotation.map((x) => Math.round(x * 1e6) / 1e6)).toEqual([0, -0.707107, 0, 0.707107]);
    // Frames are each node's pose in its body: the pivot in the box, the ground's in the world.
    expect(scene.joints[0]!.frameA.translation).toEqual([0, 1, 0]);
    expect(scene.joints[0]!.frameB.translation).toEqual([0, -0.5, 0]);
  });

  it('turns collision filters into interaction groups, one bit per filter', async () => {
    const scene = await read(
      boxScene((j) => {
        j.extensions.KHR_physics_rigid_bodies.collisionFilters = [{ collisionSystems: ['ground'] }, { collisionSystems: ['debris', 'ghost'], notCollideWithSystems: ['ground'] }];
        j.nodes[0].extensions.KHR_physics_rigid_bodies.collider.collisionFilter = 0;
        j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.collisionFilter = 1;
        addNode(j, { name: 'Plain', translation: [3, 2, 0], extensions: { KHR_physics_rigid_bodies: { motion: {}, collider: { geometry: { shape: 1 } } } } });
      }).bytes,
    );
    const groups = [scene.staticColliders[0]!.groups, scene.bodies[0]!.colliders[0]!.groups, scene.bodies[1]!.colliders[0]!.groups];
    const collide = (a: number, b: number) => ((a >>> 16) & b) !== 0 && ((b >>> 16) & a) !== 0;
    expect(collide(groups[0]!, groups[1]!)).toBe(false); // the box opts out of the ground
    expect(collide(groups[0]!, groups[2]!)).toBe(true);
    expect(collide(groups[1]!, groups[2]!)).toBe(true);
    // As the draft's exporter and importer mean it: sharing one system of a collideWithSystems list is enough.
    const shared = await read(
      boxScene((j) => {
        j.extensions.KHR_physics_rigid_bodies.collisionFilters = [
          { collisionSystems: ['s0', 's1'], collideWithSystems: ['s0', 's1'] },
          { collisionSystems: ['s1'], collideWithSystems: ['s1'] },
          { collisionSystems: ['s2'], collideWithSystems: ['s2'] },
        ];
        j.nodes[0].extensions.KHR_physics_rigid_bodies.collider.collisionFilter = 0;
        j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.collisionFilter = 1;
        addNode(j, { name: 'Other', translation: [3, 2, 0], extensions: { KHR_physics_rigid_bodies: { motion: {}, collider: { geometry: { shape: 1 }, collisionFilter: 2 } } } });
      }).bytes,
    );
    const [ground, box, other] = [shared.staticColliders[0]!.groups, shared.bodies[0]!.colliders[0]!.groups, shared.bodies[1]!.colliders[0]!.groups];
    expect([collide(ground, box), collide(ground, other), collide(box, other)]).toEqual([true, false, false]);
  });

  it('warns about what Rapier does differently, and what it ignores', async () => {
    const scene = await read(
      boxScene((j) => {
        j.extensions.KHR_physics_rigid_bodies.physicsMaterials = [
          { staticFriction: 0.9, dynamicFriction: 0.5, frictionCombine: 'average' },
          { frictionCombine: 'maximum' },
        ];
        j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.physicsMaterial = 1;
        addNode(j, { name: 'Sensor', extensions: { KHR_physics_rigid_bodies: { trigger: { geometry: { shape: 1 } } } } });
      }).bytes,
    );
    const text = scene.warnings.join('\n');
    expect(text).toMatch(/staticFriction 0.9 and dynamicFriction 0.5; Rapier has one friction, so 0.5 is used/);
    expect(text).toMatch(/frictionCombine "average" and "maximum": where two of them touch, Rapier combines by "maximum", the draft says "average"/);
    expect(text).toMatch(/1 trigger volume\(s\) ignored/);
  });

  it('refuses a scene with nothing to simulate', async () => {
    expect(await refusal(boxScene((j) => delete j.nodes[1].extensions.KHR_physics_rigid_bodies.motion).bytes)).toMatch(/no dynamic rigid body to simulate: no node has a motion/);
    expect(await refusal(boxScene((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.motion.isKinematic = true)).bytes)).toMatch(/its only moving bodies are kinematic/);
    expect(await refusal(boxScene((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies = { motion: {} })).bytes)).toMatch(/Box moves but has neither a collider nor a mass/);
  });

  it('refuses shapes Rapier cannot represent, saying what to use instead', async () => {
    const shape = (s: object, scale?: number[]) =>
      refusal(
        boxScene((j) => {
          j.extensions.KHR_implicit_shapes.shapes[1] = s;
          if (scale) j.nodes[1].scale = scale;
        }).bytes,
      );
    expect(await shape({ type: 'capsule', capsule: { height: 1, radiusTop: 0.2, radiusBottom: 0.3 } })).toMatch(/node Box's collider is a tapered capsule .*make both radii equal, or use a convex hull mesh/);
    expect(await shape({ type: 'cylinder', cylinder: { height: 1, radiusTop: 0.2, radiusBottom: 0.3 } })).toMatch(/truncated cone .*use a convex hull mesh/);
    expect(await shape({ type: 'sphere', sphere: { radius: 0.5 } }, [1, 2, 1])).toMatch(/sphere under a non-uniform scale \(1, 2, 1\)/);
    expect(await shape({ type: 'box' }, [1, 0, 1])).toMatch(/node Box has a sheared or zero-scaled world transform/);
    const flat = boxScene((j) => (j.nodes[1].children = [addNode(j, { name: 'Flat', scale: [1, 0, 1], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 1 } } } } }, false)]));
    expect(await refusal(flat.bytes)).toMatch(/node Flat's collider has a scale of zero on one axis/);
    const gone = await read(boxScene((j) => (j.nodes[1].children = [addNode(j, { name: 'Gone', scale: [0, 0, 0], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 1 } } } } }, false)])).bytes);
    expect(gone.bodies[0]!.colliders.map((c) => c.name)).toEqual(['Box']);
    expect(gone.warnings).toEqual(["node Gone's collider has a zero scale, so it is disabled"]);
    expect(await shape({ type: 'torus' })).toMatch(/shape type "torus", which this engine does not know/);
    expect(await shape({ type: 'plane', plane: {} })).toMatch(/infinite plane on a moving body; planes can only be static/);
    expect(await shape({ type: 'plane', plane: { sizeX: 2, sizeZ: 2 } })).toMatch(/finite plane; Rapier has only infinite ones: use a thin box/);
    expect(await shape({ type: 'box', box: { size: [1e-9, 1, 1] } })).toMatch(/size of 5e-10 m/);
  });

  it('refuses malformed extension data, naming where it is', async () => {
    const motion = (m: object) => refusal(boxScene((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.motion = m)).bytes);
    expect(await motion({ mass: -1 })).toMatch(/nodes\[1\]\.extensions\.KHR_physics_rigid_bodies\.motion\.mass is malformed/);
    expect(await motion({ mass: 'heavy' })).toMatch(/motion\.mass is malformed \(Invalid input: expected number, received string\)/);
    expect(await motion({ linearVelocity: [1, 2] })).toMatch(/motion\.linearVelocity is malformed/);
    expect(await motion({ linearVelocity: [1e9, 0, 0] })).toMatch(/starts at 1000000000 m\/s; the engine accepts up to 10000 m\/s/);
    expect(await motion({ gravityFactor: 1e6 })).toMatch(/gravityFactor 1000000/);
    const edit = (f: (j: any) => void) => refusal(boxScene(f).bytes);
    expect(await edit((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.geometry.shape = 9))).toMatch(/names KHR_implicit_shapes shape 9, which does not exist/);
    expect(await edit((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.physicsMaterial = 4))).toMatch(/names physics material 4, which does not exist/);
    expect(await edit((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.collisionFilter = 0))).toMatch(/names collision filter 0, which does not exist/);
    expect(await edit((j) => (j.nodes[1].extensions.KHR_physics_rigid_bodies.collider.geometry = { shape: 1, node: 0 }))).toMatch(/needs exactly one of shape, node and mesh/);
    expect(await edit((j) => (j.nodes[1].translation = [0, 'up', 0]))).toMatch(/node 1 has a translation that is not 3 finite numbers/);
    expect(await edit((j) => (j.nodes[0].children = [0]))).toMatch(/node 0 has more than one parent|its own ancestor/);
    expect(await edit((j) => (j.extensions.KHR_physics_rigid_bodies.collisionFilters = [{ collideWithSystems: ['a'], notCollideWithSystems: ['b'] }]))).toMatch(
      /collisionFilters\.0 is malformed \(has both collideWithSystems and notCollideWithSystems\)/,
    );
  });

  it('refuses more distinct collision filters than Rapier has bits, and joints it cannot build', async () => {
    const filters = await refusal(
      boxScene((j) => {
        j.extensions.KHR_physics_rigid_bodies.collisionFilters = Array.from({ length: 17 }, (_, i) => ({ collisionSystems: [`s${i}`] }));
        for (let i = 0; i < 17; i++) addNode(j, { translation: [i * 2, 5, 0], extensions: { KHR_physics_rigid_bodies: { motion: {}, collider: { geometry: { shape: 1 }, collisionFilter: i } } } });
      }).bytes,
    );
    expect(filters).toMatch(/use 18 different collision filters; Rapier can keep at most 16 apart/);
    const joint = (limits: object[], connectedNode = 0) =>
      refusal(
        boxScene((j) => {
          j.extensions.KHR_physics_rigid_bodies.physicsJoints = [{ limits }];
          j.nodes[1].extensions.KHR_physics_rigid_bodies.joint = { connectedNode, joint: 0 };
        }).bytes,
      );
    expect(await joint([{ linearAxes: [0], min: -1, max: 1 }])).toMatch(/limits its linear X axis to a range while 5 other axes are free/);
    expect(await joint([{ linearAxes: [0, 1, 2], max: 0.5 }])).toMatch(/limits 3 linear axes together to a range \(a distance\)/);
    expect(await joint([{ angularAxes: [0], min: 0, max: 0, stiffness: 10 }])).toMatch(/soft limit \(stiffness\)/);
    expect(await joint([{ angularAxes: [1], min: 0, max: 0 }, { angularAxes: [1], min: -1, max: 1 }])).toMatch(/limits its angular Y axis twice/);
    expect(await joint([], 1)).toMatch(/connects two nodes of the same body/);
  });

  it('refuses a moving body under a non-uniformly scaled parent, whose motion no local TRS can write', async () => {
    const message = await refusal(
      boxScene((j) => {
        j.nodes.push({ name: 'Stretch', scale: [1, 3, 1], children: [1] });
        j.scenes[0].nodes = [0, 2];
      }).bytes,
    );
    expect(message).toMatch(/node Box moves under node Stretch, which is scaled non-uniformly or mirrored/);
  });
});
