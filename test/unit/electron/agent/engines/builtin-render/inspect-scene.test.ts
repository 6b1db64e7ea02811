import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, NodeIO } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { inspectScene } from '../../../../../../electron/agent/engines/builtin-render/index.js';
import { TroupeError } from '../../../../../../shared/errors.js';
import { SAMPLE_SCENE, tempDir, writeQuadScene } from './scene-fixtures.js';

async function refusal(path: string): Promise<TroupeError> {
  const err = await inspectScene(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TroupeError);
  expect((err as TroupeError).code).toBe('bad-scene');
  return err as TroupeError;
}

describe('inspectScene', () => {
  it('summarises the sample scene', async () => {
    const summary = await inspectScene(SAMPLE_SCENE);
    expect(summary.triangles).toBeGreaterThan(20_000);
    expect(summary.lights).toBe(3);
    expect(summary.hasCamera).toBe(true);
    expect(summary.textures).toBe(1);
    expect(summary.animationFrames).toBe(49); // 2 s at 24 fps, both ends included
    expect(await inspectScene(SAMPLE_SCENE, 12)).toMatchObject({ animationFrames: 25 });
    expect(summary.warnings).toEqual([]);
  });

  it('reads a .gltf with its buffer and texture next to it, and warns about what it makes up', async () => {
    const summary = await inspectScene(writeQuadScene());
    expect(summary).toMatchObject({ triangles: 2, meshes: 1, textures: 1, hasCamera: true, lights: 0, animationFrames: null });
    expect(summary.warnings.join('\n')).toMatch(/no lights/);
    const noCamera = await inspectScene(writeQuadScene((j) => (j.scenes[0].nodes = [0])));
    expect(noCamera.hasCamera).toBe(false);
    expect(noCamera.warnings.join('\n')).toMatch(/no camera/);
  });

  it('plays CUBICSPLINE as linear between its keys, with a warning', async () => {
    const doc = new Document();
    const buffer = doc.createBuffer();
    const acc = (type: 'SCALAR' | 'VEC3', values: number[]) => doc.createAccessor().setType(type).setArray(new Float32Array(values)).setBuffer(buffer);
    const mesh = doc.createMesh().addPrimitive(doc.createPrimitive().setAttribute('POSITION', acc('VEC3', [0, 0, 0, 1, 0, 0, 0, 1, 0])));
    const node = doc.createNode().setMesh(mesh);
    doc.createScene().addChild(node);
    // Keys are [in-tangent, value, out-tangent]; tangents are large so using them would show.
    const sampler = doc.createAnimationSampler().setInput(acc('SCALAR', [0, 1])).setOutput(acc('VEC3', [9, 9, 9, 0, 0, 0, 9, 9, 9, 9, 9, 9, 2, 0, 0, 9, 9, 9])).setInterpolation('CUBICSPLINE');
    doc.createAnimation().addSampler(sampler).addChannel(doc.createAnimationChannel().setTargetNode(node).setTargetPath('translation').setSampler(sampler));
    const path = join(tempDir(), 'cubic.glb');
    writeFileSync(path, await new NodeIO().writeBinary(doc));
    const summary = await inspectScene(path);
    expect(summary.animationFrames).toBe(25);
    expect(summary.warnings.join('\n')).toMatch(/CUBICSPLINE animation is played as linear/);
  });

  it('refuses a truncated .glb, naming both sizes', async () => {
    const path = join(tempDir(), 'scene.glb');
    writeFileSync(path, readFileSync(SAMPLE_SCENE).subarray(0, 1000));
    const err = await refusal(path);
    expect(err.message).toMatch(/^scene\.glb is truncated \(expected \d+ bytes, got 1000\)$/);
  });

  it('refuses random bytes', async () => {
    const path = join(tempDir(), 'noise.glb');
    let x = 12345;
    writeFileSync(path, Uint8Array.from({ length: 4096 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
    expect((await refusal(path)).message).toMatch(/noise\.glb is not a glTF scene/);
  });

  it('refuses a scene with no triangles', async () => {
    const doc = new Document();
    const buffer = doc.createBuffer();
    const points = doc.createAccessor().setType('VEC3').setArray(new Float32Array([0, 0, 0, 1, 0, 0])).setBuffer(buffer);
    const mesh = doc.createMesh().addPrimitive(doc.createPrimitive().setAttribute('POSITION', points).setMode(0));
    doc.createScene().addChild(doc.createNode().setMesh(mesh));
    const path = join(tempDir(), 'points.glb');
    writeFileSync(path, await new NodeIO().writeBinary(doc));
    expect((await refusal(path)).message).toMatch(/the scene has no triangles/);
  });

  it('refuses a buffer outside the scene folder, before reading it', async () => {
    const path = writeQuadScene((j) => (j.buffers[0].uri = '../../etc/passwd'));
    expect((await refusal(path)).message).toMatch(/\.\.\/\.\.\/etc\/passwd points outside the scene's folder/);
    for (const uri of ['/etc/passwd', 'file:///etc/passwd', '%2e%2e/secret.bin', 'sub/../../x.bin']) {
      await refusal(writeQuadScene((j) => (j.buffers[0].uri = uri)));
    }
  });

  it('accepts a data: URI buffer', async () => {
    const path = writeQuadScene((j) => (j.images = [{ uri: 'checker.png' }]));
    const json = JSON.parse(readFileSync(path, 'utf8'));
    json.buffers[0].uri = `data:application/octet-stream;base64,${readFileSync(join(path, '..', 'quad.bin')).toString('base64')}`;
    const inline = join(tempDir(), 'inline.gltf');
    writeFileSync(inline, JSON.stringify(json));
    copyFileSync(join(path, '..', 'checker.png'), join(inline, '..', 'checker.png'));
    expect((await inspectScene(inline)).triangles).toBe(2);
  });

  it('names a missing texture and a missing buffer', async () => {
    expect((await refusal(writeQuadScene(() => {}, { png: false }))).message).toMatch(/^texture checker\.png is missing/);
    expect((await refusal(writeQuadScene(() => {}, { bin: false }))).message).toMatch(/^buffer quad\.bin is missing/);
  });

  it('refuses an unsupported required extension and only warns about an optional one', async () => {
    const required = writeQuadScene((j) => {
      j.extensionsUsed = ['KHR_draco_mesh_compression'];
      j.extensionsRequired = ['KHR_draco_mesh_compression'];
    });
    expect((await refusal(required)).message).toMatch(/unsupported extension KHR_draco_mesh_compression/);
    const optional = await inspectScene(writeQuadScene((j) => (j.extensionsUsed = ['KHR_materials_sheen'])));
    expect(optional.warnings.join('\n')).toMatch(/KHR_materials_sheen is not supported/);
  });

  it('refuses an accessor that reaches past its buffer', async () => {
    const path = writeQuadScene((j) => (j.accessors[0].count = 400));
    expect((await refusal(path)).message).toMatch(/accessor 0 needs 4800 bytes/);
  });

  it('turns a JPEG texture into a warning, not a failure', async () => {
    const path = writeQuadScene((j) => (j.images = [{ uri: 'photo.jpg' }]));
    writeFileSync(join(path, '..', 'photo.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]));
    expect((await inspectScene(path)).warnings.join('\n')).toMatch(/texture photo\.jpg is a JPEG; it was left out/);
  });

  it('refuses an interlaced PNG with a reason', async () => {
    const path = writeQuadScene();
    const png = readFileSync(join(path, '..', 'checker.png'));
    png[8 + 8 + 12] = 1; // IHDR interlace byte (the CRC no longer matches; we do not check it)
    writeFileSync(join(path, '..', 'checker.png'), png);
    expect((await refusal(path)).message).toMatch(/interlaced PNG/);
  });
});
