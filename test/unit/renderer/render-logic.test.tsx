// Pure pieces of the render views: stats, activity, defaults, chart series.
import { describe, expect, it } from 'vitest';
import type { SceneInfo } from '../../../shared/control-api/responses.js';
import { pathOf, utilisationSeries } from '../../../renderer/src/capacity/utilisation-series.js';
import { defaultRenderOptions, joinPath } from '../../../renderer/src/render/job-defaults.js';
import { contributions, jobTiming } from '../../../renderer/src/render/job-stats.js';
import { workerColour } from '../../../renderer/src/render/worker-colours.js';
import { workByWorker } from '../../../renderer/src/team/member-activity.js';
import { JOB_ID, LAPTOP_ID, RENDER_BOX_ID, bucketTask, stillJob } from './fake-agent.js';

describe('job stats', () => {
  it('credits each done task to the worker of its done attempt', () => {
    const tasks = [bucketTask(0, 'done', RENDER_BOX_ID), bucketTask(1, 'done', RENDER_BOX_ID), bucketTask(2, 'done', LAPTOP_ID), bucketTask(3, 'running', LAPTOP_ID)];
    expect(contributions(tasks)).toEqual([
      { workerId: RENDER_BOX_ID, tasksDone: 2, workMs: 3000 },
      { workerId: LAPTOP_ID, tasksDone: 1, workMs: 1500 },
    ]);
  });

  it('estimates time left from the pace so far, by cost', () => {
    const job = stillJob({ createdAtMs: 0 });
    const tasks = [bucketTask(0, 'done', RENDER_BOX_ID), bucketTask(1, 'running', LAPTOP_ID), bucketTask(2, 'queued', null)];
    expect(jobTiming(job, tasks, 10_000)).toEqual({ elapsedMs: 10_000, etaMs: 20_000 });
    expect(jobTiming(stillJob({ createdAtMs: 0, state: 'done', finishedAtMs: 4000 }), tasks, 10_000)).toEqual({ elapsedMs: 4000, etaMs: null });
  });

  it('knows who renders what now', () => {
    const work = workByWorker({ [JOB_ID]: stillJob() }, { [JOB_ID]: { a: bucketTask(0, 'running', LAPTOP_ID), b: bucketTask(1, 'done', RENDER_BOX_ID) } });
    expect(work.get(LAPTOP_ID)).toEqual([{ jobId: JOB_ID, jobName: 'product-shot', label: 'bucket of frame 1' }]);
    expect(work.has(RENDER_BOX_ID)).toBe(false);
  });

  it('gives each machine the same colour every time', () => {
    expect(workerColour(RENDER_BOX_ID)).toBe(workerColour(RENDER_BOX_ID));
    expect(workerColour(RENDER_BOX_ID)).not.toBe(workerColour(LAPTOP_ID));
  });
});

describe('job defaults', () => {
  const info: SceneInfo = { scenePath: '/s/robot.glb', name: 'robot.glb', sizeBytes: 1, frames: null, hasCamera: false, triangles: 1, lights: 0, warnings: [] };
  it('renders a still at 1280x720, 64 samples, into a folder named after the job', () => {
    expect(defaultRenderOptions(info, '/home/ana/Renders')).toMatchObject({
      name: 'robot',
      frameStart: 1,
      frameEnd: 1,
      width: 1280,
      height: 720,
      samplesPerPixel: 64,
      outputDir: '/home/ana/Renders/robot',
    });
  });
  it('takes an animation’s frames from the scene', () => {
    expect(defaultRenderOptions({ ...info, frames: { start: 0, end: 48, fps: 30 } }, '/r')).toMatchObject({ frameStart: 0, frameEnd: 48, fps: 30 });
  });
  it('joins with the agent’s own separator', () => {
    expect(joinPath('C:\\Users\\ana\\Renders', 'robot')).toBe('C:\\Users\\ana\\Renders\\robot');
    expect(joinPath('/r/', 'a/b')).toBe('/r/a_b');
  });
});

describe('utilisation series', () => {
  it('gives each machine its busy share and a gap while offline', () => {
    const m = (online: boolean, busyCores: number) => ({ deviceId: 'x', name: 'x', online, cores: 4, busyCores, freeCores: 0 });
    const series = utilisationSeries([
      { atMs: 0, members: [m(true, 1)] },
      { atMs: 5, members: [m(false, 0)] },
      { atMs: 10, members: [m(true, 4)] },
    ]);
    expect(series[0]!.points).toEqual([[0, 0.25], null, [10, 1]]);
    expect(pathOf(series[0]!.points, (t) => t, (v) => v)).toBe('M0.0,0.3M10.0,1.0');
  });
});

describe('worker colours', () => {
  it('gives every teammate its own colour, the same whatever order the roster comes in', async () => {
    const { workerColours } = await import('../../../renderer/src/render/worker-colours.js');
    const ids = Array.from({ length: 8 }, (_, i) => String(i).repeat(64));
    const a = workerColours(ids);
    const b = workerColours([...ids].reverse());
    expect(new Set(a.values()).size).toBe(8);
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
  });
});
