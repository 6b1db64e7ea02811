import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document, NodeIO } from '@gltf-transform/core';
import { describe, expect, it } from 'vitest';
import { inspectScene } from '../../../../../../electron/agent/engines/builtin-render/index.js';
import { DEFAULT_SCENE_BUDGET_BYTES } from '../../../../../../electron/agent/engines/builtin-render/render-limits.js';
import { dataUriSlice } from '../../../../../../electron/agent/engines/builtin-render/reading/scene-budget.js';
import { TroupeError } from '../../../../../../shared/errors.js';
import { tempDir, writeQuadScene } from './scene-fixtures.js';

const MiB = 2 ** 20;

/** Signature, an IHDR claiming width x height RGBA, and IEND: what a header-only check reads. */
function pngHeader(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer): Buffer => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    data.copy(b, 8);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IEND', Buffer.alloc(0))]);
}

/** A .gltf written as is (no buffers needed for what these tests declare). */
function writeGltf(json: object, name = 'hostile.gltf'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

/** One mesh whose POSITION accessor has no buffer view and `count` elements: a few hundred bytes on disk. */
function accessorBomb(count: number): object {
  return {
    asset: { version: '2.0' },
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    accessors: [{ componentType: 5126, count, type: 'VEC3' }],
  };
}

/** The quad scene with `images` in place of its one texture, each used by a material of its own. */
function texturedScene(images: object[]): (json: any) => void {
  return (j) => {
    j.images = images;
    j.textures = images.map((_, i) => ({ source: i }));
    j.materials = images.map((_, i) => ({ pbrMetallicRoughness: { baseColorTexture: { index: i } } }));
  };
}

/** Refused without growing memory: the check runs before anything is allocated. */
async function refusal(path: string, budgetBytes = DEFAULT_SCENE_BUDGET_BYTES): Promise<string> {
  const before = process.memoryUsage();
  const err = await inspectScene(path, 24, budgetBytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TroupeError);
  expect((err as TroupeError).code).toBe('bad-scene');
  expect(process.memoryUsage().arrayBuffers - before.arrayBuffers).toBeLessThan(16 * MiB);
  return (err as TroupeError).message;
}

describe('scene memory budget', () => {
  it('refuses an accessor with no buffer view and a huge count, naming it and the budget', async () => {
    const path = writeGltf(accessorBomb(1_000_000_000));
    expect(JSON.stringify(accessorBomb(1_000_000_000)).length).toBeLessThan(240);
    expect(await refusal(path)).toMatch(/^hostile\.gltf: accessor 0 declares 1000000000 VEC3 elements \(11\.2 GiB once read\), more than the 2 GiB a scene may use on this machine/);
  });

  it('names the largest accessor when a hostile count passes alone but not as geometry', async () => {
    // 1.1 GiB as read: under the budget alone, but 33 million triangles.
    expect(await refusal(writeGltf(accessorBomb(100_000_000)))).toMatch(/33333333 triangles.*up to 10 million; the largest accessor: accessor 0 declares 100000000 VEC3/);
    // Exactly the triangle cap, but 10 million triangles take 2.4 GiB to build a frame of.
    const message = await refusal(writeGltf(accessorBomb(30_000_000)));
    expect(message).toMatch(/^hostile\.gltf needs about [\d.]+ GiB of memory to render \(geometry 2\.4 GiB for 10000000 triangles; reading it/);
    expect(message).toMatch(/more than the 2 GiB a scene may use on this machine; use fewer triangles; the largest accessor: accessor 0 declares 30000000 VEC3/);
  });

  it('counts an accessor once for every primitive that uses it', async () => {
    const json = accessorBomb(3_000_000) as any;
    json.meshes = [{ primitives: Array.from({ length: 100 }, () => ({ attributes: { POSITION: 0 } })) }];
    json.nodes = [{}]; // nothing in the scene shows the mesh: it is still read, 100 times
    expect(await refusal(writeGltf(json))).toMatch(/needs about [\d.]+ GiB of memory to render \(reading it [\d.]+ GiB;.*make the scene smaller/);
  });

  it('refuses a sparse accessor whose entries its views cannot hold (the reader would loop over them)', async () => {
    const path = writeQuadScene((j) => (j.accessors[1].sparse = { count: 1e12, indices: { bufferView: 2, componentType: 5123 }, values: { bufferView: 1 } }));
    expect(await refusal(path)).toMatch(/accessor 1 has 1000000000000 sparse entries for 4 elements; the file is damaged/);
  });

  it('refuses a PNG whose header claims 30000x30000, before decoding it, wherever the image is', async () => {
    const header = pngHeader(30_000, 30_000);
    expect(header.length).toBeLessThan(64);
    const beside = writeQuadScene(texturedScene([{ uri: 'checker.png' }]));
    writeFileSync(join(beside, '..', 'checker.png'), header);
    expect(await refusal(beside)).toMatch(/texture checker\.png is 30000x30000 pixels; the built-in renderer decodes textures up to 64 megapixels \(8192x8192\); scale it down/);

    const inline = writeQuadScene(texturedScene([{ uri: `data:image/png;base64,${header.toString('base64')}`, name: 'inline' }]));
    expect(await refusal(inline)).toMatch(/texture inline is 30000x30000 pixels/);

    // In a .glb, the image sits in a buffer view of the binary chunk.
    const doc = new Document();
    const buffer = doc.createBuffer();
    const prim = doc.createPrimitive().setAttribute('POSITION', doc.createAccessor().setType('VEC3').setArray(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0])).setBuffer(buffer));
    const texture = doc.createTexture('huge').setImage(new Uint8Array(header)).setMimeType('image/png');
    prim.setMaterial(doc.createMaterial().setBaseColorTexture(texture));
    doc.createScene().addChild(doc.createNode().setMesh(doc.createMesh().addPrimitive(prim)));
    const glb = join(tempDir(), 'huge.glb');
    writeFileSync(glb, await new NodeIO().writeBinary(doc));
    expect(await refusal(glb)).toMatch(/texture (huge|image 0) is 30000x30000 pixels/);
  });

  it('refuses many medium PNGs that add up past the budget, though each is fine', async () => {
    // 32 textures of 4096x4096 decode to 64 MiB each: 2 GiB, plus the largest one's decoding.
    const path = writeQuadScene(texturedScene(Array.from({ length: 32 }, (_, i) => ({ uri: `t${i}.png` }))));
    for (let i = 0; i < 32; i++) writeFileSync(join(path, '..', `t${i}.png`), pngHeader(4096, 4096));
    const message = await refusal(path);
    expect(message).toMatch(/^scene\.gltf needs about [\d.]+ GiB of memory to render \(textures 2 GiB in 32 PNG images, the largest t0\.png at 4096x4096;/);
    expect(message).toMatch(/more than the 2 GiB a scene may use on this machine; use fewer or smaller textures$/);
    // An image shared by every texture is decoded once, and counted once.
    const shared = writeQuadScene((j) => {
      texturedScene(Array.from({ length: 32 }, () => ({ uri: 't.png' })))(j);
      j.textures = j.textures.map(() => ({ source: 0 }));
    });
    writeFileSync(join(shared, '..', 't.png'), pngHeader(4096, 4096));
    // Past the budget check, the header-only file fails to decode: that is the next check, not this one.
    expect(await refusal(shared)).toMatch(/texture t\.png is not a readable PNG/);
  });

  it('adds up file sizes before reading each file', async () => {
    const path = writeQuadScene();
    expect(await refusal(path, 1000)).toMatch(/^scene\.gltf and the files it names take 1 KiB \(texture checker\.png \d+ bytes\), more than the 1000 bytes a scene may use on this machine/);
  });

  it('reports what an accepted scene needs and the files it reads', async () => {
    const summary = await inspectScene(writeQuadScene());
    expect(summary.externalFiles).toEqual(['quad.bin', 'checker.png']);
    expect(summary.memoryBytes).toBeGreaterThan(0);
    expect(summary.memoryBytes).toBeLessThan(MiB);
  });

  it('reads bytes out of a base64 data: URI without decoding all of it', () => {
    const bytes = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const uri = `data:application/octet-stream;base64,${bytes.toString('base64')}`;
    for (const [start, length] of [[0, 29], [1, 5], [2, 7], [50, 29], [97, 3]] as const) {
      expect([...dataUriSlice(uri, start, length)]).toEqual([...bytes.subarray(start, start + length)]);
    }
    expect([...dataUriSlice('data:,%89PNG', 0, 4)]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });
});
