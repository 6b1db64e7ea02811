// Machines of one team update on different days. An agent playing a later build of the same major
// version (a higher minor, a feature today's does not offer, and a field today's schemas do not
// know in every message and in every roster op it signs) pairs, links, works and edits the roster
// with today's agents; an agent of another major version is refused, with both versions named on
// both sides.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';
import type { RosterOp } from '../../shared/protocol/index.js';
import { Testbed, type AgentProcess } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { writeTestScene } from './harness/scenes.js';

interface TeamJson {
  members: { deviceId: string; name: string; online: boolean }[];
}

const bed = new Testbed();
let today: AgentProcess, later: AgentProcess, third: AgentProcess;
const addressOf = (agent: AgentProcess): string =>
  `${agent.host.address}:${agent.events.filter((e) => e.type === 'ready').at(-1)!.listenPort as number}`;
const onlineCount = async (agent: AgentProcess): Promise<number> => (await agent.cli<TeamJson>(['team'])).members.filter((m) => m.online).length;

describe(`mixed versions (${bed.mode})`, () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost(), bed.addHost()];
    today = bed.agent(hosts[0]!, 'today');
    later = bed.agent(hosts[1]!, 'later');
    third = bed.agent(hosts[2]!, 'third');
    await Promise.all([today.start(), later.start(['--as-future-build']), third.start()]);
  });
  afterAll(() => bed.destroy());

  it("a later build of the same major pairs both ways, links, and its signed roster ops pass through today's agents intact", async () => {
    await pair(today, later, addressOf(later)); // today asks the later build to join
    await pair(later, third, addressOf(third)); // and the later build brings in another of today's
    for (const agent of [today, later, third])
      await eventually(async () => (await onlineCount(agent)) === 3, 20_000, `${agent.name} to see all three online`);
    await later.cli(['rename', 'later-renamed']);
    // The later build's rename carries a field today's agents do not know: they keep it, it still
    // verifies, and they pass it on as it is.
    const hasIt = (agent: AgentProcess) =>
      (JSON.parse(readFileSync(join(agent.dataDir, 'team.json'), 'utf8')) as { ops: RosterOp[] }).ops.find(
        (op) => op.kind === 'rename' && 'xFuture' in op,
      );
    for (const agent of [today, third]) await eventually(() => hasIt(agent), 10_000, `${agent.name} to hold the later build's rename`);
    expect(hasIt(third)!.xFuture).toBe('a field from a later build');
    expect(today.events.some((e) => e.type === 'memberIncompatible')).toBe(false);
  });

  it("today's coordinator hands work to the later build and takes its results", async () => {
    const scene = join(bed.root, 'scene.glb');
    await writeTestScene(scene, 12);
    // Only the later build shares its cores, so it renders every frame.
    await today.cli(['share', 'off']);
    await third.cli(['share', 'off']);
    const out = join(bed.root, 'out');
    const submitted = await today.cli<JobView>([
      'render',
      scene,
      '--frames',
      '1-3',
      '--size',
      '48x36',
      '--samples',
      '4',
      '--out',
      out,
      '--no-wait',
    ]);
    const done = await eventually(
      async () => {
        const j = await today.cli<{ job: JobView; tasks: TaskView[] }>(['job', submitted.jobId]);
        return j.job.state !== 'running' && j.job.state !== 'queued' && j;
      },
      60_000,
      'the job to end',
      500,
    );
    expect(done.job.state).toBe('done');
    // Every render ran on the later build (a frame split into buckets is merged by the coordinator itself).
    const renderers = new Set(done.tasks.filter((t) => t.kind !== 'merge').flatMap((t) => t.attempts.map((a) => a.workerId)));
    expect(renderers).toEqual(new Set([later.deviceId]));
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(3);
    await today.cli(['share', 'on']);
    await third.cli(['share', 'on']);
  });

  it('another major version is refused, and both sides say which versions met', async () => {
    await later.kill('SIGTERM');
    const marks = [today.events.length, later.events.length];
    await later.start(['--as-future-build', '--as-protocol-major', '3']);
    const ours = await today.waitFor((e) => e.type === 'memberIncompatible' && e.deviceId === later.deviceId, 20_000, marks[0]);
    const theirs = await later.waitFor((e) => e.type === 'memberIncompatible', 20_000, marks[1]);
    expect(ours.reason).toMatch(/protocol 3\.99 and this machine 2\.\d+/);
    expect(theirs.reason).toMatch(/protocol 2\.\d+ and this machine 3\.99/);
    expect(ours.reason).toMatch(/Update Troupe/);
    expect((await today.cli<TeamJson>(['team'])).members.find((m) => m.deviceId === later.deviceId)!.online).toBe(false);
  });
});
