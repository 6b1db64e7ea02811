// Jobs across a team of real agents in network namespaces: real renders with the built-in path
// tracer, real transfers, real crashes (SIGKILL), and a coordinator that starts again.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus, JobView, TaskView } from '../../shared/control-api/index.js';
import { Testbed, type AgentProcess } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { writeEmptyScene, writePathTrickScene, writeTestScene, writeTruncatedScene } from './harness/scenes.js';

const bed = new Testbed();
let a: AgentProcess, b: AgentProcess, c: AgentProcess, d: AgentProcess;
let scene: string;
const ANIM = ['--size', '160x120', '--samples', '48'];

const job = (agent: AgentProcess, id: string) => agent.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const submit = (agent: AgentProcess, args: string[]) => agent.cli<JobView>(['render', ...args, '--no-wait']);
/** The job once it ends; if it does not, the error says where each task stands and what the coordinator said. */
const waitDone = async (agent: AgentProcess, id: string, ms = 120_000) => {
  try {
    return await eventually(async () => { const j = await job(agent, id); return j.job.state !== 'running' && j.job.state !== 'queued' && j; }, ms, `job ${id} to end`, 500);
  } catch (err) {
    const j = await job(agent, id);
    const tasks = j.tasks.map((t) => `${t.taskId.split(':')[1]} ${t.state} [${t.attempts.map((x) => `${x.workerId.slice(0, 7)}:${x.outcome ?? 'live'}`).join(' ')}]`);
    const agents = [a, b, c, d].map((x) => `${x.name} ${x.deviceId?.slice(0, 7)} stderr:\n${x.stderr.slice(-3000)}\nlast events: ${x.events.slice(-15).map((e) => JSON.stringify(e).slice(0, 300)).join('\n')}`);
    throw new Error(`${(err as Error).message}\njob: ${j.job.state}, ${j.job.tasksDone}/${j.job.tasksTotal}, errors ${JSON.stringify(j.job.errors)}\n${tasks.join('\n')}\n${agents.join('\n')}`, { cause: err });
  }
};
const workersOf = (tasks: TaskView[]) => new Set(tasks.filter((t) => t.state === 'done').flatMap((t) => t.attempts.map((x) => x.workerId)));

