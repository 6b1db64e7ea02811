import { DoubleSide, Ray, Vector3 } from 'three';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFrameScene, type BuiltFrame } from '../../../../../../electron/agent/engines/builtin-render/reading/frame-scene.js';
import { PixelRandom } from '../../../../../../electron/agent/engines/builtin-render/worker/pixel-random.js';
import { loadScene } from '../../../../../../electron/agent/engines/builtin-render/reading/scene-loader.js';
import { SAMPLE_SCENE } from './scene-fixtures.js';

let frame: BuiltFrame;
beforeAll(async () => {
  frame = buildFrameScene(await loadScene(SAMPLE_SCENE), 0);
});

describe('BvhTracer', () => {
  it('finds the same closest hits as three-mesh-bvh raycastFirst, from anywhere in any direction', () => {
    const rng = new PixelRandom();
    rng.start(3, 0, 0, 0, 0);
    const ray = new Ray(new Vector3(), new Vector3());
    let hits = 0;
    for (let i = 0; i < 4000; i++) {
      const o: [number, number, number] = [rng.next() * 8 - 4, rng.next() * 4, rng.next() * 8 - 3];
      const d = new Vector3(rng.next() * 2 - 1, rng.next() * 2 - 1, rng.next() * 2 - 1).normalize();
      ray.origin.set(...o);
      ray.direction.copy(d);
      const expected = frame.bvh.raycastFirst(ray, DoubleSide);
      const got = frame.tracer.closestHit(...o, d.x, d.y, d.z, Infinity);
      expect(got).toBe(expected !== null);
      if (!expected) continue;
      hits++;
      expect(frame.tracer.hitT).toBeCloseTo(expected.distance, 4);
      // Shadow rays agree: something is in the way before the hit, nothing just short of it.
      expect(frame.tracer.anyHit(...o, d.x, d.y, d.z, expected.distance * 1.001)).toBe(true);
      expect(frame.tracer.anyHit(...o, d.x, d.y, d.z, expected.distance * 0.999)).toBe(false);
    }
    expect(hits).toBeGreaterThan(1000);
  });

  it('respects tMax and reports barycentrics inside the triangle', () => {
    const cam = frame.camera;
    expect(frame.tracer.closestHit(...cam.position, ...cam.forward, Infinity)).toBe(true);
    const t = frame.tracer.hitT;
    expect(frame.tracer.hitU).toBeGreaterThanOrEqual(0);
    expect(frame.tracer.hitU + frame.tracer.hitV).toBeLessThanOrEqual(1);
    expect(frame.tracer.closestHit(...cam.position, ...cam.forward, t * 0.99)).toBe(false);
  });
});

describe('PixelRandom', () => {
  it('depends only on (seed, frame, x, y, sample)', () => {
    const a = new PixelRandom();
    const b = new PixelRandom();
    const draw = (r: PixelRandom, ...key: [number, number, number, number, number]) => {
      r.start(...key);
      return [r.next(), r.next(), r.next()];
    };
    expect(draw(a, 1, 2, 3, 4, 5)).toEqual(draw(b, 1, 2, 3, 4, 5));
    const base = draw(a, 1, 2, 3, 4, 5);
    const others: [number, number, number, number, number][] = [[2, 2, 3, 4, 5], [1, 3, 3, 4, 5], [1, 2, 4, 4, 5], [1, 2, 3, 5, 5], [1, 2, 3, 4, 6], [2 ** 40 + 1, 2, 3, 4, 5]];
    for (const other of others) {
      expect(draw(b, ...other)).not.toEqual(base);
    }
    a.start(9, 9, 9, 9, 9);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = a.next();
      expect(v >= 0 && v < 1).toBe(true);
      sum += v;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });
});
