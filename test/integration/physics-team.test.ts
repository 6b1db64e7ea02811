// Physics on a team of two real agents (network namespaces as root, else loopback) with the
// built-in Rapier engine and the sample scene (assets/physics/tower-and-ball.glb: a tower of boxes
// knocked over by a ball): the same bake on either machine gives the same bytes; a bake in chunks
// equals the unchunked run; a bake whose worker is killed part-way finishes on the other machine
// from the last snapshot with the same hash; a 16-variant wedge runs each variant exactly once;
// and a scene exported by Blender's glTF physics add-on bakes the same on either machine.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';

/** A row of a sweep's table as `troupe variants --json` prints it. */
type VariantRow = { index: number; label: string; hash: string; maxSpeed: number; contacts: number; restSeconds: number | null; file: string };
import { Testbed, type AgentProcess } from './harness/testbed.js';
import { eventually, pairedTeamOfTwo } from './harness/team-helpers.js';

const SCENE = join(import.meta.dirname, '../../assets/physics/tower-and-ball.glb');
/** Exported by Blender with the glTF physics exporter add-on (assets/physics/fixtures/README.md). */
const EXPORTED = join(import.meta.dirname, '../../assets/physics/fixtures/blender-rigid-bodies.glb');
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;
const job = (agent: AgentProcess, id: string) => agent.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const doneBy = (tasks: TaskView[]) => new Set(tasks.flatMap((t) => t.attempts.filter((x) => x.outcome === 'done').map((x) => x.workerId)));
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const summaryHash = (dir: string) => (JSON.parse(readFileSync(join(dir, 'tower-and-ball.summary.json'), 'utf8')) as { hash: string }).hash;

/** `troupe simulate` on alpha with only `worker` sharing; the finished job. */
async function bakeOn(worker: AgentProcess, out: string, extra: string[] = [], scene = SCENE): Promise<JobView> {
  const idle = worker === a ? b : a;
  await idle.cli(['share', 'off']);
  try {
    return await a.cli<JobView>(['simulate', scene, '--seconds', '4', '--out', out, ...extra]);
  } finally {
    await idle.cli(['share', 'on']);
  }
}

