// Blender on a team of two real agents (network namespaces as root, else loopback) with Debian's
// Blender: an animation in frame chunks over both machines equal, pixel for pixel, to one Blender
// rendering it alone; a .blend with a missing texture refused with the file's name before any
// task. Scenes are made at run time by assets/blender/make_test_scenes.py (64x36, a few samples).

import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';
import { blenderAssetsDir } from '../../electron/agent/engines/blender/blender-assets.js';
import { BlenderSession } from '../../electron/agent/engines/blender/blender-session.js';
import { decodePng } from '../../electron/agent/engines/builtin-render/png-decode.js';
import { Testbed, type AgentProcess } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';

const BLENDER = '/usr/bin/blender';
const HAVE_BLENDER = existsSync(BLENDER);
const run = promisify(execFile);

const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;
const scene = (name: string): string => join(bed.root, 'scenes', name);
const job = (agent: AgentProcess, id: string) => agent.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const doneBy = (tasks: TaskView[]) => new Set(tasks.flatMap((t) => t.attempts.filter((x) => x.outcome === 'done').map((x) => x.workerId)));
const pixels = (path: string) => Buffer.from(decodePng(readFileSync(path), path).rgba);

/** One Blender alone renders these frames of the file: what the team's frames must equal. */
async function renderAlone(file: string, frames: number[], out: string, ditherIntensity?: number): Promise<Map<number, string>> {
  const { session } = await BlenderSession.start({ blenderPath: BLENDER, blendFile: file, threads: 1 });
  try {
    const done = await session.run('render_frames', { frames, output: join(out, 'frame_####'), ...(ditherIntensity === undefined ? {} : { ditherIntensity }) });
    return new Map(done.result.frames.map((f) => [f.frame, f.path]));
  } finally {
    await session.quit();
  }
}

/** A copy of a test scene with more samples: its tasks take long enough to share and to kill. */
const heavier = (from: string, to: string, samples: number) =>
  run(BLENDER, ['-b', '--factory-startup', '-noaudio', scene(from), '--python-expr',
    `import bpy; bpy.context.scene.cycles.samples = ${samples}; bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(scene(to))})`], { timeout: 60_000 });

describe.skipIf(!HAVE_BLENDER)(`Blender on a team of two (${bed.mode})`, () => {
  beforeAll(async () => {
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', '--python', join(blenderAssetsDir(), 'make_test_scenes.py'), '--', join(bed.root, 'scenes')], { timeout: 120_000 });
    await heavier('animation.blend', 'heavy.blend', 600); // a task surely mid-render when its Blender is killed
    await heavier('still.blend', 'still-heavy.blend', 256); // regions worth sharing between two machines
    const hosts = [bed.addHost(), bed.addHost()];
    [a, b] = [bed.agent(hosts[0]!, 'alpha'), bed.agent(hosts[1]!, 'beta')];
    await Promise.all([a.start(), b.start()]);
    await a.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as unknown[]).length >= 1, 5000);
    await pair(a, b);
    type Member = { self: boolean; online: boolean; capacity: { engines?: { id: string; version: string | null }[] } | null };
    await eventually(() => a.cli<{ members: Member[] }>(['team']).members
      .some((m) => !m.self && m.online && m.capacity?.engines?.some((e) => e.id === 'blender' && e.version === '3.4')), 15_000, 'beta advertising blender/3.4');
  }, 240_000);
  afterAll(() => bed.destroy());

  it('a 6-frame animation rendered across both agents equals, pixel for pixel, one Blender rendering it alone', async () => {
    const out = join(bed.root, 'anim-team');
    const view = a.cli<JobView>(['render', scene('animation.blend'), '--out', out]);
    expect(view.state, view.errors.join('; ')).toBe('done');
    const names = ['frame_0001.png', 'frame_0002.png', 'frame_0003.png', 'frame_0004.png', 'frame_0005.png', 'frame_0006.png'];
    expect(view.outputs).toEqual(names);
    expect(readdirSync(out).sort()).toEqual(names);
    const workers = doneBy(job(a, view.jobId).tasks);
    expect(workers, 'both machines rendered frames').toEqual(new Set([a.deviceId, b.deviceId]));
    const alone = await renderAlone(scene('animation.blend'), [1, 2, 3, 4, 5, 6], join(bed.root, 'anim-alone'));
    for (const [frame, path] of alone) expect(pixels(join(out, names[frame - 1]!)).equals(pixels(path)), `frame ${frame}`).toBe(true);
  }, 240_000);

  it('a .blend whose texture is missing is refused, naming the file, before any task exists', () => {
    const before = a.cli<JobView[]>(['jobs']).length;
    const refused = a.cliResult(['render', scene('missing-texture.blend'), '--out', join(bed.root, 'missing')]);
    expect(refused.ok).toBe(false);
    expect(JSON.stringify(refused.value)).toContain(scene('textures/missing.png'));
    expect(a.cli<JobView[]>(['jobs'])).toHaveLength(before);
  }, 60_000);
});
