// What travels with a Blender job, tried with files built the way artists build them
// (assets/blender/make_artist_scenes.py) on two real agents: the designer's machine shares no
// cores, so the teammate renders every frame in its sandbox, which cannot read the designer's
// disk. Each frame must equal one Blender rendering the same file alone, or the job must be
// refused up front in words that name the file:
// - an image-sequence texture: every frame the job shows travels, not just the first;
// - a UDIM texture: every tile travels;
// - particles baked to a disk cache (Blender's default blendcache_<name> folder);
// - a library of a library, its texture relative to the inner library, under a chosen project folder;
// - a texture named by its absolute path: remapped, and no asset names the designer's folders;
//   the same inside a linked library;
// - a .blend naming a private key, notes outside the project, /proc, /dev/zero, a FIFO and a file
//   through a link out of the project: refused, each by name, and none of their bytes stored;
// - a file outside the project goes only once the user approves that file;
// - a missing frame of a sequence: refused, or with --allow-missing done and warned of on the job;
// - a rigid body world that is not baked: warned of, with the way to bake it on the team;
// - a scene that denoises with OpenImageDenoise, which no machine here has (Debian's Blender lacks
//   it): refused at once with the switch, and rendered with --no-denoise; a still rendered whole;
// - a multilayer-EXR still with two view layers, a compositor blur and a stamp, in regions:
//   stitched layer by layer, every pass equal to a local render.

import type { BlenderSubmission } from '../../electron/agent/engines/blender/blender-wire.js';
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';
import { blenderAssetsDir } from '../../electron/agent/engines/blender/blender-assets.js';
import { BLENDER, HAVE_BLENDER, passDifferences, pixels, readExrPasses, renderAlone } from './harness/blender-helpers.js';
import { Testbed, type AgentProcess, ENGINE_PATIENCE_MS } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';

const run = promisify(execFile);
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;
const art = (...parts: string[]): string => join(bed.root, 'art', ...parts);
const shot = (name: string): string => art('project', 'shot', name);
const job = (agent: AgentProcess, id: string) => agent.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const doneBy = (tasks: TaskView[]) => new Set(tasks.flatMap((t) => t.attempts.filter((x) => x.outcome === 'done').map((x) => x.workerId)));
const blender = (view: JobView) => (view.submission.engine === 'blender' ? (view.submission as BlenderSubmission).blender : null);

/** Renders `frames` of a .blend on the team (the teammate alone) and checks each against one Blender's render of it. */
async function renderMatchesAlone(file: string, frames: [number, number], extra: string[] = []): Promise<JobView> {
  const out = join(bed.root, 'out', `${file.split('/').pop()}-${frames.join('-')}`);
  const view = await a.cli<JobView>(['render', file, '--frames', frames.join('-'), '--out', out, ...extra]);
  expect(view.state, view.errors.join('; ')).toBe('done');
  expect(doneBy((await job(a, view.jobId)).tasks)).toEqual(new Set([b.deviceId]));
  const numbers = Array.from({ length: frames[1] - frames[0] + 1 }, (_, i) => frames[0] + i);
  const alone = await renderAlone(file, numbers, join(bed.root, 'alone', `${file.split('/').pop()}-${frames.join('-')}`));
  const made = readdirSync(out).sort();
  expect(made).toHaveLength(numbers.length);
  for (const [i, n] of numbers.entries()) expect(pixels(join(out, made[i]!)).equals(pixels(alone.get(n)!)), `frame ${n} of ${file}`).toBe(true);
  return view;
}

async function refusal(args: string[]): Promise<string> {
  const result = await a.cliResult(args);
  expect(result.ok, 'the job was refused').toBe(false);
  return JSON.stringify(result.value);
}

