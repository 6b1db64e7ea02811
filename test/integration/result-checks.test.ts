// Checking teammates' results, with real agents in network namespaces and the physics engine: a
// teammate that tampers with its results (the test-only TROUPE_TEST_TAMPER_RESULTS switch flips
// the last byte of its binary outputs) is caught when its first task is run again on the
// coordinator's machine, named on the job, and its work is done again, so every variant ends
// equal to an honest run's; an honest teammate's checked results agree and the job says nothing;
// two teammates that tamper alike (so each would confirm the other's results) with a coordinator
// that does not share are both caught by the coordinator itself.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';

/** A row of a sweep's table as `troupe variants --json` prints it. */
type VariantRow = { index: number; label: string; hash: string; maxSpeed: number; contacts: number; restSeconds: number | null; file: string };
import { Testbed, type AgentProcess } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';

const SCENE = join(import.meta.dirname, '../../assets/physics/tower-and-ball.glb');
const WEDGE = ['--seconds', '2', '--wedge', 'friction=0.2:0.8:4,restitution=0:0.6:4'];
const bed = new Testbed();
let alpha: AgentProcess, honest: AgentProcess, cheat: AgentProcess, accomplice: AgentProcess;
const job = (agent: AgentProcess, id: string) => agent.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const ended = (jobId: string) =>
  eventually(
    async () => {
      const j = (await job(alpha, jobId)).job;
      return j.state !== 'running' && j.state !== 'queued' && j;
    },
    180_000,
    'the job to end',
    500,
  );

