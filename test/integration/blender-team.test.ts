// Blender on a team of two real agents (network namespaces as root, else loopback) with Debian's
// Blender: an animation in frame chunks over both machines equal, pixel for pixel, to one Blender
// rendering it alone; a still in 4 regions stitched by a worker's Blender equal to the one-piece
// render, pixels and PNG image data; a .blend with a missing texture refused with the file's name
// before any task; a worker whose Blender is killed mid-task: the attempt fails naming the kill, the
// task runs again and the job completes; a rigid-body bake on the teammate whose baked file renders
// like a local bake; a texture and a linked library rendered by the teammate from shipped copies
// with the originals moved away; the add-on's "Render on team" in a headless Blender against the real agent.
// Scenes are made at run time by assets/blender/make_test_scenes.py (64x36, a few
// samples).

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';
import { blenderAssetsDir } from '../../electron/agent/engines/blender/blender-assets.js';
import { BlenderSession } from '../../electron/agent/engines/blender/blender-session.js';
import { BLENDER, HAVE_BLENDER, pixels, renderAlone } from './harness/blender-helpers.js';
import { pngWithoutMetadata } from '../support/png-chunks.js';
import { Testbed, type AgentProcess, ENGINE_PATIENCE_MS } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';

const run = promisify(execFile);

const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;
const scene = (name: string): string => join(bed.root, 'scenes', name);
const job = (agent: AgentProcess, id: string) => agent.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const doneBy = (tasks: TaskView[]) => new Set(tasks.flatMap((t) => t.attempts.filter((x) => x.outcome === 'done').map((x) => x.workerId)));
const waitEnd = (agent: AgentProcess, id: string, ms = ENGINE_PATIENCE_MS) =>
  eventually(async () => { const j = await job(agent, id); return !['queued', 'running'].includes(j.job.state) && j; }, ms, `job ${id} to end`, 500);

/** The Blender processes under an agent (`ip netns exec` may sit between), by pid. */
function blenderUnder(rootPid: number): number[] {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(readFileSync(`/proc/${p}/stat`, 'utf8').trim())!;
      return [{ pid: Number(p), comm: comm!, ppid: Number(rest!.split(' ')[1]) }];
    } catch {
      return [];
    }
  });
  const under = new Set([rootPid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (under.has(p.ppid) && !under.has(p.pid)) {
        under.add(p.pid);
        grew = true;
      }
    }
  }
  return procs.filter((p) => p.comm === 'blender' && under.has(p.pid)).map((p) => p.pid);
}

/** A copy of a test scene with more samples (its tasks take long enough to share), and Cycles' adaptive sampling on or off. */
const heavier = (from: string, to: string, samples: number, adaptive = true) =>
  run(BLENDER, ['-b', '--factory-startup', '-noaudio', scene(from), '--python-expr',
    `import bpy; c = bpy.context.scene.cycles; c.samples = ${samples}; c.use_adaptive_sampling = ${adaptive ? 'True' : 'False'}; ` +
      `bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(scene(to))})`], { timeout: ENGINE_PATIENCE_MS });

