// `npm run bench:events`: what following a big job costs the agent. One agent (in a network
// namespace) renders a 10,000-task job of tiny frames (the built-in renderer, a few triangles at
// 8x8 pixels, 1 sample) on its own cores, twice in one run:
//   alone      nothing follows the job but the agent's own event log
//   followed   the app's event stream is open (a client taking every event, as the desktop app
//              does) and `troupe render` follows the job it submitted
// Printed: the agent's CPU seconds per 1000 tasks done in each (tasks 100 to 400 of the job),
// and what following adds (issue 19: before and after events are pushed, not recomputed).

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { JobView } from '../../shared/control-api/index.js';
import { writeTestScene } from '../integration/harness/scenes.js';
import { REPO_ROOT, Testbed, type AgentProcess } from '../integration/harness/testbed.js';

const FRAMES = 10_000;
const FROM_TASK = 100;
const TO_TASK = 400;
const TICKS_PER_S = 100; // USER_HZ on Linux

/** The agent process's CPU time (user + system, all its threads) in seconds. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

/** The newest tasksDone of a job, from the agent's event log. */
function tasksDone(agent: AgentProcess, jobId: string): number {
  for (let i = agent.events.length - 1; i >= 0; i--) {
    const e = agent.events[i]!;
    if (e.type === 'jobChanged' && (e.job as JobView).jobId === jobId) return (e.job as JobView).tasksDone;
  }
  return 0;
}

async function until(test: () => boolean, what: string, limitMs = 1_800_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU seconds per 1000 tasks while tasks FROM_TASK to TO_TASK of the job are done. */
async function measure(agent: AgentProcess, jobId: string): Promise<number> {
  await until(() => tasksDone(agent, jobId) >= FROM_TASK, `task ${FROM_TASK}`);
  const [cpu0, done0] = [cpuSeconds(agent.pid!), tasksDone(agent, jobId)];
  await until(() => tasksDone(agent, jobId) >= TO_TASK, `task ${TO_TASK}`);
  console.error(`  measured tasks ${done0}-${tasksDone(agent, jobId)}`);
  const [cpu1, done1] = [cpuSeconds(agent.pid!), tasksDone(agent, jobId)];
  return ((cpu1 - cpu0) / (done1 - done0)) * 1000;
}

const renderArgs = (scene: string, out: string): string[] => ['render', scene, '--size', '8x8', '--samples', '1', '--frames', `1-${FRAMES}`, '--out', out];

async function main(): Promise<void> {
  const bed = new Testbed();
  const children: ChildProcess[] = [];
  try {
    // A few triangles: each frame costs the renderer little, so what is measured is the agent.
    const scene = join(bed.root, 'tiny.glb');
    await writeTestScene(scene, 4);
    // Each phase on an agent of its own: a cancelled 10,000-task job stays in a coordinator's memory.
    const alone = bed.agent(bed.addHost(), 'alone');
    await alone.start();
    // Alone: submitted and left to run; only the agent's own event log sees it.
    const aloneJob = await alone.cli<JobView>([...renderArgs(scene, join(bed.root, 'alone')), '--no-wait']);
    const aloneCpu = await measure(alone, aloneJob.jobId);
    await alone.cli(['cancel', aloneJob.jobId]);
    await alone.kill('SIGTERM');

    // Followed: the app's event stream, and `troupe render` following the job it submits.
    const a = bed.agent(bed.addHost(), 'followed');
    await a.start();
    const [cmd, ...argv] = a.host.wrap([process.execPath, join(REPO_ROOT, 'dist/test/bench/support/event-listener.js'), a.dataDir]);
    const app = spawn(cmd!, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(app);
    let appEvents = 0;
    app.stdout!.on('data', (chunk: Buffer) => (appEvents = Number(chunk.toString().trim().split('\n').pop())));
    const mark = a.events.length;
    const follower = a.spawnCli(renderArgs(scene, join(bed.root, 'followed')));
    children.push(follower);
    const submitted = await a.waitFor((e) => e.type === 'jobChanged', 60_000, mark);
    const followedId = (submitted.job as JobView).jobId;
    const eventsBefore = appEvents;
    const followedCpu = await measure(a, followedId);
    const appEventsPer1000 = ((appEvents - eventsBefore) / (TO_TASK - FROM_TASK)) * 1000;
    await a.cli(['cancel', followedId]);

    const fmt = (s: number): string => `${s.toFixed(2)} s`;
    console.log(`agent CPU per 1000 tasks of a ${FRAMES}-task job (tasks ${FROM_TASK}-${TO_TASK}, ${os.availableParallelism()} cores):`);
    console.log(`  alone     ${fmt(aloneCpu)}`);
    console.log(`  followed  ${fmt(followedCpu)}   (the app's event stream took ~${Math.round(appEventsPer1000)} events per 1000 tasks; troupe render following)`);
    console.log(`  following adds ${fmt(followedCpu - aloneCpu)} per 1000 tasks; followed/alone ${(followedCpu / aloneCpu).toFixed(2)}x`);
  } finally {
    children.forEach((c) => c.kill('SIGKILL'));
    await bed.destroy();
  }
}

await main();
