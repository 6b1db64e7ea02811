import { describe, expect, it } from 'vitest';
import { bucketRows, chunkSizeFor, compileRenderJob, equalRows } from '../../../../../electron/agent/jobs/compile-render-job.js';
import type { BuiltinRenderSubmission as RenderSubmission } from '../../../../../electron/agent/engines/builtin-render/render-wire.js';

const sub = (kind: 'animation' | 'still'): RenderSubmission => ({
  name: 'j', engine: 'builtin-render', kind, scene: 's.glb', assets: [],
  settings: { width: 640, height: 480, samplesPerPixel: 16, seed: 7, frameStart: 1, frameEnd: 10, fps: 24, format: 'png' },
  outputDir: '/o', priority: 0,
});

describe('compileRenderJob', () => {
  it('an animation is one task per frame when frame times are unknown', () => {
    const tasks = compileRenderJob('j', sub('animation'), { workersHint: 3 });
    expect(tasks.map((t) => t.frames)).toEqual([[1], [2], [3], [4], [5], [6], [7], [8], [9], [10]]);
  });
  it('short frames are chunked towards a 10 s task', () => {
    expect(chunkSizeFor(2500)).toBe(4);
    expect(chunkSizeFor(60_000)).toBe(1);
    const tasks = compileRenderJob('j', { ...sub('animation'), settings: { ...sub('animation').settings, frameEnd: 48 } }, { workersHint: 3, frameMsEstimate: 2500 });
    expect(tasks.map((t) => t.frames.length)).toEqual(Array(12).fill(4));
  });
  it('chunks stay small enough that every machine gets several tasks', () => {
    const tasks = compileRenderJob('j', sub('animation'), { workersHint: 1, frameMsEstimate: 500 });
    expect(tasks.map((t) => t.frames.length)).toEqual([2, 2, 2, 2, 2]);
  });
  it('a still is buckets covering every row once, largest first, then a merge', () => {
    const tasks = compileRenderJob('j', sub('still'), { workersHint: 3 });
    const buckets = tasks.filter((t) => t.kind === 'bucket');
    expect(buckets.reduce((a, b) => a + b.region!.height, 0)).toBe(480);
    const heights = buckets.map((b) => b.region!.height);
    expect(heights[0]).toBeGreaterThan(heights[heights.length - 1]!);
    expect(tasks[tasks.length - 1]!.dependsOn).toHaveLength(buckets.length);
  });
  it('row helpers always cover the frame', () => {
    for (const h of [1, 7, 100, 1080]) {
      expect(bucketRows(h, 5).reduce((a, b) => a + b, 0)).toBe(h);
      expect(equalRows(h, 6).reduce((a, b) => a + b, 0)).toBe(h);
    }
  });
});