describe.skipIf(!HAVE_BLENDER)(`Blender on a team of two (${bed.mode})`, () => {
  beforeAll(async () => {
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', '--python', join(blenderAssetsDir(), 'make_test_scenes.py'), '--', join(bed.root, 'scenes')], { timeout: ENGINE_PATIENCE_MS });
    // A task surely mid-render when its Blender is killed (~4 s a frame; 3000 samples gave ~1.2 s on
    // a quiet machine, and the kill 1.5 s in hit the next frame): adaptive sampling off, or this
    // simple scene converges in a fraction of the samples and the task is over before the kill.
    await heavier('animation.blend', 'heavy.blend', 10000, false);
    // Frames of a few hundred ms: the coordinator's own Blender cannot finish all six before the
    // teammate's has started (about 1-2 s), so both render, on a loaded machine too.
    await heavier('animation.blend', 'animation-shared.blend', 400, false);
    await heavier('still.blend', 'still-heavy.blend', 256); // regions worth sharing; adaptive sampling on (Blender's default)
    await heavier('still.blend', 'still-heavy-full.blend', 256, false); // the same, every pixel at the full count
    const hosts = [bed.addHost(), bed.addHost()];
    [a, b] = [bed.agent(hosts[0]!, 'alpha'), bed.agent(hosts[1]!, 'beta')];
    await Promise.all([a.start(), b.start()]);
    await a.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as unknown[]).length >= 1, 5000);
    await pair(a, b);
    type Member = { self: boolean; online: boolean; capacity: { engines?: { id: string; version: string | null }[] } | null };
    await eventually(async () => (await a.cli<{ members: Member[] }>(['team'])).members
      .some((m) => !m.self && m.online && m.capacity?.engines?.some((e) => e.id === 'blender' && e.version === '3.4')), 15_000, 'beta advertising blender/3.4');
  });
  afterAll(() => bed.destroy());

  it('a 6-frame animation rendered across both agents equals, pixel for pixel, one Blender rendering it alone', async () => {
    const out = join(bed.root, 'anim-team');
    const view = await a.cli<JobView>(['render', scene('animation-shared.blend'), '--out', out]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    const names = ['frame_0001.png', 'frame_0002.png', 'frame_0003.png', 'frame_0004.png', 'frame_0005.png', 'frame_0006.png'];
    expect(view.outputs).toEqual(names);
    expect(readdirSync(out).sort()).toEqual(names);
    const workers = doneBy((await job(a, view.jobId)).tasks);
    expect(workers, 'both machines rendered frames').toEqual(new Set([a.deviceId, b.deviceId]));
    const alone = await renderAlone(scene('animation-shared.blend'), [1, 2, 3, 4, 5, 6], join(bed.root, 'anim-alone'));
    for (const [frame, path] of alone) expect(pixels(join(out, names[frame - 1]!)).equals(pixels(path)), `frame ${frame}`).toBe(true);
  });

  it("a still in 4 regions over two agents, stitched by a worker's Blender, equals the one-piece render (dither and adaptive sampling off)", async () => {
    const out = join(bed.root, 'still-team');
    const view = await a.cli<JobView>(['render', scene('still-heavy.blend'), '--frames', '1', '--out', out]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    expect(view.about.warnings.join(' ')).toMatch(/dither off.*adaptive sampling/);
    const tasks = (await job(a, view.jobId)).tasks;
    // 9-row bands: pixels next to a band's edge are where adaptive sampling would differ.
    expect(tasks.filter((t) => t.kind === 'bucket').map((t) => t.region)).toEqual([0, 9, 18, 27].map((y) => ({ x: 0, y, width: 64, height: 9 })));
    expect(tasks.filter((t) => t.kind === 'frames')).toEqual([expect.objectContaining({ taskId: `${view.jobId}:stitch1`, state: 'done' })]);
    // Which machine takes which region is the scheduler's call (tiny regions may all go to one).
    expect(doneBy(tasks).size).toBeGreaterThanOrEqual(1);
    expect(view.outputs).toEqual(['0001.png']); // the scene has no output name: Blender's own "####"
    // Regions render without adaptive sampling (a region alone judges convergence differently near
    // its edges): the one-piece render to equal is the scene with it off too, and dither 0.
    const alone = (await renderAlone(scene('still-heavy-full.blend'), [1], join(bed.root, 'still-alone'), 0)).get(1)!;
    expect(pixels(join(out, '0001.png')).equals(pixels(alone))).toBe(true);
    // Byte for byte but for the render's metadata text (date, render time), which no two renders share.
    expect(pngWithoutMetadata(readFileSync(join(out, '0001.png'))).equals(pngWithoutMetadata(readFileSync(alone)))).toBe(true);
  });

  it('a .blend with an external texture and a linked library renders on the teammate from the shipped copies, with the originals gone', async () => {
    const out = join(bed.root, 'textured-team');
    // One frame is a still: regions, rendered with dither and adaptive sampling off (see below).
    await heavier('textured.blend', 'textured-full.blend', 16, false);
    const alone = (await renderAlone(scene('textured-full.blend'), [1], join(bed.root, 'textured-alone'), 0)).get(1)!;
    await a.cli(['share', 'off']); // beta renders it
    const moved: [string, string][] = [[scene('textures'), scene('textures-away')], [scene('library.blend'), scene('library-away.blend')]];
    try {
      const started = await a.cli<JobView>(['render', scene('textured-full.blend'), '--frames', '1-1', '--out', out, '--no-wait']);
      // The submission holds its files by content address now: no path of this machine is needed again.
      for (const [from, to] of moved) renameSync(from, to);
      const final = await waitEnd(a, started.jobId);
      expect(final.job.state, final.job.errors.join('; ')).toBe('done');
      expect(doneBy(final.tasks)).toEqual(new Set([b.deviceId]));
    } finally {
      await a.cli(['share', 'on']);
      for (const [from, to] of moved) if (existsSync(to)) renameSync(to, from);
    }
    const [name] = readdirSync(out);
    expect(pixels(join(out, name!)).equals(pixels(alone)), 'the texture and the linked object are in the image').toBe(true);
  });

  it("a compositor File Output node aimed at the designer's disk writes inside the teammate's task folder, never at its path", async () => {
    // The teammate shares this disk here: without the move (and the sandbox) its Blender would write there.
    const planted = join(bed.root, 'owner-home', 'planted');
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', scene('animation.blend'), '--python-expr',
      'import bpy; s = bpy.context.scene; s.use_nodes = True; t = s.node_tree; ' +
        "rl = next(n for n in t.nodes if n.type == 'R_LAYERS'); fo = t.nodes.new('CompositorNodeOutputFile'); " +
        `fo.base_path = ${JSON.stringify(planted + '/')}; fo.file_slots[0].path = '../../escape_'; t.links.new(rl.outputs['Image'], fo.inputs[0]); ` +
        `bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(scene('file-output.blend'))})`], { timeout: ENGINE_PATIENCE_MS });
    await a.cli(['share', 'off']); // the teammate renders
    try {
      const view = await a.cli<JobView>(['render', scene('file-output.blend'), '--frames', '1-2', '--out', join(bed.root, 'file-output')]);
      expect(view.state, view.errors.join('; ')).toBe('done');
      expect(doneBy((await job(a, view.jobId)).tasks)).toEqual(new Set([b.deviceId]));
    } finally {
      await a.cli(['share', 'on']);
    }
    expect(existsSync(join(bed.root, 'owner-home'))).toBe(false);
    expect(readdirSync(bed.root).filter((f) => f.startsWith('escape_'))).toEqual([]);
  });

  it('a .blend whose texture is missing is refused, naming the file, before any task exists', async () => {
    const before = (await a.cli<JobView[]>(['jobs'])).length;
    const refused = await a.cliResult(['render', scene('missing-texture.blend'), '--out', join(bed.root, 'missing')]);
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused.value)).toContain(scene('textures/missing.png'));
    expect(await a.cli<JobView[]>(['jobs'])).toHaveLength(before);
  });

  it("a rigid-body bake runs on the teammate; the baked file comes back next to the .blend and renders like a local bake", async () => {
    const out = join(bed.root, 'bake-team');
    mkdirSync(out, { recursive: true });
    await a.cli(['share', 'off']); // the designer's machine stays free: the teammate bakes
    let view: JobView;
    try {
      view = await a.cli<JobView>(['bake', scene('rigidbody.blend'), '--out', join(out, 'rigidbody.baked.blend')]);
    } finally {
      await a.cli(['share', 'on']);
    }
    expect(view.state, view.errors.join('; ')).toBe('done');
    expect(doneBy((await job(a, view.jobId)).tasks)).toEqual(new Set([b.deviceId]));
    expect(view.outputs).toContain('rigidbody.baked.blend');
    const teamBaked = join(out, 'rigidbody.baked.blend');
    // The same bake on this machine, then frame 15 (mid-fall) rendered from each file.
    const localBaked = join(bed.root, 'bake-local', 'rigidbody.baked.blend');
    const { session } = await BlenderSession.start({ blenderPath: BLENDER, blendFile: scene('rigidbody.blend'), threads: 1 });
    try {
      await session.run('bake', { output: localBaked }, { timeoutMs: ENGINE_PATIENCE_MS });
    } finally {
      await session.quit();
    }
    const fromTeam = (await renderAlone(teamBaked, [15], join(bed.root, 'bake-render-team'))).get(15)!;
    const fromLocal = (await renderAlone(localBaked, [15], join(bed.root, 'bake-render-local'))).get(15)!;
    const unbaked = (await renderAlone(scene('rigidbody.blend'), [15], join(bed.root, 'bake-render-none'))).get(15)!;
    expect(pixels(fromTeam).equals(pixels(fromLocal)), 'team bake renders as the local bake').toBe(true);
    expect(pixels(fromTeam).equals(pixels(unbaked)), 'frame 15 shows the simulation (the cache is used)').toBe(false);
  });

  it('the add-on in a headless Blender on the designer\'s machine presses "Render on team": the frames arrive at the file\'s output path', async () => {
    const report = join(bed.root, 'addon-report.json');
    const [cmd, ...argv] = a.host.wrap([BLENDER, '-b', scene('animation.blend'), '--factory-startup', '-noaudio', '--python',
      join(import.meta.dirname, '../support/blender/addon_probe.py'), '--', blenderAssetsDir(), report, '--follow', a.dataDir]);
    await run(cmd!, argv, { timeout: ENGINE_PATIENCE_MS });
    type Listed = { state: string; files: { name: string; sizeBytes: number }[]; totalBytes: number };
    const probe = JSON.parse(readFileSync(report, 'utf8')) as { presses: { error?: string; result?: string[]; listed?: Listed; send?: string[]; watch?: { jobId: string; state: string; done: number; total: number; machines: unknown[] } }[] };
    const press = probe.presses[0]!;
    expect(press.error).toBeUndefined();
    expect(press.result).toEqual(['FINISHED']);
    // What the agent would send, listed with sizes before the artist pressed "Send to team".
    expect(press.listed).toMatchObject({ state: 'listed', files: [{ name: 'animation.blend', sizeBytes: statSync(scene('animation.blend')).size }] });
    expect(press.send).toEqual(['FINISHED']);
    expect(press.watch).toMatchObject({ state: 'done', done: press.watch!.total });
    expect(press.watch!.machines.length).toBeGreaterThanOrEqual(1); // each machine's share, as the panel shows it
    const names = [1, 2, 3, 4, 5, 6].map((f) => `frame_${String(f).padStart(4, '0')}.png`);
    expect(readdirSync(scene('out')).sort()).toEqual(names); // the scene's own output path: //out/frame_####
    expect((await job(a, press.watch!.jobId)).job.submission.name).toBe('animation');
  });

  it('a worker whose Blender is killed mid-task: the attempt fails naming the kill, the task runs again and the job completes', async () => {
    const out = join(bed.root, 'killed');
    mkdirSync(out, { recursive: true });
    await a.cli(['share', 'off']); // beta takes the first task; alpha comes back once it is killed
    const started = await a.cli<JobView>(['render', scene('heavy.blend'), '--frames', '1-4', '--out', out, '--no-wait']);
    // Beta's task is running once its Blender is rendering (a task is fetched and loaded first).
    const victim = await eventually(async () => {
      const running = (await job(a, started.jobId)).tasks.find((t) => t.state === 'running' && t.attempts.at(-1)?.workerId === b.deviceId);
      // This job's Blender: beta may still keep an earlier job's session open (idle, it closes by itself).
      const pids = running ? blenderUnder(b.pid!).filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('heavy.blend')) : [];
      return running && pids.length > 0 && { task: running.taskId, pids };
    }, 60_000, 'beta rendering in Blender', 200);
    // Most likely inside the render, past loading; on a busy machine the kill may land while the
    // file still loads, and the failure names the kill either way.
    await new Promise((r) => setTimeout(r, 1500));
    victim.pids.forEach((pid) => process.kill(pid, 'SIGKILL')); // rendering, so still there
    await a.cli(['share', 'on']);
    const final = await waitEnd(a, started.jobId);
    expect(final.job.state, final.job.errors.join('; ')).toBe('done');
    expect(final.job.outputs).toHaveLength(4);
    // The task the kill hit: the one seen running, or, if its frame ended while the job view was
    // being read on a loaded machine, the next, which the same kept-alive Blender was rendering.
    const failedOf = (t: TaskView) => t.attempts.find((x) => x.workerId === b.deviceId && x.outcome === 'failed');
    const task = final.tasks.find(failedOf);
    const attempts = final.tasks.map((t) => `${t.taskId.split(':')[1]} [${t.attempts.map((x) => `${x.workerId === b.deviceId ? 'beta' : 'alpha'}:${x.outcome}${x.error ? ` (${x.error})` : ''}`).join(' ')}]`);
    expect(task && failedOf(task)?.error, `the failure names the crash; seen running: ${victim.task.split(':')[1]}; tasks: ${attempts.join(', ')}`).toMatch(/Blender (stopped during render_frames|exited before the session was ready) \(killed by SIGKILL\)/);
    // The same worker may take it again (protocol §8.2: a task fails on 3 machines before it fails);
    // its next task starts a fresh Blender (here it was beta again, run after run).
    expect(task!.attempts.at(-1)?.outcome).toBe('done');
  });
});
