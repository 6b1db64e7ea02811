// Scenes made on the spot for tests: a small animated one that renders in well under a second a
// frame, and the broken ones a user might hand us (truncated, empty, with path tricks).

import { Document, NodeIO } from '@gltf-transform/core';
import { readFile, writeFile } from 'node:fs/promises';

/** A UV sphere on a floor, a camera, a point light, and an animation turning the sphere. */
export async function writeTestScene(path: string, segments = 24): Promise<void> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const positions: number[] = [];
  const indices: number[] = [];
  for (let i = 0; i <= segments; i++) {
    const v = (i / segments) * Math.PI;
    for (let j = 0; j <= segments; j++) {
      const u = (j / segments) * 2 * Math.PI;
      positions.push(Math.sin(v) * Math.cos(u) * 0.6, Math.cos(v) * 0.6 + 0.6, Math.sin(v) * Math.sin(u) * 0.6);
    }
  }
  for (let i = 0; i < segments; i++)
    for (let j = 0; j < segments; j++) {
      const a = i * (segments + 1) + j;
      const b = a + segments + 1;
      indices.push(a, b, a + 1, a + 1, b, b + 1);
    }
  const accessor = (type: 'VEC3' | 'SCALAR', array: Float32Array | Uint32Array) => doc.createAccessor().setType(type).setArray(array).setBuffer(buffer);
  const sphere = doc
    .createMesh('sphere')
    .addPrimitive(
      doc
        .createPrimitive()
        .setAttribute('POSITION', accessor('VEC3', new Float32Array(positions)))
        .setIndices(accessor('SCALAR', new Uint32Array(indices)))
        .setMaterial(doc.createMaterial('red').setBaseColorFactor([0.8, 0.2, 0.15, 1]).setRoughnessFactor(0.4)),
    );
  const floor = doc
    .createMesh('floor')
    .addPrimitive(
      doc
        .createPrimitive()
        .setAttribute('POSITION', accessor('VEC3', new Float32Array([-3, 0, -3, 3, 0, -3, 3, 0, 3, -3, 0, 3])))
        .setIndices(accessor('SCALAR', new Uint32Array([0, 2, 1, 0, 3, 2])))
        .setMaterial(doc.createMaterial('grey').setBaseColorFactor([0.7, 0.7, 0.7, 1]).setRoughnessFactor(0.8)),
    );
  const sphereNode = doc.createNode('sphere').setMesh(sphere);
  const camera = doc.createCamera('cam').setType('perspective').setYFov(0.8).setZNear(0.1).setZFar(100).setAspectRatio(4 / 3);
  const scene = doc
    .createScene('scene')
    .addChild(sphereNode)
    .addChild(doc.createNode('floor').setMesh(floor))
    .addChild(doc.createNode('camera').setCamera(camera).setTranslation([0, 1.2, 3.2]).setRotation([-0.17, 0, 0, 0.985]));
  doc.getRoot().setDefaultScene(scene);
  const times = doc.createAccessor().setType('SCALAR').setArray(new Float32Array([0, 2])).setBuffer(buffer);
  const moves = doc.createAccessor().setType('VEC3').setArray(new Float32Array([-0.8, 0, 0, 0.8, 0, 0])).setBuffer(buffer);
  const sampler = doc.createAnimationSampler().setInput(times).setOutput(moves).setInterpolation('LINEAR');
  doc.createAnimation('move').addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(sphereNode).setTargetPath('translation').setSampler(sampler));
  await new NodeIO().write(path, doc);
}

export async function writeTruncatedScene(validPath: string, path: string): Promise<void> {
  const bytes = await readFile(validPath);
  await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
}

/** A valid file with a camera and nothing to see. */
export async function writeEmptyScene(path: string): Promise<void> {
  const doc = new Document();
  const camera = doc.createCamera('cam').setType('perspective').setYFov(0.8).setZNear(0.1).setZFar(100);
  doc.getRoot().setDefaultScene(doc.createScene('empty').addChild(doc.createNode('camera').setCamera(camera)));
  await new NodeIO().write(path, doc);
}

/** A .gltf whose buffer points outside its folder. */
export async function writePathTrickScene(path: string): Promise<void> {
  const gltf = {
    asset: { version: '2.0' },
    buffers: [{ uri: '../../../../etc/passwd', byteLength: 36 }],
    bufferViews: [{ buffer: 0, byteLength: 36 }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    nodes: [{ mesh: 0 }],
    scenes: [{ nodes: [0] }],
    scene: 0,
  };
  await writeFile(path, JSON.stringify(gltf));
}
