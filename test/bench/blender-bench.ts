// Blender's per-task overhead, kept-alive session vs a fresh process per task, on a 24-frame
// animation of a simple scene (one frame a task), measured in one run so the ratio holds on a
// shared, noisy machine. Build, then: node dist/test/bench/blender-bench.js
//   overhead = a task's wall time - the frame's render time as Blender reports it in the warm session
//   goal: kept-alive overhead under 10 % of render time (the frames here are tiny: read the ms)

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { blenderAssetsDir } from '../../electron/agent/engines/blender/blender-assets.js';
import { BlenderSession } from '../../electron/agent/engines/blender/blender-session.js';

const BLENDER = process.env.BLENDER ?? '/usr/bin/blender';
const FRAMES = Array.from({ length: 24 }, (_, i) => i + 1);
const run = promisify(execFile);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Blender's own render time of a frame: "Time: 00:00.27 (Saving: 00:00.00)" after each one. */
function renderSeconds(lines: string[]): number {
  const times = lines.flatMap((line) => {
    const m = /^\s*Time: (?:(\d+):)?(\d+):(\d+\.\d+)/.exec(line);
    return m ? [Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3])] : [];
  });
  if (times.length === 0) throw new Error('Blender printed no render time');
  return sum(times);
}

async function keptAlive(blend: string, out: string): Promise<{ wallS: number; renderS: number; startS: number }> {
  const started = performance.now();
  const { session } = await BlenderSession.start({ blenderPath: BLENDER, blendFile: blend, threads: 1 });
  const startS = (performance.now() - started) / 1000;
  let wallS = 0;
  let renderS = 0;
  try {
    for (const frame of FRAMES) {
      const task = await session.run('render_frames', { frames: [frame], output: join(out, 'kept_####') });
      wallS += task.elapsedMs / 1000;
      renderS += renderSeconds(task.log);
    }
  } finally {
    await session.quit();
  }
  return { wallS, renderS, startS };
}

async function freshProcesses(blend: string, out: string): Promise<{ wallS: number; renderS: number }> {
  let wallS = 0;
  let renderS = 0;
  for (const frame of FRAMES) {
    const started = performance.now();
    const args = [
      '-b',
      '--factory-startup',
      '--disable-autoexec',
      '-noaudio',
      '-t',
      '1',
      blend,
      '-o',
      join(out, 'fresh_####'),
      '-f',
      String(frame),
    ];
    const { stdout } = await run(BLENDER, args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
    wallS += (performance.now() - started) / 1000;
    renderS += renderSeconds(stdout.split('\n'));
  }
  return { wallS, renderS };
}

async function main(): Promise<void> {
  if (!existsSync(BLENDER)) throw new Error(`no Blender at ${BLENDER} (set BLENDER=...)`);
  const dir = mkdtempSync(join(tmpdir(), 'troupe-blender-bench-'));
  try {
    await run(BLENDER, ['-b', '--factory-startup', '-noaudio', '--python', join(blenderAssetsDir(), 'make_test_scenes.py'), '--', dir], {
      timeout: 120_000,
    });
    const blend = join(dir, 'animation.blend');
    const fresh = await freshProcesses(blend, dir);
    const kept = await keptAlive(blend, dir);
    // A fresh Blender's reported render time includes its first-render work (kernel loading,
    // scene sync), so the warm session's render time is the pure reference for both.
    const perTaskMs = (wallS: number): number => ((wallS - kept.renderS) / FRAMES.length) * 1000;
    const renderMs = (kept.renderS / FRAMES.length) * 1000;
    const keptOverheadMs = perTaskMs(kept.wallS);
    const freshOverheadMs = perTaskMs(fresh.wallS);
    console.log(
      `blender ${FRAMES.length} frames, 64x36, Cycles 4 samples, 1 thread, one frame a task; render ${renderMs.toFixed(0)} ms/frame`,
    );
    console.log(
      `  fresh process: ${fresh.wallS.toFixed(1)} s wall, overhead ${freshOverheadMs.toFixed(0)} ms/task (Blender's own "Time:" sums to ${fresh.renderS.toFixed(1)} s)`,
    );
    console.log(
      `  kept alive:    ${kept.wallS.toFixed(1)} s wall, overhead ${keptOverheadMs.toFixed(0)} ms/task (${((100 * keptOverheadMs) / renderMs).toFixed(0)} % of this tiny render), plus ${kept.startS.toFixed(1)} s once to start`,
    );
    console.log(
      `  overhead ratio fresh / kept alive: ${(freshOverheadMs / keptOverheadMs).toFixed(0)}x; whole job ${(fresh.wallS / (kept.wallS + kept.startS)).toFixed(1)}x faster kept alive`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
