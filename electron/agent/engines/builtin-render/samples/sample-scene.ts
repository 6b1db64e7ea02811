// Owns the sample scene shipped as assets/sample-scene.glb: a product shot on a studio sweep
// (gold torus knot turning on a wooden plinth, a vase, a glossy ball), lit by a key spot, a fill
// and rim light and an emissive softbox strip. Built with the Document API, so the file is exact
// and reproducible; lights and emissive strength are patched into the JSON (core has no classes).

import { Document, Format, NodeIO, type Material, type Node } from '@gltf-transform/core';
import { encodePng } from '../image-encode.js';
import { cylinder, facingStrip, lathe, normalize, sphere, studioSweep, torusKnot, type Shape } from './sample-shapes.js';

type V3 = [number, number, number];
type Q = [number, number, number, number];

const KNOT_Y = 1.34;
const ANIMATION_SEC = 2;

export async function buildSampleScene(): Promise<Uint8Array> {
  const doc = new Document();
  const buffer = doc.createBuffer();
  const scene = doc.createScene('Studio');
  doc.getRoot().setDefaultScene(scene);
  const material = (name: string, base: V3, metallic: number, roughness: number): Material =>
    doc.createMaterial(name).setBaseColorFactor([...base, 1]).setMetallicFactor(metallic).setRoughnessFactor(roughness);
  const addMesh = (name: string, shape: Shape, mat: Material, translation: V3 = [0, 0, 0]): Node => {
    const vertexCount = shape.positions.length / 3;
    const accessor = (type: 'VEC3' | 'VEC2', data: number[]) => doc.createAccessor().setType(type).setArray(new Float32Array(data)).setBuffer(buffer);
    const indices = vertexCount < 65536 ? new Uint16Array(shape.indices) : new Uint32Array(shape.indices);
    const prim = doc
      .createPrimitive()
      .setAttribute('POSITION', accessor('VEC3', shape.positions))
      .setAttribute('NORMAL', accessor('VEC3', shape.normals))
      .setIndices(doc.createAccessor().setType('SCALAR').setArray(indices).setBuffer(buffer))
      .setMaterial(mat);
    if (mat.getBaseColorTexture()) prim.setAttribute('TEXCOORD_0', accessor('VEC2', shape.uvs));
    const node = doc.createNode(name).setMesh(doc.createMesh(name).addPrimitive(prim)).setTranslation(translation);
    scene.addChild(node);
    return node;
  };

  const wood = doc.createTexture('wood').setImage(woodTexturePng()).setMimeType('image/png');
  addMesh('Backdrop', studioSweep(14, 5, -3, 1.6, 6), material('Backdrop', [0.5, 0.49, 0.48], 0, 0.8));
  addMesh('Plinth', cylinder(0.75, 0.55, 96), material('Oak', [1, 1, 1], 0, 0.55).setBaseColorTexture(wood));
  const knot = addMesh('Knot', torusKnot(0.42, 0.12, 2, 3, 420, 40), material('Gold', [1.0, 0.76, 0.36], 1, 0.22), [0, KNOT_Y, 0]);
  const vaseProfile: [number, number][] = Array.from({ length: 49 }, (_, i) => {
    const t = i / 48;
    return [0.02 + 0.26 * Math.sin(Math.PI * (0.15 + 0.85 * t)) * (1 - 0.45 * t) + 0.09 * t * t, t * 1.25];
  });
  addMesh('Vase', lathe(vaseProfile, 96), material('Teal glaze', [0.04, 0.3, 0.34], 0, 0.3), [-1.75, 0, 0.35]);
  addMesh('Ball', sphere(0.34, 64, 32), material('Red lacquer', [0.75, 0.05, 0.04], 0, 0.12), [1.55, 0.34, 0.8]);
  const softbox = material('Softbox', [0, 0, 0], 0, 1).setEmissiveFactor([1, 0.97, 0.92]);
  addMesh('Softbox', facingStrip([-2.6, 3.6, 2.2], [0, KNOT_Y, 0], 3.2, 0.7), softbox);

  const camera = doc.createCamera('Camera').setType('perspective').setYFov(0.5).setAspectRatio(4 / 3).setZNear(0.05).setZFar(100);
  const eye: V3 = [0, 1.55, 6.2];
  scene.addChild(doc.createNode('Camera').setCamera(camera).setTranslation(eye).setRotation(lookRotation(eye, [0, 1.0, 0])));
  const lights: { name: string; at: V3; light: object }[] = [
    { name: 'Key light', at: [3.2, 4.4, 3.4], light: { type: 'spot', color: [1, 0.93, 0.84], intensity: 110, spot: { innerConeAngle: 0.25, outerConeAngle: 0.55 } } },
    { name: 'Fill light', at: [-3.5, 2.2, 3.5], light: { type: 'point', color: [0.75, 0.85, 1], intensity: 9 } },
    { name: 'Rim light', at: [-1.2, 3.4, -2.2], light: { type: 'spot', color: [1, 0.95, 0.9], intensity: 30, spot: { innerConeAngle: 0.15, outerConeAngle: 0.35 } } },
  ];
  for (const l of lights) scene.addChild(doc.createNode(l.name).setTranslation(l.at).setRotation(lookRotation(l.at, [0, KNOT_Y, 0])));

  // The knot turns once about +Y over two seconds: 49 frames at 24 fps, the last equal to the first.
  const times = [0, 0.5, 1, 1.5, 2].map((t) => (t * ANIMATION_SEC) / 2);
  const turns = times.flatMap((t) => {
    const a = (t / ANIMATION_SEC) * Math.PI;
    return [0, Math.sin(a), 0, Math.cos(a)];
  });
  const sampler = doc
    .createAnimationSampler()
    .setInput(doc.createAccessor().setType('SCALAR').setArray(new Float32Array(times)).setBuffer(buffer))
    .setOutput(doc.createAccessor().setType('VEC4').setArray(new Float32Array(turns)).setBuffer(buffer))
    .setInterpolation('LINEAR');
  doc.createAnimation('Turntable').addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(knot).setTargetPath('rotation').setSampler(sampler));

  const io = new NodeIO();
  const { json, resources } = await io.writeJSON(doc, { format: Format.GLB });
  json.extensionsUsed = ['KHR_lights_punctual', 'KHR_materials_emissive_strength'];
  json.extensions = { KHR_lights_punctual: { lights: lights.map((l) => l.light) } };
  lights.forEach((l, i) => {
    const node = json.nodes?.find((n) => n.name === l.name);
    if (node) node.extensions = { KHR_lights_punctual: { light: i } };
  });
  const softboxDef = json.materials?.find((m) => m.name === 'Softbox');
  if (softboxDef) softboxDef.extensions = { KHR_materials_emissive_strength: { emissiveStrength: 7 } };
  return packGlb(json, Object.values(resources)[0] ?? new Uint8Array(0));
}