describe(`Physics on a team of two (${bed.mode})`, () => {
  beforeAll(async () => {
    [a, b] = await pairedTeamOfTwo(bed, { engine: 'physics' });
  });
  afterAll(() => bed.destroy());

  it('the same bake on either machine, and in chunks or whole, gives byte-identical results', async () => {
    const onBeta = await bakeOn(b, join(bed.root, 'bake-beta'), ['--chunk-steps', '40']);
    const onAlpha = await bakeOn(a, join(bed.root, 'bake-alpha'), ['--chunk-steps', '40']);
    const whole = await bakeOn(b, join(bed.root, 'bake-whole'), ['--chunk-steps', '240']);
    for (const v of [onBeta, onAlpha, whole]) expect(v.state, v.errors.join('; ')).toBe('done');
    expect(doneBy((await job(a, onBeta.jobId)).tasks.filter((t) => t.kind === 'chunk'))).toEqual(new Set([b.deviceId]));
    expect((await job(a, onBeta.jobId)).tasks.filter((t) => t.kind === 'chunk')).toHaveLength(6);
    expect((await job(a, whole.jobId)).tasks.filter((t) => t.kind === 'chunk')).toHaveLength(1);
    expect(onBeta.outputs.sort()).toEqual(['tower-and-ball.baked.glb', 'tower-and-ball.summary.json']);
    const glb = (dir: string) => sha(join(bed.root, dir, 'tower-and-ball.baked.glb'));
    expect(glb('bake-alpha')).toBe(glb('bake-beta'));
    expect(glb('bake-whole')).toBe(glb('bake-beta'));
    expect(summaryHash(join(bed.root, 'bake-alpha'))).toBe(summaryHash(join(bed.root, 'bake-beta')));
    expect(summaryHash(join(bed.root, 'bake-whole'))).toBe(summaryHash(join(bed.root, 'bake-beta')));
  });

  it('a scene exported by Blender\'s glTF physics add-on bakes on the teammate to the bytes it bakes to here', async () => {
    const there = await bakeOn(b, join(bed.root, 'exported-beta'), ['--chunk-steps', '60'], EXPORTED);
    const here = await bakeOn(a, join(bed.root, 'exported-alpha'), [], EXPORTED);
    for (const v of [there, here]) expect(v.state, v.errors.join('; ')).toBe('done');
    expect(doneBy((await job(a, there.jobId)).tasks.filter((t) => t.kind === 'chunk'))).toEqual(new Set([b.deviceId]));
    const baked = (dir: string) => sha(join(bed.root, dir, 'blender-rigid-bodies.baked.glb'));
    expect(baked('exported-beta')).toBe(baked('exported-alpha'));
    const summary = JSON.parse(readFileSync(join(bed.root, 'exported-beta', 'blender-rigid-bodies.summary.json'), 'utf8')) as { bodies: { name: string }[] };
    expect(summary.bodies.map((body) => body.name)).toContain('PendulumBob');
  });

  it('a variant that runs longer than a lease on the teammate is done there once: its heartbeats name the lease, which lives on', async () => {
    await a.cli(['share', 'off']);
    try {
      const out = join(bed.root, 'long-variant');
      const view = await a.cli<JobView>(['simulate', SCENE, '--seconds', '300', '--substeps', '64', '--wedge', 'friction=0.5', '--out', out]);
      expect(view.state, view.errors.join('; ')).toBe('done');
      const [task] = (await job(a, view.jobId)).tasks.filter((t) => t.kind === 'variant');
      expect(task!.attempts.map((x) => [x.workerId, x.outcome])).toEqual([[b.deviceId, 'done']]);
      const tookMs = task!.attempts[0]!.endedAtMs! - task!.attempts[0]!.startedAtMs;
      console.log(`one variant ran ${(tookMs / 1000).toFixed(1)} s on the teammate (a lease is 10 s) in one attempt`);
      expect(tookMs).toBeGreaterThan(10_000);
    } finally {
      await a.cli(['share', 'on']);
    }
  });

  it('a 16-variant wedge across both machines runs every variant exactly once', async () => {
    const out = join(bed.root, 'wedge');
    const view = await a.cli<JobView>(['simulate', SCENE, '--seconds', '3', '--wedge', 'friction=0.2:0.8:4,restitution=0:0.6:4', '--out', out]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    const tasks = (await job(a, view.jobId)).tasks;
    expect(tasks.filter((t) => t.kind === 'variant').map((t) => t.frames[0]).sort((x, y) => x! - y!)).toEqual([...Array(16).keys()]);
    for (const t of tasks) expect(t.attempts.filter((x) => x.outcome === 'done'), t.taskId).toHaveLength(1);
    const files = readdirSync(out).sort();
    expect(files.filter((f) => f.endsWith('.glb'))).toHaveLength(16);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(16);
    const rows = await a.cli<VariantRow[]>(['variants', view.jobId, '--sort', '-maxSpeed']);
    expect(rows.map((r) => r.index).sort((x, y) => x - y)).toEqual([...Array(16).keys()]);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1]!.maxSpeed).toBeGreaterThanOrEqual(rows[i]!.maxSpeed);
    expect(new Set(rows.map((r) => r.hash)).size).toBe(16); // every variant ran its own parameters
    expect(rows.find((r) => r.index === 5)!.label).toMatch(/friction=0\.4.*restitution=0\.2/);
  });

  it('bake then render: frames are rendered from the bake so far, before the bake has finished, and equal frames rendered from the final .glb', async () => {
    const out = join(bed.root, 'chain');
    // A bake of many chunks whose steps cost more than a tiny frame does (32 substeps each), so its
    // first frames are done long before its last chunk, even on a loaded machine.
    const view = await a.cli<JobView>(['simulate', SCENE, '--seconds', '2', '--substeps', '32', '--fps', '24', '--chunk-steps', '6', '--then-render', '--size', '48x32', '--samples', '2', '--out', out]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    const frames = [...Array(49).keys()].map((f) => `tower-and-ball_${String(f).padStart(4, '0')}.png`);
    expect(readdirSync(out).sort()).toEqual(['tower-and-ball.baked.glb', 'tower-and-ball.summary.json', ...frames].sort());
    const tasks = (await job(a, view.jobId)).tasks;
    const doneAt = (t: TaskView) => t.attempts.find((x) => x.outcome === 'done')!.endedAtMs!;
    const bakeDone = doneAt(tasks.find((t) => t.taskId.endsWith(':bake'))!);
    const early = tasks.filter((t) => t.kind === 'frames' && doneAt(t) < bakeDone);
    console.log(`frames done before the bake: ${early.length} of 49`);
    expect(early.length, 'frames finished while the bake was still running').toBeGreaterThan(0);
    // The same frames rendered from the finished bake, as a separate job: the same bytes.
    const again = join(bed.root, 'chain-again');
    const render = await a.cli<JobView>(['render', join(out, 'tower-and-ball.baked.glb'), '--frames', '0-48', '--size', '48x32', '--samples', '2', '--name', 'tower-and-ball', '--out', again]);
    expect(render.state, render.errors.join('; ')).toBe('done');
    for (const f of frames) expect(sha(join(out, f)), f).toBe(sha(join(again, f)));
  });

  // Last: beta does not come back.
  it('a bake whose worker is killed part-way finishes on the other machine from the last snapshot, with the same hash', async () => {
    const out = join(bed.root, 'bake-killed');
    await a.cli(['share', 'off']); // beta runs the chain
    // 60 chunks of 20 steps, each step in 32 substeps: several seconds of work, so beta is mid-bake when it dies.
    const started = await a.cli<JobView>(['simulate', SCENE, '--seconds', '20', '--substeps', '32', '--chunk-steps', '20', '--out', out, '--no-wait']);
    await eventually(async () => (await job(a, started.jobId)).tasks.filter((t) => t.kind === 'chunk' && t.state === 'done').length >= 3, 60_000, 'beta to finish 3 chunks', 50);
    await b.kill('SIGKILL');
    await a.cli(['share', 'on']);
    const final = await eventually(async () => { const j = await job(a, started.jobId); return !['queued', 'running'].includes(j.job.state) && j; }, 120_000, 'the bake to end', 250);
    expect(final.job.state, final.job.errors.join('; ')).toBe('done');
    const chunks = final.tasks.filter((t) => t.kind === 'chunk');
    expect(chunks).toHaveLength(60);
    const byBeta = chunks.filter((t) => t.attempts.some((x) => x.workerId === b.deviceId && x.outcome === 'done')).length;
    const byAlpha = chunks.filter((t) => t.attempts.some((x) => x.workerId === a.deviceId && x.outcome === 'done')).length;
    expect(byBeta).toBeGreaterThanOrEqual(3);
    expect(byAlpha, 'alpha took the chain over').toBeGreaterThan(0);
    expect(byBeta + byAlpha).toBe(60);
    // The same run, uninterrupted, in one chunk on alpha.
    const whole = await a.cli<JobView>(['simulate', SCENE, '--seconds', '20', '--substeps', '32', '--chunk-steps', '1200', '--out', join(bed.root, 'bake-uninterrupted')]);
    expect(whole.state).toBe('done');
    expect(summaryHash(out)).toBe(summaryHash(join(bed.root, 'bake-uninterrupted')));
    expect(sha(join(out, 'tower-and-ball.baked.glb'))).toBe(sha(join(bed.root, 'bake-uninterrupted', 'tower-and-ball.baked.glb')));
  });
});
