import { describe, expect, it } from 'vitest';
import type { ControlEvent, JobView } from '../../../../shared/control-api/index.js';
import { DesktopNoticePlanner } from '../../../../electron/main/desktop-notice-planner.js';

function job(state: JobView['state'], extra: Partial<JobView> = {}): ControlEvent {
  return {
    type: 'jobChanged',
    job: {
      jobId: '0123456789abcdef',
      submission: { name: 'knot', outputDir: '/renders/knot' } as JobView['submission'],
      about: { description: '12 frames, 640×480, 64 samples', images: null, warnings: [], tables: [] },
      state,
      createdAtMs: 0,
      finishedAtMs: null,
      tasksDone: 48,
      tasksTotal: 49,
      outputs: [],
      errors: [],
      warnings: [],
      ...extra,
    },
  };
}

describe('desktop notices', () => {
  it('shows a pairing request with its code, opening the window on click', () => {
    const notice = new DesktopNoticePlanner().noticeFor({
      type: 'pairRequestReceived',
      request: {
        requestId: 'ab12',
        deviceId: 'd',
        deviceIdDisplay: 'D',
        name: 'render-box',
        teamName: 'studio',
        address: '10.0.0.2',
        code: '482 913',
        expiresAtMs: 0,
      },
    });
    expect(notice).toMatchObject({ key: 'pair-request:ab12', onClick: 'open-window', urgent: true });
    expect(notice!.title).toContain('render-box');
    expect(notice!.body).toContain('482 913');
  });

  it('announces a job once when it finishes or fails', () => {
    const planner = new DesktopNoticePlanner();
    expect(planner.noticeFor(job('running'))).toBeNull();
    const done = planner.noticeFor(job('done'));
    expect(done).toMatchObject({ key: 'job:0123456789abcdef', title: 'Render finished: knot', onClick: 'open-window' });
    expect(done!.body).toContain('/renders/knot');
    expect(planner.noticeFor(job('done'))).toBeNull();
    const failed = planner.noticeFor(job('failed', { errors: ['scene is not glTF'] }));
    expect(failed).toMatchObject({ title: 'Render failed: knot', body: 'scene is not glTF' });
  });

  it('says nothing of other events and states', () => {
    const planner = new DesktopNoticePlanner();
    for (const state of ['queued', 'paused', 'cancelled'] as const) expect(planner.noticeFor(job(state))).toBeNull();
    expect(planner.noticeFor({ type: 'memberOnline', deviceId: 'x', name: 'x' })).toBeNull();
  });
});
