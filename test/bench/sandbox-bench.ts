// `npm run bench:sandbox`: what the engines' sandbox costs, each figure contained vs not in one
// run, alternating, so the ratio holds on a shared, noisy machine.
//   start-up   an engine process started and answering its first (trivial) task: the built-in
//              engines' Node process, and Blender (-b --factory-startup, an empty Python line)
//   per task   a built-in render of about 2 s (the test scene, 2 threads) in a kept-alive process,
//              contained vs not                               goal: under 2 % of the task
//   physics    a job's first task (a process started, Rapier loaded) and a kept-alive task: the
//              contained physics engine process vs a thread of the agent (as before 2.4)
// BENCH_ROUNDS (default 5) sets how many of each.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EngineHost, type EngineView } from '../../electron/agent/engines/engine-host.js';
import { BuiltinRenderer } from '../../electron/agent/engines/builtin-render/worker/builtin-renderer.js';
import { blenderSandboxPolicy } from '../../electron/agent/engines/blender/blender-engine.js';
import { PhysicsEngine } from '../../electron/agent/engines/physics/worker/physics-engine.js';
import { PhysicsThread } from '../../electron/agent/engines/physics/worker/physics-runner.js';
import type { PhysicsEngineRequest } from '../../electron/agent/engines/physics/worker/physics-service.js';
import type { PhysicsTask } from '../../electron/agent/engines/physics/worker/physics-task.js';
import { platformSandbox } from '../../electron/agent/sandbox/platform-sandbox.js';
import { writeTestScene } from '../integration/harness/scenes.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BLENDER = process.env.BLENDER ?? '/usr/bin/blender';
const run = promisify(execFile);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number): string => `${x.toFixed(0)} ms`;
const signed = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(0)} ms`;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function main(): Promise<void> {
  const sandbox = platformSandbox();
  console.log(`sandbox here: ${sandbox.containment.mechanism}`);
  if (sandbox.containment.notContained.length) console.log(`  not contained: ${sandbox.containment.notContained.join('; ')}`);
  const root = mkdtempSync(join(tmpdir(), 'troupe-sandbox-bench-'));
  const jobDir = join(root, 'job');
  const outputDir = join(root, 'out');
  for (const d of [jobDir, outputDir]) mkdirSync(d, { recursive: true });
  const scene = join(jobDir, 'scene.glb');
  await writeTestScene(scene);
  const view: EngineView = { readable: [jobDir], writable: [outputDir] };
  try {
    // Start-up: a fresh host each round, so each measures a process start and its first answer.
    const child = new URL('../integration/harness/escape-engine-child.js', import.meta.url);
    const nodeStart = { contained: [] as number[], open: [] as number[] };
    for (let i = 0; i < ROUNDS; i++) {
      for (const contained of [true, false]) {
        const host = new EngineHost({ label: 'bench', entry: child, memoryLimitBytes: 2 ** 30, heapLimitMb: 256 });
        nodeStart[contained ? 'contained' : 'open'].push(await timed(() => host.run({ kind: 'env' }, contained ? { view } : {})));
        await host.close();
      }
    }
    console.log(`start-up, the built-in engines' process: contained ${ms(median(nodeStart.contained))}, not ${ms(median(nodeStart.open))} (${signed(median(nodeStart.contained) - median(nodeStart.open))})`);

    if (existsSync(BLENDER)) {
      const blender = { contained: [] as number[], open: [] as number[] };
      const args = ['-b', '--factory-startup', '--disable-autoexec', '-noaudio', '--python-expr', 'pass'];
      const policy = blenderSandboxPolicy(BLENDER, { jobDir, outputDir, inputs: [scene], memoryBytes: 2 ** 31 });
      for (let i = 0; i < ROUNDS; i++) {
        const launch = sandbox.launch(BLENDER, args, policy);
        blender.contained.push(await timed(() => run(launch.command, launch.args, { env: launch.env })));
        launch.dispose();
        blender.open.push(await timed(() => run(BLENDER, args)));
      }
      console.log(`start-up, Blender (to exit): contained ${ms(median(blender.contained))}, not ${ms(median(blender.open))} (${signed(median(blender.contained) - median(blender.open))})`);
    }

    // Per task: two kept-alive renderers, one contained; tasks alternate between them.
    const renderers = { contained: new BuiltinRenderer({ threads: 2 }), open: new BuiltinRenderer({ threads: 2 }) };
    const settings = { width: 320, height: 240, samplesPerPixel: 48, seed: 1, frame: 1, fps: 24 };
    const region = { x: 0, y: 0, width: 320, height: 240 };
    const task = (contained: boolean, n: number) =>
      renderers[contained ? 'contained' : 'open'].renderToFile(scene, { ...settings, seed: n }, region, { path: join(outputDir, `f${n}.png`), format: 'png' }, contained ? { view } : {});
    await task(true, 0); // each loads the scene once
    await task(false, 0);
    const per = { contained: [] as number[], open: [] as number[] };
    for (let i = 1; i <= ROUNDS; i++) {
      per.contained.push(await timed(() => task(true, i)));
      per.open.push(await timed(() => task(false, i)));
    }
    const c = median(per.contained);
    const o = median(per.open);
    console.log(`per task (a ${(o / 1000).toFixed(1)} s render, kept-alive process): contained ${ms(c)}, not ${ms(o)}: ${(((c - o) / o) * 100).toFixed(1)} % (goal < 2 %)`);
    await renderers.contained.close();
    await renderers.open.close();

    await physics(jobDir, outputDir, view);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The physics engine's process (contained) against a thread of this process, as the agent ran physics before. */