describe(`Checking teammates' results (${bed.mode})`, () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost(), bed.addHost(), bed.addHost()];
    alpha = bed.agent(hosts[0]!, 'alpha');
    honest = bed.agent(hosts[1]!, 'honest');
    cheat = bed.agent(hosts[2]!, 'cheat');
    accomplice = bed.agent(hosts[3]!, 'accomplice');
    const tamper = { TROUPE_TEST_TAMPER_RESULTS: '1' };
    await Promise.all([alpha.start(), honest.start(), cheat.start([], undefined, tamper), accomplice.start([], undefined, tamper)]);
    await alpha.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as unknown[]).length >= 3, 10_000);
    await pair(alpha, honest);
    await pair(alpha, cheat);
    await pair(alpha, accomplice);
    await accomplice.cli(['share', 'off']); // in the last test only
    type Member = { self: boolean; online: boolean; capacity: { engines?: { id: string }[] } | null };
    await eventually(async () => (await alpha.cli<{ members: Member[] }>(['team'])).members.filter((m) => !m.self && m.online && m.capacity?.engines?.some((e) => e.id === 'physics')).length === 3, 20_000, 'the teammates advertising physics');
  });
  afterAll(() => bed.destroy());

  it("an honest teammate's checked results agree: the job says nothing", async () => {
    await cheat.cli(['share', 'off']);
    try {
      const view = await alpha.cli<JobView>(['simulate', SCENE, ...WEDGE, '--out', join(bed.root, 'honest')]);
      expect(view.state).toBe('done');
      expect(view.errors).toEqual([]);
    } finally {
      await cheat.cli(['share', 'on']);
    }
  });

  it('a teammate that tampers with its results is caught, named, and its work redone: every variant ends as an honest run made it', async () => {
    // The cheat surely does a variant: which machine gets the first ones is the scheduler's choice (a
    // fast coordinator may run them all before the cheat asks). So the cheat starts alone, the job is
    // paused while it finishes what it holds, then alpha shares too, and checks the cheat's result.
    await honest.cli(['share', 'off']);
    await alpha.cli(['share', 'off']);
    let view: JobView;
    try {
      const started = await alpha.cli<JobView>(['simulate', SCENE, ...WEDGE, '--out', join(bed.root, 'checked'), '--no-wait']);
      const cheats = async (outcome: string) => (await job(alpha, started.jobId)).tasks.some((t) => t.attempts.some((x) => x.workerId === cheat.deviceId && (outcome === 'any' || x.outcome === outcome)));
      await eventually(() => cheats('any'), 60_000, 'the cheat to take a variant');
      await alpha.cli(['pause', started.jobId]);
      await eventually(() => cheats('done'), 60_000, 'the cheat to finish its variant');
      await alpha.cli(['share', 'on']);
      await alpha.cli(['resume', started.jobId]);
      view = await ended(started.jobId);
    } finally {
      await alpha.cli(['share', 'on']);
      await honest.cli(['share', 'on']);
    }
    expect(view.state, view.errors.join('; ')).toBe('done');
    expect(view.errors.join('\n')).toMatch(/^cheat returned a wrong result for task [0-9a-f]{16}:v\d+ \(run again on this machine, the results differ\): its work on this job is done again elsewhere/m);
    const tasks = (await job(alpha, view.jobId)).tasks;
    for (const t of tasks) {
      const final = t.attempts.filter((x) => x.outcome === 'done').at(-1)!;
      expect(final.workerId, `${t.taskId} is finally alpha's`).not.toBe(cheat.deviceId);
    }
    // Every variant's files equal the honest run's (the cheat's tampered .glb was written, then replaced).
    const rows = await alpha.cli<VariantRow[]>(['variants', view.jobId, '--sort', 'index']);
    const honestJob = (await alpha.cli<JobView[]>(['jobs'])).find((j) => j.submission.outputDir === join(bed.root, 'honest'))!;
    const honestRows = await alpha.cli<VariantRow[]>(['variants', honestJob.jobId, '--sort', 'index']);
    expect(rows.map((r) => r.hash)).toEqual(honestRows.map((r) => r.hash));
    for (const r of rows) expect(sha(join(bed.root, 'checked', r.file)), r.file).toBe(sha(join(bed.root, 'honest', r.file)));
  });

  it('two teammates that tamper alike, with a coordinator that does not share: both caught by the coordinator itself, and the job ends honest', async () => {
    // The attack: only the two colluders share. Before: each checked the other's results
    // and agreed, and 9 of 9 wrong variants were accepted without a word.
    await alpha.cli(['share', 'off']);
    await honest.cli(['share', 'off']);
    await accomplice.cli(['share', 'on']);
    let view: JobView;
    try {
      const started = await alpha.cli<JobView>(['simulate', SCENE, ...WEDGE, '--out', join(bed.root, 'colluded'), '--no-wait']);
      // Each one's first variant is run again on alpha, which does not share: both are named.
      const named = async () => {
        const errors = (await job(alpha, started.jobId)).job.errors.join('\n');
        return /^cheat returned a wrong result/m.test(errors) && /^accomplice returned a wrong result/m.test(errors);
      };
      await eventually(named, 120_000, 'both colluders to be named');
      await honest.cli(['share', 'on']); // someone honest to do the work again
      view = await ended(started.jobId);
    } finally {
      await alpha.cli(['share', 'on']);
      await honest.cli(['share', 'on']);
      await accomplice.cli(['share', 'off']);
    }
    expect(view.state, view.errors.join('; ')).toBe('done');
    const tasks = (await job(alpha, view.jobId)).tasks;
    for (const t of tasks) {
      const final = t.attempts.filter((x) => x.outcome === 'done').at(-1)!;
      expect([cheat.deviceId, accomplice.deviceId], `${t.taskId} is finally neither colluder's`).not.toContain(final.workerId);
    }
    const rows = await alpha.cli<VariantRow[]>(['variants', view.jobId, '--sort', 'index']);
    const honestJob = (await alpha.cli<JobView[]>(['jobs'])).find((j) => j.submission.outputDir === join(bed.root, 'honest'))!;
    const honestRows = await alpha.cli<VariantRow[]>(['variants', honestJob.jobId, '--sort', 'index']);
    expect(rows.map((r) => r.hash)).toEqual(honestRows.map((r) => r.hash));
  });
});
