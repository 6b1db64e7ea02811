// The frame grid's cells, whichever way a job was compiled (frames tasks, or frames split into buckets).

import { describe, expect, it } from 'vitest';
import type { TaskView } from '../../../shared/model/jobs.js';
import { frameCells } from '../../../renderer/src/render/frame-cells.js';

const attempt = (workerId: string, outcome: TaskView['attempts'][number]['outcome']) => ({
  workerId,
  startedAtMs: 0,
  endedAtMs: null,
  workMs: null,
  outcome,
  speculative: false,
  error: null,
  warnings: [],
});
const task = (taskId: string, kind: TaskView['kind'], frames: number[], state: TaskView['state'], attempts: TaskView['attempts'] = []): TaskView => ({
  taskId,
  kind,
  frames,
  region: kind === 'bucket' ? { x: 0, y: 0, width: 4, height: 4 } : null,
  dependsOn: [],
  cost: 1,
  state,
  attempts,
});

describe('frameCells', () => {
  it('a frames task of several frames: each frame its state and worker, the picture on its first', () => {
    const t = task('j:f1', 'frames', [1, 2], 'done', [attempt('w1', 'done')]);
    expect(frameCells([t], [1, 2, 3])).toEqual([
      { frame: 1, state: 'done', workerId: 'w1', imageTask: t, progress: null },
      { frame: 2, state: 'done', workerId: 'w1', imageTask: null, progress: null },
      { frame: 3, state: 'queued', workerId: null, imageTask: null, progress: null },
    ]);
  });

  it('a frame split into buckets: running while a bucket runs, done with its merge, by the machine that did most', () => {
    const b1 = task('j:b1.0', 'bucket', [1], 'done', [attempt('w2', 'done')]);
    const b2 = task('j:b1.1', 'bucket', [1], 'running', [attempt('w3', 'running')]);
    const m = task('j:m1', 'merge', [1], 'queued');
    expect(frameCells([b1, b2, m], [1])[0]).toMatchObject({ state: 'running', workerId: 'w3', imageTask: null });
    const b2done = { ...b2, state: 'done' as const, attempts: [attempt('w2', 'done')] };
    const merged = { ...m, state: 'done' as const, attempts: [attempt('coordinator', 'done')] };
    expect(frameCells([b1, b2done, merged], [1])[0]).toEqual({ frame: 1, state: 'done', workerId: 'w2', imageTask: merged, progress: null });
  });

  it("shows how far a running frame is, as its machine told: a frames task's own progress, a bucketed frame's share of its buckets", () => {
    const running = task('j:f1', 'frames', [1], 'running', [{ ...attempt('w1', 'running'), progress: { done: 30, total: 120 } }]);
    expect(frameCells([running], [1])[0]).toMatchObject({ state: 'running', progress: 0.25 });
    expect(frameCells([task('j:f1', 'frames', [1], 'running', [attempt('w1', 'running')])], [1])[0]!.progress).toBeNull(); // not told yet
    const b1 = task('j:b1.0', 'bucket', [1], 'done', [attempt('w2', 'done')]);
    const b2 = task('j:b1.1', 'bucket', [1], 'running', [{ ...attempt('w3', 'running'), progress: { done: 1, total: 2 } }]);
    expect(frameCells([b1, b2, task('j:m1', 'merge', [1], 'queued')], [1])[0]!.progress).toBe(0.75);
  });

  it('a failed bucket or merge shows the frame failed', () => {
    const b = task('j:b1.0', 'bucket', [1], 'failed', [attempt('w2', 'failed')]);
    expect(frameCells([b, task('j:m1', 'merge', [1], 'queued')], [1])[0]!.state).toBe('failed');
  });
});
