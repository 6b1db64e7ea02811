// `npm run bench:blender-files`: what sending a .blend with its files costs, each figure beside its
// reference in the same run (this machine is shared and noisy):
//   submit       a scene naming 300 MB of textures (30 files of 10 MB): `troupe render --no-wait`
//                until the job exists (Blender reads the file, every file is checked, hashed and
//                stored), against copying the same 300 MB with cp                (issue 18: was 5.5 s)
//   first frame  a 2-agent team, the teammate pinned to one core renders: from submit to its first
//                frame stored, against `blender -b FILE -f 1` on one core   (issue 18: 10.5 s vs 2.85 s)
// `--submit` or `--first-frame` runs one of them.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JobView, TaskView } from '../../shared/control-api/index.js';
import { blenderAssetsDir } from '../../electron/agent/engines/blender/blender-assets.js';
import { Testbed } from '../integration/harness/testbed.js';
import { pairedTeamOfTwo } from '../integration/harness/team-helpers.js';

const BLENDER = process.env.BLENDER ?? '/usr/bin/blender';
const TEXTURES = 30;
const TEXTURE_BYTES = 10 * 1024 * 1024;
const run = promisify(execFile);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

async function benchSubmit(dir: string): Promise<void> {
  const project = join(dir, 'heavy');
  mkdirSync(join(project, 'tex'), { recursive: true });
  // Incompressible bytes: the cost is reading and hashing them, never decoding (Blender loads no image to list it).
  for (let i = 0; i < TEXTURES; i++) writeFileSync(join(project, 'tex', `t${i}.png`), randomBytes(TEXTURE_BYTES));
  const blend = join(project, 'heavy.blend');
  // Absolute paths here; saving beside them stores them relative (//tex/...), as Blender does for artists.
  const images = Array.from({ length: TEXTURES }, (_, i) => `i = bpy.data.images.new('t${i}', 4, 4); i.source = 'FILE'; i.filepath = ${JSON.stringify(join(project, 'tex', `t${i}.png`))}; i.use_fake_user = True`).join('\n');
  await run(BLENDER, ['-b', join(dir, 'animation.blend'), '--factory-startup', '-noaudio', '--python-expr', `import bpy\n${images}\nbpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(blend)})`], { timeout: 120_000 });
  const bed = new Testbed();
  try {
    const a = bed.agent(bed.addHost(), 'alpha');
    await a.start();
    const copyMs = await timed(() => run('cp', ['-r', project, join(dir, 'heavy-copy')]));
    // Only the submit is timed: each job is cancelled after its clock stopped.
    const submit = async (out: string): Promise<number> => {
      let jobId = '';
      const ms = await timed(async () => {
        jobId = (await a.cli<JobView>(['render', blend, '--frames', '1-2', '--out', join(bed.root, out), '--no-wait'])).jobId;
      });
      await a.cli(['cancel', jobId]);
      return ms;
    };
    const submitMs = await submit('out');
    // Again: the blobs are stored already, only reading and hashing remain.
    const againMs = await submit('out2');
    // What no submit can avoid: the CLI starting, and Blender opening the file.
    const cliMs = await timed(() => a.cli(['status']));
    const blenderMs = await timed(() => run(BLENDER, ['-b', blend, '--factory-startup', '-noaudio', '--python-expr', 'pass'], { timeout: 120_000 }));
    console.log(`submit ${TEXTURES} textures, ${(TEXTURES * TEXTURE_BYTES) / 2 ** 20} MiB: ${seconds(submitMs)} (again, stored already: ${seconds(againMs)}); cp -r of the same: ${seconds(copyMs)}; ratio submit/cp ${(submitMs / copyMs).toFixed(1)}x   (issue 18 before: 5.5 s)`);
    console.log(`  of which no submit avoids: the CLI answering \`troupe status\` ${seconds(cliMs)}, Blender opening the file and quitting ${seconds(blenderMs)}`);
  } finally {
    await bed.destroy();
  }
}

async function benchFirstFrame(dir: string): Promise<void> {
  const blend = join(dir, 'first-frame.blend');
  await run(BLENDER, ['-b', join(dir, 'animation.blend'), '--factory-startup', '-noaudio', '--python-expr',
    `import bpy; s = bpy.context.scene; s.render.resolution_x, s.render.resolution_y = 320, 180; s.cycles.samples = 64; s.cycles.use_adaptive_sampling = False; s.frame_end = 8; bpy.ops.wm.save_as_mainfile(filepath=${JSON.stringify(blend)})`], { timeout: 120_000 });
  const localMs = await timed(() => run('taskset', ['-c', '1', BLENDER, '-b', '--factory-startup', '--disable-autoexec', '-noaudio', '-t', '1', blend, '-o', join(dir, 'local_####'), '-f', '1'], { timeout: 300_000 }));
  const bed = new Testbed();
  try {
    const [a] = await pairedTeamOfTwo(bed, { engine: 'blender', pinned: true });
    await a.cli(['share', 'off']); // the one-core teammate renders
    const mark = a.events.length;
    const started = Date.now();
    const job = await a.cli<JobView>(['render', blend, '--out', join(bed.root, 'team'), '--no-wait']);
    await a.waitFor((e) => e.type === 'jobChanged' && (e.job as JobView).jobId === job.jobId && (e.job as JobView).tasksDone >= 1, 600_000, mark);
    const firstMs = Date.now() - started;
    const view = await a.cli<{ job: JobView; tasks: TaskView[] }>(['job', job.jobId]);
    const first = view.tasks.find((t) => t.state === 'done');
    await a.cli(['cancel', job.jobId]);
    console.log(`first frame on a one-core teammate: ${seconds(firstMs)} from submit (its task: ${first?.frames.length ?? '?'} frame(s)); blender -f 1 on one core: ${seconds(localMs)}; ratio ${(firstMs / localMs).toFixed(1)}x   (issue 18 before: 10.5 s vs 2.85 s)`);
  } finally {
    await bed.destroy();
  }
}

async function main(): Promise<void> {
  if (!existsSync(BLENDER)) throw new Error(`no Blender at ${BLENDER} (set BLENDER=...)`);
  const only = process.argv.slice(2);
  const dir = mkdtempSync(join(tmpdir(), 'troupe-blender-files-bench-'));
  try {
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', '--python', join(blenderAssetsDir(), 'make_test_scenes.py'), '--', dir], { timeout: 120_000 });
    if (only.length === 0 || only.includes('--submit')) await benchSubmit(dir);
    if (only.length === 0 || only.includes('--first-frame')) await benchFirstFrame(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
