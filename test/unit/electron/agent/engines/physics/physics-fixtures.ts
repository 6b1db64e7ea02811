// Small physics scenes for the engine's tests: the shipped sample, a mesh-free .gltf (implicit
// shapes only, as bytes) to break one way at a time, and a .glb with a mesh for hull and
// triangle-mesh colliders.

import { Document, Format, GLB_BUFFER, NodeIO } from '@gltf-transform/core';
import { packGlb } from '../../../../../../electron/agent/engines/physics/reading/glb-container.js';

export const SAMPLE = new URL('../../../../../../assets/physics/tower-and-ball.glb', import.meta.url).pathname;

/** A box falling onto a static ground box: glTF JSON with implicit shapes only, changed by `edit`. */
export function boxScene(edit: (json: any) => void = () => {}): { json: any; bytes: Uint8Array } {
  const json: any = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0, 1] }],
    nodes: [
      { name: 'Ground', translation: [0, -0.5, 0], extensions: { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 0 }, physicsMaterial: 0 } } } },
      { name: 'Box', translation: [0, 2, 0], extensions: { KHR_physics_rigid_bodies: { motion: { mass: 2 }, collider: { geometry: { shape: 1 }, physicsMaterial: 0 } } } },
    ],
    extensionsUsed: ['KHR_implicit_shapes', 'KHR_physics_rigid_bodies'],
    extensions: {
      KHR_implicit_shapes: {
        shapes: [
          { type: 'box', box: { size: [10, 1, 10] } },
          { type: 'box', box: { size: [1, 1, 1] } },
        ],
      },
      KHR_physics_rigid_bodies: { physicsMaterials: [{ staticFriction: 0.5, dynamicFriction: 0.5, restitution: 0 }] },
    },
  };
  edit(json);
  return { json, bytes: new Uint8Array(Buffer.from(JSON.stringify(json))) };
}

/** Adds node `node` (returns its index) as a child of the scene root list. */
export function addNode(json: any, node: object, root = true): number {
  json.nodes.push(node);
  const index = json.nodes.length - 1;
  if (root) json.scenes[0].nodes.push(index);
  return index;
}

/**
 * A .glb with a unit-cube mesh (mesh 0) on node "Hull", which falls onto a ground; `edit` changes
 * the JSON first. With `animated`, an animation "Wobble" moves both nodes.
 */
export async function meshScene(edit: (json: any) => void = () => {}, animated = false): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const corners = [-0.5, 0.5].flatMap((x) => [-0.5, 0.5].flatMap((y) => [-0.5, 0.5].flatMap((z) => [x, y, z])));
  const faces = [0, 1, 3, 0, 3, 2, 4, 6, 7, 4, 7, 5, 0, 4, 5, 0, 5, 1, 2, 3, 7, 2, 7, 6, 0, 2, 6, 0, 6, 4, 1, 5, 7, 1, 7, 3];
  const prim = doc
    .createPrimitive()
    .setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array(corners)).setBuffer(buffer))
    .setIndices(doc.createAccessor().setType('SCALAR').setArray(new Uint16Array(faces)).setBuffer(buffer));
  const mesh = doc.createMesh('Cube').addPrimitive(prim);
  const scene = doc.createScene();
  const ground = doc.createNode('Ground').setTranslation([0, -0.5, 0]);
  const hull = doc.createNode('Hull').setMesh(mesh).setTranslation([0, 2, 0]);
  scene.addChild(ground).addChild(hull);
  if (animated) {
    const times = doc.createAccessor().setType('SCALAR').setArray(new Float32Array([0, 1])).setBuffer(buffer);
    const animation = doc.createAnimation('Wobble');
    for (const node of [ground, hull]) {
      const values = doc.createAccessor().setType('VEC3').setArray(new Float32Array([0, -0.5, 0, 0, -0.4, 0])).setBuffer(buffer);
      const sampler = doc.createAnimationSampler().setInput(times).setOutput(values);
      animation.addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(node).setTargetPath('translation').setSampler(sampler));
    }
  }
  const { json, resources } = await new NodeIO().writeJSON(doc, { format: Format.GLB });
  const j: any = json;
  j.nodes[0].extensions = { KHR_physics_rigid_bodies: { collider: { geometry: { shape: 0 } } } };
  j.nodes[1].extensions = { KHR_physics_rigid_bodies: { motion: {}, collider: { geometry: { node: 1, convexHull: true } } } };
  j.extensions = { KHR_implicit_shapes: { shapes: [{ type: 'box', box: { size: [10, 1, 10] } }] } };
  j.extensionsUsed = ['KHR_implicit_shapes', 'KHR_physics_rigid_bodies'];
  edit(j);
  return packGlb(j, resources[GLB_BUFFER] ?? null);
}