describe(`jobs across a team (${bed.mode})`, () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost(), bed.addHost(), bed.addHost()];
    [a, b, c, d] = [bed.agent(hosts[0]!, 'alpha'), bed.agent(hosts[1]!, 'beta'), bed.agent(hosts[2]!, 'gamma'), bed.agent(hosts[3]!, 'delta')];
    scene = join(bed.root, 'scene.glb');
    await writeTestScene(scene);
    await Promise.all([a.start(), b.start(), c.start()]);
    await a.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as unknown[]).length >= 2, 5000);
    await pair(a, b);
    await pair(a, c);
    await eventually(async () => (await a.cli<{ members: { online: boolean }[] }>(['team'])).members.filter((m) => m.online).length === 3, 10_000, 'a team of three');
  });
  afterAll(() => bed.destroy());

  it('a still split into buckets over three agents equals, byte for byte, the same render on one agent', async () => {
    const team = join(bed.root, 'still-team');
    const solo = join(bed.root, 'still-solo');
    const teamJob = await a.cli<JobView>(['render', scene, '--size', '240x180', '--samples', '24', '--out', team]);
    expect(teamJob.state).toBe('done');
    const workers = workersOf((await job(a, teamJob.jobId)).tasks);
    expect(workers.size, `buckets ran on ${[...workers].join(', ')}`).toBeGreaterThanOrEqual(2);
    await b.cli(['share', 'off']);
    await c.cli(['share', 'off']);
    const soloJob = await a.cli<JobView>(['render', scene, '--size', '240x180', '--samples', '24', '--out', solo]);
    await b.cli(['share', 'on']);
    await c.cli(['share', 'on']);
    expect(workersOf((await job(a, soloJob.jobId)).tasks)).toEqual(new Set([a.deviceId, 'coordinator']));
    const name = teamJob.outputs[0]!;
    expect(readFileSync(join(team, name)).equals(readFileSync(join(solo, soloJob.outputs[0]!)))).toBe(true);
  });

  it('the same scene again transfers no scene bytes to the workers', async () => {
    // Only a worker that already holds the scene (it worked on the first job) can show a cache hit.
    const hadScene: AgentProcess[] = [];
    for (const x of [b, c]) if ((await x.cli<AgentStatus>(['status'])).transfers.blobsReceived > 0) hadScene.push(x);
    expect(hadScene.length, 'a teammate worked on the first job').toBeGreaterThan(0);
    const before = await Promise.all(hadScene.map(async (x) => (await x.cli<AgentStatus>(['status'])).transfers.bytesReceived));
    await a.cli(['share', 'off']); // so the teammates do the work
    const again = await a.cli<JobView>(['render', scene, '--size', '160x120', '--samples', '16', '--frames', '1-6', '--out', join(bed.root, 'again')]);
    await a.cli(['share', 'on']);
    expect(again.state).toBe('done');
    const workers = workersOf((await job(a, again.jobId)).tasks);
    expect(hadScene.some((x) => workers.has(x.deviceId))).toBe(true);
    const after = await Promise.all(hadScene.map(async (x) => (await x.cli<AgentStatus>(['status'])).transfers.bytesReceived));
    expect(after).toEqual(before);
  });

  it('an animation survives a worker killed mid-task: every frame delivered exactly once', async () => {
    const out = join(bed.root, 'anim-kill');
    const started = await submit(a, [scene, ...ANIM, '--frames', '1-12', '--out', out]);
    await eventually(async () => (await job(a, started.jobId)).tasks.some((t) => t.state === 'running' && t.attempts.some((x) => x.workerId === b.deviceId)), 60_000, 'beta to be rendering');
    await b.kill('SIGKILL');
    const final = await waitDone(a, started.jobId);
    expect(final.job.state).toBe('done');
    expect(final.job.outputs).toHaveLength(12);
    expect(readdirSync(out).filter((f) => f.endsWith('.png'))).toHaveLength(12);
    expect(readdirSync(out).filter((f) => !f.endsWith('.png'))).toEqual([]); // no temporary or partial files
    await b.start();
    // The killed worker's cache holds only whole, verified blobs once it is back.
    await eventually(() => readdirSync(join(b.dataDir, 'blobs')).every((n) => /^[0-9a-f]{2}$/.test(n)), 5000, 'no leftovers in beta\'s cache');
  });

  it('a machine that joins mid-job gets tasks at once', async () => {
    const started = await submit(a, [scene, ...ANIM, '--frames', '1-60', '--out', join(bed.root, 'join')]);
    // Mid-job, whatever the machine's load: paused once under way (a busy machine may take longer to
    // start and pair a machine than the team takes to render the frames), resumed once delta is in.
    // 60 frames: frames go out in chunks, and each machine holds two, so 24 were nearly all out at the pause.
    await eventually(async () => (await job(a, started.jobId)).job.tasksDone >= 1, 60_000, 'a first frame');
    await a.cli(['pause', started.jobId]);
    await d.start();
    await pair(a, d);
    // Linked, not only paired: on a busy machine the link may come up after the others took the rest.
    type Member = { deviceId: string; online: boolean };
    await eventually(async () => (await a.cli<{ members: Member[] }>(['team'])).members.some((m) => m.deviceId === d.deviceId && m.online), 30_000, 'delta online');
    const joinedAt = Date.now();
    await a.cli(['resume', started.jobId]);
    const final = await waitDone(a, started.jobId);
    expect(final.job.state).toBe('done');
    const timeline = final.tasks.map((t) => `${t.taskId.split(':')[1]} [${t.attempts.map((x) => `${[a, b, c, d].find((w) => w.deviceId === x.workerId)?.name ?? x.workerId.slice(0, 7)}:${x.outcome}@${x.startedAtMs - final.job.createdAtMs}`).join(' ')}]`);
    expect(workersOf(final.tasks).has(d.deviceId), `delta joined at ${joinedAt - final.job.createdAtMs} ms; ${timeline.join(', ')}; delta: ${d.stderr.slice(-1500)}`).toBe(true);
  });

  it('a coordinator killed mid-job resumes after a restart without re-rendering finished frames', async () => {
    const out = join(bed.root, 'resume');
    const started = await submit(a, [scene, ...ANIM, '--frames', '1-16', '--out', out]);
    const doneBefore = await eventually(async () => { const t = (await job(a, started.jobId)).tasks.filter((x) => x.state === 'done'); return t.length >= 3 && t; }, 60_000, 'three frames done');
    const files = readdirSync(out);
    const mtimes = new Map(files.map((f) => [f, statSync(join(out, f)).mtimeMs]));
    await a.kill('SIGKILL');
    await a.start();
    const final = await waitDone(a, started.jobId);
    expect(final.job.state).toBe('done');
    expect(final.job.outputs).toHaveLength(16);
    for (const [f, mtime] of mtimes) expect(statSync(join(out, f)).mtimeMs, `${f} was written again`).toBe(mtime);
    expect(doneBefore.length).toBeGreaterThanOrEqual(3);
  });

  it("a teammate's running task says how far it is: its progress reaches the coordinator's event stream over the link", async () => {
    await a.cli(['share', 'off']); // the teammates render every task
    const mark = a.events.length;
    const started = await submit(a, [scene, '--size', '320x240', '--samples', '64', '--frames', '1-4', '--out', join(bed.root, 'progress')]);
    type Attempt = TaskView['attempts'][number];
    const told = await a.waitFor((e) => {
      if (e.type !== 'taskChanged' || e.jobId !== started.jobId) return false;
      return (e.task as TaskView).attempts.some((x: Attempt) => x.outcome === 'running' && x.workerId !== a.deviceId && x.progress !== undefined);
    }, 60_000, mark);
    const progress = (told.task as TaskView).attempts.find((x: Attempt) => x.progress)!.progress!;
    expect(progress.total).toBeGreaterThan(0);
    expect(progress.done).toBeLessThanOrEqual(progress.total);
    await a.cli(['cancel', started.jobId]);
    await a.cli(['share', 'on']);
    // Once a task ends, its attempt carries no progress.
    const ended = await job(a, started.jobId);
    expect(ended.tasks.flatMap((t) => t.attempts).filter((x) => x.outcome !== 'running' && x.progress)).toEqual([]);
  });

  it('a job can be paused, re-prioritised, resumed and cancelled', async () => {
    // Far more frames than the test waits for: on a busy machine a few CLI calls take seconds, and a
    // job of 40 frames was over before the cancel came.
    const long = await submit(a, [scene, ...ANIM, '--frames', '1-400', '--out', join(bed.root, 'controlled')]);
    await eventually(async () => (await job(a, long.jobId)).job.tasksDone >= 1, 60_000, 'a first frame');
    expect((await a.cli<JobView>(['pause', long.jobId])).state).toBe('paused');
    // Tasks already leased or running finish (on a loaded machine that can take longer than a few seconds).
    await eventually(async () => (await job(a, long.jobId)).tasks.every((t) => t.state !== 'running' && t.state !== 'leased'), 60_000, 'running tasks to finish');
    const held = await job(a, long.jobId);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await job(a, long.jobId)).job.tasksDone).toBe(held.job.tasksDone); // nothing new starts while paused
    expect((await a.cli<JobView>(['priority', long.jobId, '5'])).submission.priority).toBe(5);
    expect((await a.cli<JobView>(['resume', long.jobId])).state).toBe('running');
    await eventually(async () => (await job(a, long.jobId)).job.tasksDone > held.job.tasksDone, 30_000, 'work to go on');
    expect((await a.cli<JobView>(['cancel', long.jobId])).state).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 1500));
    const after = await job(a, long.jobId);
    expect(after.job.state).toBe('cancelled');
    expect(after.tasks.filter((t) => t.state === 'running' || t.state === 'leased')).toEqual([]);
  });

  it('bad input is refused with a clear error and other jobs carry on', async () => {
    const running = await submit(a, [scene, ...ANIM, '--frames', '1-6', '--out', join(bed.root, 'carry-on')]);
    const bad = async (file: string, extra: string[] = []) => {
      const r = await a.cliResult(['render', file, '--out', join(bed.root, 'bad'), ...extra]);
      expect(r.ok).toBe(false);
      return (r.value as { error: { code: string; message: string } }).error;
    };
    const trick = join(bed.root, 'trick.gltf');
    await writePathTrickScene(trick);
    expect((await bad(trick)).message).toMatch(/\.\.|outside/);
    const truncated = join(bed.root, 'truncated.glb');
    await writeTruncatedScene(scene, truncated);
    expect((await bad(truncated)).message).toMatch(/truncated|damaged|corrupt|short/i);
    const empty = join(bed.root, 'empty.glb');
    await writeEmptyScene(empty);
    expect((await bad(empty)).message).toMatch(/no triangles/i);
    expect((await bad(scene, ['--size', '100000x100000'])).message).toMatch(/too large/);
    expect((await bad(join(bed.root, 'missing.glb'))).message).toMatch(/No scene file/);
    const final = await waitDone(a, running.jobId);
    expect(final.job.state).toBe('done');
  });
});
