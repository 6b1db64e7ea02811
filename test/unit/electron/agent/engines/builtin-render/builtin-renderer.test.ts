import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BuiltinRenderer, encodeExr, encodePng, pasteRegion, type Region, type RenderSettings } from '../../../../../../electron/agent/engines/builtin-render/index.js';
import { TroupeError } from '../../../../../../shared/errors.js';
import { SAMPLE_SCENE, tempDir, writeQuadScene } from './scene-fixtures.js';

// Tiny frames: the machine is shared, and equality of bytes does not need many pixels.
const W = 48;
const H = 32;
const settings: RenderSettings = { width: W, height: H, samplesPerPixel: 2, maxBounces: 3, seed: 7, frame: 0 };
const full: Region = { x: 0, y: 0, width: W, height: H };
// Four uneven buckets that tile the frame.
const buckets: Region[] = [
  { x: 0, y: 0, width: 17, height: 11 },
  { x: 17, y: 0, width: 31, height: 11 },
  { x: 0, y: 11, width: 40, height: 21 },
  { x: 40, y: 11, width: 8, height: 21 },
];

const two = new BuiltinRenderer({ threads: 2 });
const one = new BuiltinRenderer({ threads: 1 });
afterAll(async () => {
  await Promise.all([two.close(), one.close()]);
});

describe('BuiltinRenderer', () => {
  it('renders the same bytes in one piece, in uneven buckets, on 1 or 2 threads, and twice', async () => {
    const whole = encodePng(await two.render(SAMPLE_SCENE, settings, full), W, H);
    const stitched = new Float32Array(W * H * 4);
    for (const region of buckets) pasteRegion(stitched, W, region, await two.render(SAMPLE_SCENE, settings, region));
    expect(encodePng(stitched, W, H).equals(whole)).toBe(true);
    expect(encodePng(await one.render(SAMPLE_SCENE, settings, full), W, H).equals(whole)).toBe(true);
    expect(encodePng(await two.render(SAMPLE_SCENE, settings, full), W, H).equals(whole)).toBe(true);
    const otherSeed = encodePng(await two.render(SAMPLE_SCENE, { ...settings, seed: 8 }, full), W, H);
    expect(otherSeed.equals(whole)).toBe(false);
  });

  it('produces finite, sensibly exposed pixels', async () => {
    const px = await two.render(SAMPLE_SCENE, settings, full);
    expect(px.length).toBe(W * H * 4);
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) {
      for (let c = 0; c < 3; c++) {
        expect(Number.isFinite(px[i + c])).toBe(true);
        sum += px[i + c]!;
      }
      expect(px[i + 3]).toBe(1);
    }
    const mean = sum / (W * H * 3);
    expect(mean).toBeGreaterThan(0.05);
    expect(mean).toBeLessThan(1);
  });

  it('moves the animation between frame 0 and frame 12', async () => {
    const a = encodePng(await two.render(SAMPLE_SCENE, { ...settings, frame: 0 }, full), W, H);
    const b = encodePng(await two.render(SAMPLE_SCENE, { ...settings, frame: 12 }, full), W, H);
    expect(a.equals(b)).toBe(false);
  });

  it('reports progress in rows and stops when aborted', async () => {
    const rows: number[] = [];
    await two.render(SAMPLE_SCENE, settings, { x: 0, y: 0, width: W, height: 6 }, { onProgress: (done, total) => rows.push(done * 100 + total) });
    expect(rows).toEqual([106, 206, 306, 406, 506, 606]);

    // Stopped after its first row, it renders no more rows: a stop that is not a stop would report all 32.
    const controller = new AbortController();
    let reported = 0;
    const slow = two.render(SAMPLE_SCENE, { ...settings, samplesPerPixel: 64 }, full, {
      signal: controller.signal,
      onProgress: () => {
        reported++;
        controller.abort();
      },
    });
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
    expect(reported).toBeLessThan(H);
    // The pool is still usable afterwards.
    expect((await two.render(SAMPLE_SCENE, settings, { x: 0, y: 0, width: 4, height: 2 })).length).toBe(32);
  });

  it('renders a small .gltf with an external texture and no lights (sky)', async () => {
    const px = await one.render(writeQuadScene(), { ...settings, width: 16, height: 16 }, { x: 0, y: 0, width: 16, height: 16 });
    expect(px.some((v, i) => i % 4 !== 3 && v > 0.05)).toBe(true);
  });

  it('lights a quad with a directional light and leaves the background black', async () => {
    const path = writeQuadScene((j) => {
      j.extensionsUsed = ['KHR_lights_punctual'];
      j.extensions = { KHR_lights_punctual: { lights: [{ type: 'directional', intensity: 3 }] } };
      j.nodes.push({ extensions: { KHR_lights_punctual: { light: 0 } } });
      j.scenes[0].nodes.push(2);
    });
    const size = { width: 16, height: 16 };
    const px = await one.render(path, { ...settings, ...size }, { x: 0, y: 0, ...size });
    const at = (x: number, y: number) => px[(y * 16 + x) * 4]!;
    expect(at(0, 0)).toBe(0);
    expect(Math.max(at(7, 7), at(8, 7), at(7, 8), at(8, 8))).toBeGreaterThan(0.5);
  });

  it('refuses impossible requests before any work', async () => {
    const refusal = (s: Partial<RenderSettings>, region: Region = full) =>
      two.render(SAMPLE_SCENE, { ...settings, ...s }, region).then(
        () => null,
        (e: unknown) => e,
      );
    for (const bad of [{ width: 100_000, height: 100_000 }, { width: 0 }, { width: 16385, height: 1 }, { width: 12000, height: 10000 }, { samplesPerPixel: 0 }]) {
      const err = await refusal(bad);
      expect(err).toBeInstanceOf(TroupeError);
      expect((err as TroupeError).code).toBe('bad-request');
    }
    expect(((await refusal({ width: 100_000, height: 100_000 })) as Error).message).toMatch(/100000x100000 is too large/);
    expect(((await refusal({}, { x: 40, y: 0, width: 16, height: 4 })) as Error).message).toMatch(/not inside the 48x32 frame/);
  });

  it('writes the same bytes to a file in its own process: PNG and EXR of a frame, raw floats of a bucket', async () => {
    const dir = tempDir();
    const pixels = await two.render(SAMPLE_SCENE, settings, full);
    const file = (format: 'png' | 'exr' | 'float') => join(dir, `out.${format}`);
    expect(await two.renderToFile(SAMPLE_SCENE, settings, full, { path: file('png'), format: 'png' })).toBe(readFileSync(file('png')).length);
    expect(readFileSync(file('png')).equals(encodePng(pixels, W, H))).toBe(true);
    await two.renderToFile(SAMPLE_SCENE, settings, full, { path: file('exr'), format: 'exr' });
    expect(readFileSync(file('exr')).equals(encodeExr(pixels, W, H))).toBe(true);
    const bucket = buckets[2]!;
    await two.renderToFile(SAMPLE_SCENE, settings, bucket, { path: file('float'), format: 'float' });
    const tile = await two.render(SAMPLE_SCENE, settings, bucket);
    expect(readFileSync(file('float')).equals(Buffer.from(tile.buffer, tile.byteOffset, tile.byteLength))).toBe(true);
  });

  it('passes a bad scene back as bad-scene from the threads', async () => {
    const err = await one.render(writeQuadScene(() => {}, { png: false }), settings, full).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TroupeError);
    expect(err).toMatchObject({ code: 'bad-scene', message: expect.stringMatching(/texture checker\.png is missing/) });
  });
});
