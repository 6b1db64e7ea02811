// A teammate's task that would never end (a scene with more samples than the machine could finish
// today) is stopped at the worker owner's time limit (--task-time-limit), and the job says why in
// words, with real agents, real TLS and the real built-in renderer in its sandbox. The limit here
// is seconds so the test is short; the render would take minutes on any machine, busy or not.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/control-api/index.js';
import { AgentProcess, ENGINE_PATIENCE_MS, Testbed } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { writeTestScene } from './harness/scenes.js';

process.env.TROUPE_TEST_LOOPBACK = '1'; // read when the Testbed is constructed, below
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;
const portOf = (x: AgentProcess) => x.events.filter((e) => e.type === 'ready').at(-1)!.listenPort as number;

describe(`a teammate's time limit (${bed.mode})`, () => {
  beforeAll(async () => {
    const host = bed.addHost();
    [a, b] = [bed.agent(host, 'alpha'), bed.agent(host, 'beta')];
    await Promise.all([a.start(), b.start(['--task-time-limit', '3s'])]);
    await pair(a, b, `127.0.0.1:${portOf(b)}`);
    await a.cli(['share', 'off']); // only beta works on alpha's job
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 30_000);
  });
  afterAll(() => bed.destroy());

  it('stops a task running past it, and the job fails naming the limit and what to change', async () => {
    const scene = join(bed.root, 'scene.glb');
    await writeTestScene(scene, 8);
    const started = await a.cli<JobView>(['render', scene, '--size', '320x240', '--samples', '65536', '--frames', '1', '--out', join(bed.root, 'out'), '--no-wait']);
    const ended = await eventually(
      async () => {
        const { job } = await a.cli<{ job: JobView }>(['job', started.jobId]);
        return job.state !== 'running' && job.state !== 'queued' && job;
      },
      ENGINE_PATIENCE_MS / 10,
      'the job to end',
      500,
    );
    expect(ended.state).toBe('failed');
    expect(ended.errors.join('\n')).toMatch(/ran longer than the 3 s its worker allows a teammate's task .* and was stopped there; render fewer frames per task/);
    // The worker is free again: its engine was stopped, not left rendering.
    await eventually(async () => {
      const members = (await a.cli<{ members: { deviceId: string; capacity: { workCores?: number } | null }[] }>(['team'])).members;
      return (members.find((m) => m.deviceId === b.deviceId)?.capacity?.workCores ?? 1) < 0.5;
    }, 30_000, "beta's engine to stop working");
  });
});