describe.skipIf(!HAVE_BLENDER)(`A .blend's files on a team of two (${bed.mode})`, () => {
  beforeAll(async () => {
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', '--python', join(blenderAssetsDir(), 'make_artist_scenes.py'), '--', art()], { timeout: ENGINE_PATIENCE_MS });
    const hosts = [bed.addHost(), bed.addHost()];
    [a, b] = [bed.agent(hosts[0]!, 'designer'), bed.agent(hosts[1]!, 'teammate')];
    await Promise.all([a.start(), b.start()]);
    await a.waitFor((e) => e.type === 'nearbyChanged', 5000);
    await pair(a, b);
    type Member = { self: boolean; online: boolean; capacity: { engines?: { id: string }[] } | null };
    await eventually(async () => (await a.cli<{ members: Member[] }>(['team'])).members
      .some((m) => !m.self && m.online && m.capacity?.engines?.some((e) => e.id === 'blender')), 15_000, 'the teammate advertising Blender');
    // What each machine's Blender can do (asked in the background at start): known before any job.
    await eventually(async () => (await a.cli<{ members: { capacity: { engines?: { id: string; features?: string[] }[] } | null }[] }>(['team'])).members
      .every((m) => m.capacity?.engines?.find((e) => e.id === 'blender')?.features !== undefined), 120_000, "both machines' Blender features");
    await a.cli(['share', 'off']); // the teammate renders every frame
  });
  afterAll(() => bed.destroy());

  it('an image-sequence texture: each frame shows its own image, as in a local render', async () => {
    const view = await renderMatchesAlone(shot('sequence.blend'), [1, 4]);
    const names = view.submission.assets.map((x) => x.name);
    expect(names).toEqual(expect.arrayContaining(['sequence.blend', 'tex/seq_0001.png', 'tex/seq_0002.png', 'tex/seq_0003.png', 'tex/seq_0004.png']));
  });

  it('a UDIM texture: every tile travels', async () => {
    const view = await renderMatchesAlone(shot('udim.blend'), [1, 2]);
    expect(view.submission.assets.map((x) => x.name)).toEqual(expect.arrayContaining(['tex/udim.1001.png', 'tex/udim.1002.png']));
  });

  it("particles baked to a disk cache in Blender's default folder render as they do locally", async () => {
    const view = await renderMatchesAlone(shot('particles.blend'), [5, 6]);
    expect(view.submission.assets.filter((x) => x.name.startsWith('blendcache_particles/')).length).toBe(6);
  });

  it('a library of a library whose texture is relative to the inner library, under a chosen project folder', async () => {
    const refused = await refusal(['render', shot('nested.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'nested-refused')]);
    expect(refused).toContain(art('project', 'libs', 'outer.blend'));
    expect(refused).toMatch(/outside the project folder/);
    // What would go, with sizes, before anything is sent: no job is made.
    const jobsBefore = (await a.cli<JobView[]>(['jobs'])).length;
    const preview = await a.cli<{ files: { name: string; sizeBytes: number }[]; totalBytes: number }>(['render', shot('nested.blend'), '--project', art('project'), '--list-files']);
    expect(preview.files.map((f) => f.name).sort()).toEqual(['libs/inner.blend', 'libs/outer.blend', 'libs/tex/inner.png', 'shot/nested.blend']);
    expect(preview.totalBytes).toBe(preview.files.reduce((sum, f) => sum + f.sizeBytes, 0));
    expect(await a.cli<JobView[]>(['jobs'])).toHaveLength(jobsBefore);
    const view = await renderMatchesAlone(shot('nested.blend'), [1, 2], ['--project', art('project')]);
    expect(view.submission.assets.map((x) => x.name)).toEqual(expect.arrayContaining(['shot/nested.blend', 'libs/outer.blend', 'libs/inner.blend', 'libs/tex/inner.png']));
  });

  it("a texture named by its absolute path is remapped; teammates see no path of the designer's but what the .blend stores", async () => {
    const view = await renderMatchesAlone(shot('absolute.blend'), [1, 2]);
    expect(view.submission.assets.map((x) => x.name).sort()).toEqual(['absolute.blend', 'tex/absolute.png']);
    expect(blender(view)?.dependencies).toEqual([{ asset: 'tex/absolute.png', originalPath: shot('tex/absolute.png') }]);
    expect(blender(view)?.blendDir).toBe('.');
  });

  it('a linked library naming its texture by an absolute path: the image inside the library is remapped on the teammate', async () => {
    const view = await renderMatchesAlone(shot('linked-absolute.blend'), [1, 2]);
    expect(view.submission.assets.map((x) => x.name).sort()).toEqual(['linked-absolute.blend', 'props/linked-absolute-lib.blend', 'tex/linked-absolute.png']);
    expect(blender(view)?.dependencies).toEqual([{ asset: 'tex/linked-absolute.png', originalPath: shot('tex/linked-absolute.png') }]);
  });

  it('a simulation that is not baked: warned of before sending and on the job, with the way to bake it on the team', async () => {
    const preview = await a.cli<{ warnings: string[] }>(['render', shot('unbaked.blend'), '--list-files']);
    expect(preview.warnings).toEqual([expect.stringMatching(/Scene\/Rigid Body World is a simulation that is not baked.*troupe bake unbaked\.blend.*then render unbaked\.baked\.blend/)]);
    const view = await a.cli<JobView>(['render', shot('unbaked.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'unbaked'), '--no-wait']);
    expect(blender(view)?.warnings.join(' ')).toMatch(/Rigid Body World is a simulation that is not baked/); // shown by troupe render and the app's job view
    await a.cli(['cancel', view.jobId]);
    // Baked, nothing to say (the bake test renders one).
    const particles = await a.cli<{ warnings: string[] }>(['render', shot('particles.blend'), '--list-files']);
    expect(particles.warnings.join(' ')).not.toMatch(/not baked/);
  });

  it("a .blend naming private and system files is refused, each by name, and none of their bytes is stored", async () => {
    const before = (await a.cli<JobView[]>(['jobs'])).length;
    const refused = await refusal(['render', shot('hostile.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'hostile')]);
    expect(refused).toContain(art('home', '.ssh', 'id_rsa'));
    expect(refused).toContain(art('home', 'notes.txt'));
    expect(refused).toMatch(/\/proc\/self\/environ is a system file/);
    expect(refused).toMatch(/\/dev\/zero is a system file/);
    expect(refused).toMatch(/pipe\.png is not a regular file/);
    expect(refused).toMatch(/linked\/notes\.txt is outside the project folder .*it is a link to/);
    expect(await a.cli<JobView[]>(['jobs'])).toHaveLength(before);
    // Not one byte of the private files went into the store teammates fetch from.
    const stored = readdirSync(join(a.dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    const secret = readFileSync(art('home', '.ssh', 'id_rsa'));
    for (const e of stored) expect(readFileSync(join(e.parentPath, e.name)).includes(secret), e.name).toBe(false);
  });

  it('a file outside the project goes only once the user approves that very file, under _outside/', async () => {
    const refused = await refusal(['render', shot('outside.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'outside-refused')]);
    expect(refused).toContain(art('home', 'notes.txt'));
    const view = await a.cli<JobView>(['render', shot('outside.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'outside'), '--allow-file', art('home', 'notes.txt')]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    expect(view.submission.assets.map((x) => x.name)).toContain('_outside/notes.txt');
  });

  it('a missing frame of a sequence: refused by name, or sent with --allow-missing and warned of on the job', async () => {
    for (const part of ['sequence.blend', 'tex']) cpSync(art('project', 'shot', part), art('project', 'shot-missing', part), { recursive: true });
    rmSync(art('project', 'shot-missing', 'tex', 'seq_0003.png'));
    const file = art('project', 'shot-missing', 'sequence.blend');
    const refused = await refusal(['render', file, '--frames', '1-4', '--out', join(bed.root, 'out', 'missing-refused')]);
    expect(refused).toContain(art('project', 'shot-missing', 'tex', 'seq_0003.png'));
    // Frames 1-2 never show frame 3's image: nothing is missing for them.
    const fine = await a.cli<JobView>(['render', file, '--frames', '1-2', '--out', join(bed.root, 'out', 'missing-fine')]);
    expect(fine.state, fine.errors.join('; ')).toBe('done');
    const view = await a.cli<JobView>(['render', file, '--frames', '1-4', '--out', join(bed.root, 'out', 'missing-allowed'), '--allow-missing']);
    expect(view.state, view.errors.join('; ')).toBe('done');
    expect(view.warnings.join(' ')).toMatch(/seq_0003\.png is missing on this machine/);
    expect(blender(view)?.warnings.join(' ')).toMatch(/missing and the job was allowed to go without them.*seq_0003\.png/);
  });

  it('a scene denoising with OpenImageDenoise, which no machine here has: refused with the switch, then rendered without it', async () => {
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', shot('udim.blend'), '--python-expr',
      `import bpy; bpy.context.scene.cycles.use_denoising = True; bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(shot('denoised.blend'))})`], { timeout: ENGINE_PATIENCE_MS });
    const refused = await refusal(['render', shot('denoised.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'denoised-refused')]);
    expect(refused).toMatch(/OpenImageDenoise, and no machine on your team has a Blender built with it.*--no-denoise/);
    const view = await a.cli<JobView>(['render', shot('denoised.blend'), '--frames', '1-2', '--out', join(bed.root, 'out', 'denoised'), '--no-denoise']);
    expect(view.state, view.errors.join('; ')).toBe('done');
    expect(blender(view)?.warnings.join(' ')).toMatch(/Rendered without Cycles render denoising.*as asked/);
    expect(view.warnings.join(' ')).toMatch(/Rendered without Cycles render denoising/);
  });

  it('a multilayer-EXR still with view layers, a compositor blur and a stamp, in regions: stitched layer by layer, every pass as a local render', async () => {
    const file = shot('layered-still.blend');
    const out = join(bed.root, 'out', 'layered');
    const view = await a.cli<JobView>(['render', file, '--frames', '1-1', '--regions', '--out', out]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    const { tasks } = await job(a, view.jobId);
    expect(tasks.filter((t) => t.kind === 'bucket').length).toBeGreaterThan(1);
    expect(tasks.some((t) => t.taskId.endsWith(':stitch1'))).toBe(true);
    expect(view.warnings.join(' ')).not.toMatch(/compositor/); // it runs once, on the whole frame
    const alone = (await renderAlone(file, [1], join(bed.root, 'alone', 'layered'), 0)).get(1)!;
    const [made] = readdirSync(out);
    const stitched = join(out, made!);
    expect(readExrPasses(stitched).sort()).toEqual(readExrPasses(alone).sort());
    const diffs = await passDifferences(file, alone, stitched, 64, 36);
    expect(Object.keys(diffs)).toEqual(expect.arrayContaining(['ViewLayer.Combined', 'ViewLayer.Depth', 'Background.Normal']));
    expect(diffs).toEqual(Object.fromEntries(Object.keys(diffs).map((k) => [k, 0])));
  });

  it('a still rendered whole on one machine (--whole) equals a local render of that frame', async () => {
    const view = await renderMatchesAlone(shot('udim.blend'), [1, 1], ['--whole']);
    expect(blender(view)?.wholeFrame).toBe(true);
    expect((await job(a, view.jobId)).tasks.map((t) => t.taskId.split(':')[1])).toEqual(['f1']);
  });
});