async function physics(jobDir: string, outputDir: string, view: EngineView): Promise<void> {
  const scenePath = join(jobDir, 'tower.glb');
  copyFileSync(new URL('../../../assets/physics/tower-and-ball.glb', import.meta.url), scenePath);
  const steps = Number(process.env.BENCH_PHYSICS_STEPS ?? 1200);
  const physicsTask: PhysicsTask = { scenePath, settings: { dtSeconds: 1 / 60, substeps: 2, steps, gravity: [0, -9.81, 0], fps: 60 }, writeGlb: true };
  const request = (n: number): PhysicsEngineRequest => ({
    task: physicsTask,
    variant: { index: n, label: '' },
    sceneName: 'tower.glb',
    outputs: { summary: join(outputDir, `s${n}.json`), glb: join(outputDir, `p${n}.glb`) },
  });
  const inThread = async (thread: PhysicsThread, n: number): Promise<void> => {
    const result = await thread.run(physicsTask);
    await writeFile(join(outputDir, `t${n}.glb`), result.glb!);
    await writeFile(join(outputDir, `t${n}.json`), JSON.stringify(result.summary));
  };
  const first = { contained: [] as number[], open: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    const engine = new PhysicsEngine();
    const thread = new PhysicsThread();
    first.contained.push(await timed(() => engine.host.run(request(0), { view })));
    first.open.push(await timed(() => inThread(thread, 0)));
    await engine.close();
    await thread.close();
  }
  // Kept alive, as a job's tasks find them: warmed first (the first tasks compile the reader and
  // Rapier's glue in either place), then tasks alternate between the two.
  const engine = new PhysicsEngine();
  const thread = new PhysicsThread();
  for (let i = 0; i < 4; i++) {
    await engine.host.run(request(i), { view });
    await inThread(thread, i);
  }
  const per = { contained: [] as number[], open: [] as number[] };
  for (let i = 0; i < ROUNDS * 2; i++) {
    per.contained.push(await timed(() => engine.host.run(request(i), { view })));
    per.open.push(await timed(() => inThread(thread, i)));
  }
  await engine.close();
  await thread.close();
  const [fc, fo, c, o] = [median(first.contained), median(first.open), median(per.contained), median(per.open)];
  console.log(`physics, a job's first task (process or thread started, Rapier loaded): contained process ${ms(fc)}, agent thread ${ms(fo)} (${signed(fc - fo)})`);
  console.log(`physics, per task (a ${ms(o)} run of ${steps} steps, kept alive and warm): contained process ${ms(c)}, agent thread ${ms(o)}: ${signed(c - o)}, ${(((c - o) / 2000) * 100).toFixed(1)} % of a 2 s task (goal < 2 %)`);
}

await main();