/** camera/light -Z looks from `eye` at `target`, +Y stays up. */
function lookRotation(eye: V3, target: V3): Q {
  const z = normalize([eye[0] - target[0], eye[1] - target[1], eye[2] - target[2]]);
  const x = normalize([z[2], 0, -z[0]]);
  const y: V3 = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  // Rotation matrix with columns x, y, z to a quaternion (Shepperd's method, trace branch first).
  const trace = x[0] + y[1] + z[2];
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    return [(y[2] - z[1]) / s, (z[0] - x[2]) / s, (x[1] - y[0]) / s, s / 4];
  }
  if (x[0] > y[1] && x[0] > z[2]) {
    const s = Math.sqrt(1 + x[0] - y[1] - z[2]) * 2;
    return [s / 4, (y[0] + x[1]) / s, (z[0] + x[2]) / s, (y[2] - z[1]) / s];
  }
  if (y[1] > z[2]) {
    const s = Math.sqrt(1 + y[1] - x[0] - z[2]) * 2;
    return [(y[0] + x[1]) / s, s / 4, (z[1] + y[2]) / s, (z[0] - x[2]) / s];
  }
  const s = Math.sqrt(1 + z[2] - x[0] - y[1]) * 2;
  return [(z[0] + x[2]) / s, (z[1] + y[2]) / s, s / 4, (x[1] - y[0]) / s];
}

function packGlb(json: object, bin: Uint8Array): Uint8Array {
  const pad = (bytes: Uint8Array, fill: number): Buffer => {
    const padded = Buffer.alloc(Math.ceil(bytes.length / 4) * 4, fill);
    padded.set(bytes);
    return padded;
  };
  const jsonChunk = pad(Buffer.from(JSON.stringify(json)), 0x20);
  const binChunk = pad(bin, 0);
  const header = Buffer.alloc(12);
  const total = 12 + 8 + jsonChunk.length + (binChunk.length > 0 ? 8 + binChunk.length : 0);
  header.writeUInt32LE(0x46546c67, 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(total, 8);
  const chunkHeader = (length: number, type: number): Buffer => {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(length, 0);
    b.writeUInt32LE(type, 4);
    return b;
  };
  const parts = [header, chunkHeader(jsonChunk.length, 0x4e4f534a), jsonChunk];
  if (binChunk.length > 0) parts.push(chunkHeader(binChunk.length, 0x004e4942), binChunk);
  return new Uint8Array(Buffer.concat(parts));
}

/** 128x128 oak-like grain: rings around an off-centre core, warped by smooth value noise. */
function woodTexturePng(): Uint8Array {
  const size = 128;
  const rgba = new Float32Array(size * size * 4);
  const hash = (x: number, y: number): number => {
    const h = Math.imul((x * 374761393 + y * 668265263) | 0, 1274126177);
    return (((h ^ (h >>> 13)) >>> 0) % 1000) / 1000;
  };
  const noise = (x: number, y: number): number => {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    const fx = x - xi;
    const fy = y - yi;
    const sx = fx * fx * (3 - 2 * fx);
    const sy = fy * fy * (3 - 2 * fy);
    const top = hash(xi % 8, yi % 8) * (1 - sx) + hash((xi + 1) % 8, yi % 8) * sx;
    const bottom = hash(xi % 8, (yi + 1) % 8) * (1 - sx) + hash((xi + 1) % 8, (yi + 1) % 8) * sx;
    return top * (1 - sy) + bottom * sy;
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size;
      const v = y / size;
      const warp = noise(u * 8, v * 8) * 0.6;
      const ring = Math.sin((Math.hypot(u - 0.5, (v - 0.5) * 0.25) * 28 + warp * 3) * Math.PI) * 0.5 + 0.5;
      const grain = noise(u * 8, v * 2) * 0.15;
      const k = Math.pow(ring, 3) * 0.55 + grain;
      const i = (y * size + x) * 4;
      // Light oak to dark latewood, in linear terms.
      rgba[i] = 0.42 - 0.24 * k;
      rgba[i + 1] = 0.24 - 0.15 * k;
      rgba[i + 2] = 0.1 - 0.07 * k;
      rgba[i + 3] = 1;
    }
  }
  return new Uint8Array(encodePng(rgba, size, size));
}
