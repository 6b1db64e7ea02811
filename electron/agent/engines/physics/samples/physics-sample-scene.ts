// Owns the physics sample shipped as assets/physics/tower-and-ball.glb: a tower of twelve boxes
// (under a moved and turned "Tower" node, so animating them needs world-to-local conversion) on a
// static ground, and a heavy ball rolling in to knock it over; with a camera and a light, so the
// result renders on the built-in path tracer.
//
// Meshes and nodes are built with @gltf-transform/core; the physics drafts' JSON is then written
// into the raw JSON and packed as a GLB here, because a Document drops extensions it has no class
// for (and @gltf-transform/core has none for these drafts).

import { Document, Format, GLB_BUFFER, NodeIO, type Material, type Mesh, type Node } from '@gltf-transform/core';
import { sphere, type Shape } from '../../builtin-render/samples/sample-shapes.js';
import { packGlb } from '../reading/glb-container.js';

type V3 = [number, number, number];

export const SAMPLE_BOX_SIZE_M = 0.5;
const COLUMNS = 3;
const ROWS = 4;
const BALL_RADIUS_M = 0.35;

export async function buildPhysicsSampleScene(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const scene = doc.createScene('Tower and ball');
  doc.getRoot().setDefaultScene(scene);
  const material = (name: string, rgb: V3, roughness: number): Material => doc.createMaterial(name).setBaseColorFactor([...rgb, 1]).setRoughnessFactor(roughness).setMetallicFactor(0);
  const mesh = (name: string, shape: Shape, mat: Material): Mesh => {
    const acc = (type: 'VEC3', data: number[]) => doc.createAccessor().setType(type).setArray(new Float32Array(data)).setBuffer(buffer);
    const prim = doc
      .createPrimitive()
      .setAttribute('POSITION', acc('VEC3', shape.positions))
      .setAttribute('NORMAL', acc('VEC3', shape.normals))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(shape.indices)).setBuffer(buffer))
      .setMaterial(mat);
    return doc.createMesh(name).addPrimitive(prim);
  };

  scene.addChild(doc.createNode('Ground').setMesh(mesh('Ground', box([20, 0.2, 20]), material('Concrete', [0.45, 0.45, 0.43], 0.9))).setTranslation([0, -0.1, 0]));
  const tower = doc.createNode('Tower').setTranslation([1.5, 0, 0]).setRotation([0, Math.sin(Math.PI / 24), 0, Math.cos(Math.PI / 24)]);
  scene.addChild(tower);
  const crate = mesh('Crate', box([SAMPLE_BOX_SIZE_M, SAMPLE_BOX_SIZE_M, SAMPLE_BOX_SIZE_M]), material('Crate', [0.62, 0.42, 0.22], 0.7));
  const boxes: Node[] = [];
  for (let row = 0; row < ROWS; row++) {
    for (let col = 0; col < COLUMNS; col++) {
      // A hair apart, so nothing starts in contact: the tower stands until the ball arrives.
      const at: V3 = [0, SAMPLE_BOX_SIZE_M / 2 + row * (SAMPLE_BOX_SIZE_M + 0.002), (col - (COLUMNS - 1) / 2) * (SAMPLE_BOX_SIZE_M + 0.01)];
      const node = doc.createNode(`Box r${row} c${col}`).setMesh(crate).setTranslation(at);
      tower.addChild(node);
      boxes.push(node);
    }
  }
  scene.addChild(doc.createNode('Ball').setMesh(mesh('Ball', sphere(BALL_RADIUS_M, 32, 16), material('Steel', [0.55, 0.56, 0.58], 0.3))).setTranslation([-3, BALL_RADIUS_M, 0.1]));
  const camera = doc.createCamera('Camera').setType('perspective').setYFov(0.7).setAspectRatio(16 / 9).setZNear(0.05).setZFar(100);
  scene.addChild(doc.createNode('Camera').setCamera(camera).setTranslation([0, 2.2, 7]).setRotation([-Math.sin(0.1), 0, 0, Math.cos(0.1)]));
  scene.addChild(doc.createNode('Sun').setRotation([-Math.sin(Math.PI / 6), Math.sin(0.2), 0, Math.cos(Math.PI / 6)]));

  const { json, resources } = await new NodeIO().writeJSON(doc, { format: Format.GLB });
  const nodes = json.nodes!;
  const at = (name: string) => nodes.find((n) => n.name === name)!;
  const physics = (ext: object) => ({ KHR_physics_rigid_bodies: ext });
  at('Ground').extensions = physics({ collider: { geometry: { shape: 0 }, physicsMaterial: 0 } });
  for (const node of boxes) at(node.getName()).extensions = physics({ motion: { mass: 1 }, collider: { geometry: { shape: 1 }, physicsMaterial: 1 } });
  at('Ball').extensions = physics({ motion: { mass: 8, linearVelocity: [7, 0, 0] }, collider: { geometry: { shape: 2 }, physicsMaterial: 2 } });
  at('Sun').extensions = { KHR_lights_punctual: { light: 0 } };
  json.extensions = {
    KHR_implicit_shapes: {
      shapes: [
        { type: 'box', box: { size: [20, 0.2, 20] } },
        { type: 'box', box: { size: [SAMPLE_BOX_SIZE_M, SAMPLE_BOX_SIZE_M, SAMPLE_BOX_SIZE_M] } },
        { type: 'sphere', sphere: { radius: BALL_RADIUS_M } },
      ],
    },
    KHR_physics_rigid_bodies: {
      physicsMaterials: [
        { staticFriction: 0.8, dynamicFriction: 0.8, restitution: 0 },
        { staticFriction: 0.6, dynamicFriction: 0.6, restitution: 0.1 },
        { staticFriction: 0.4, dynamicFriction: 0.4, restitution: 0.2, restitutionCombine: 'maximum' },
      ],
    },
    KHR_lights_punctual: { lights: [{ type: 'directional', color: [1, 0.96, 0.9], intensity: 3 }] },
  };
  json.extensionsUsed = ['KHR_implicit_shapes', 'KHR_physics_rigid_bodies', 'KHR_lights_punctual'];
  return packGlb(json, resources[GLB_BUFFER] ?? null);
}

/** An axis-aligned box centred on the origin: 4 vertices a face (flat normals), counter-clockwise outside. */
function box(size: V3): Shape {
  const shape: Shape = { positions: [], normals: [], uvs: [], indices: [] };
  const h = size.map((s) => s / 2) as V3;
  for (let axis = 0; axis < 3; axis++) {
    for (const sign of [1, -1]) {
      const n: V3 = [0, 0, 0];
      n[axis] = sign;
      const u = (axis + 1) % 3;
      const v = (axis + 2) % 3;
      const base = shape.positions.length / 3;
      for (const [a, b] of [[-1, -1], [1, -1], [1, 1], [-1, 1]] as const) {
        const p: V3 = [0, 0, 0];
        p[axis] = sign * h[axis]!;
        p[u] = a * sign * h[u]!;
        p[v] = b * h[v]!;
        shape.positions.push(...p);
        shape.normals.push(...n);
        shape.uvs.push((a + 1) / 2, (b + 1) / 2);
      }
      shape.indices.push(base, base + 1, base + 2, base, base + 2, base + 3);
    }
  }
  return shape;
}
