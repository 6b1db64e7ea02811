// @vitest-environment jsdom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Region } from '../../../shared/model/jobs.js';
import { JobDetail } from '../../../renderer/src/render/job-detail.js';
import type { TilePainter } from '../../../renderer/src/render/tile-painter.js';
import { JOB_ID, LAPTOP_ID, RENDER_BOX_ID, bucketTask, fakeAgent, member, renderWithAgent, settle, stillJob, team } from './fake-agent.js';

afterEach(cleanup);

/** jsdom has no 2D canvas: this painter records what would be drawn. */
function recordingPainter() {
  const log: { reset?: [number, number]; tile?: Region }[] = [];
  const factory = (): TilePainter => ({
    reset: (w, h) => void log.push({ reset: [w, h] }),
    drawTile: async (_png, region) => void log.push({ tile: region }),
  });
  return { log, factory };
}

describe('live progress of a still', () => {
  it('draws each finished bucket once, at its place, outlined in its machine’s colour', async () => {
    const agent = fakeAgent({
      jobs: [stillJob()],
      team: team([member(), member({ deviceId: RENDER_BOX_ID, name: 'render-box', self: false })]),
      job: { job: stillJob(), tasks: [bucketTask(0, 'done', RENDER_BOX_ID), bucketTask(1, 'running', LAPTOP_ID), bucketTask(2, 'queued', null)] },
    });
    const painter = recordingPainter();
    const { store } = await renderWithAgent(<JobDetail createPainter={painter.factory} />, agent);
    act(() => store.getState().selectJob(JOB_ID));
    await act(settle);

    expect(screen.getByTestId('bucket-canvas')).toBeTruthy();
    expect(painter.log[0]).toEqual({ reset: [200, 100] });
    expect(painter.log.filter((l) => l.tile)).toEqual([{ tile: { x: 0, y: 0, width: 100, height: 100 } }]);
    expect(agent.taskImages).toEqual([{ jobId: JOB_ID, taskId: `${JOB_ID}:b1.0` }]);

    const outlines = document.querySelectorAll<HTMLElement>('.bucket-outline');
    expect([...outlines].map((o) => [o.dataset.worker, o.dataset.state])).toEqual([
      [RENDER_BOX_ID, 'done'],
      [LAPTOP_ID, 'running'],
    ]);
    expect(screen.getByRole('list', { name: 'Machines' }).textContent).toContain('render-box');

    // The next bucket's event draws that bucket only.
    act(() => agent.emit({ type: 'taskChanged', jobId: JOB_ID, task: bucketTask(1, 'done', LAPTOP_ID) }));
    await act(settle);
    expect(painter.log.filter((l) => l.tile)).toEqual([
      { tile: { x: 0, y: 0, width: 100, height: 100 } },
      { tile: { x: 100, y: 0, width: 100, height: 100 } },
    ]);
    expect(agent.taskImages).toHaveLength(2);
    expect(screen.getByRole('table', { name: 'Work per machine' }).textContent).toContain('render-box');
  });

  it('shows a failed task’s error from its worker', async () => {
    const agent = fakeAgent({
      jobs: [stillJob()],
      job: { job: stillJob(), tasks: [bucketTask(0, 'failed', RENDER_BOX_ID)] },
    });
    const { store } = await renderWithAgent(<JobDetail createPainter={recordingPainter().factory} />, agent);
    act(() => store.getState().selectJob(JOB_ID));
    await act(settle);
    expect(screen.getByRole('group', { name: 'Errors' }).textContent).toContain('out of memory');
  });

  it('shows the output path with a copy button when the folder cannot be opened', async () => {
    const agent = fakeAgent({
      jobs: [stillJob()],
      job: { job: stillJob(), tasks: [] },
      openOutput: { opened: false, path: '/home/ana/Renders/product-shot', message: 'No file manager on this machine' },
    });
    const { store } = await renderWithAgent(<JobDetail createPainter={recordingPainter().factory} />, agent);
    act(() => store.getState().selectJob(JOB_ID));
    await act(settle);
    act(() => screen.getByRole('button', { name: 'Open output folder' }).click());
    await act(settle);
    expect(screen.getByText('No file manager on this machine')).toBeTruthy();
    expect(screen.getByTestId('output-path').textContent).toBe('/home/ana/Renders/product-shot');
    expect(screen.getByRole('button', { name: 'Copy path' })).toBeTruthy();
  });
});
