// Owns the job subcommands of `troupe`: render (with a progress bar), jobs, job, cancel, pause,
// resume. Paths are made absolute here: the agent reads files the user named from this folder.

import { resolve } from 'node:path';
import { TroupeError } from '../../shared/errors.js';
import type { JobView, SubmitJobRequest, VariantRow } from '../../shared/control-api/index.js';
import { PHYSICS_ENGINE } from '../../shared/model/engine-ids.js';
import { flagInt, flagString, type ParsedArgs } from './args.js';
import type { ControlClient } from './control-client.js';

type Command = (client: ControlClient, rest: string[], args: ParsedArgs) => Promise<void>;

function parseFrames(text: string): { frameStart: number; frameEnd: number } {
  const m = /^(-?\d+)(?:-(-?\d+))?$/.exec(text.trim());
  if (!m) throw new TroupeError('bad-request', `--frames takes a frame or a range like 1-48, not "${text}"`);
  return { frameStart: Number(m[1]), frameEnd: Number(m[2] ?? m[1]) };
}

function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/i.exec(text.trim());
  if (!m) throw new TroupeError('bad-request', `--size takes WIDTHxHEIGHT, like 1280x720, not "${text}"`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

/** The job's bar: done tasks, plus the running ones' progress as a share of a task each. */
function bar(job: JobView, running: number[]): string {
  const width = 30;
  const partly = running.reduce((sum, p) => sum + p, 0);
  const done = job.tasksTotal ? Math.min(width, Math.round(((job.tasksDone + partly) / job.tasksTotal) * width)) : 0;
  const now = running.length ? `  (${running.length} running: ${running.slice(0, 4).map((p) => `${Math.round(p * 100)}%`).join(', ')}${running.length > 4 ? ', ...' : ''})` : '';
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${job.tasksDone}/${job.tasksTotal} tasks  ${job.state}${now}`;
}

function describeJob(job: JobView): string {
  if (job.submission.engine === PHYSICS_ENGINE) {
    const p = job.submission.physics;
    const what = p.job === 'wedge' ? `${p.variants.length} variants` : `bake in ${job.tasksTotal - 1} chunks`;
    return `${job.jobId}  ${job.submission.name.padEnd(16)} ${job.state.padEnd(9)} ${job.tasksDone}/${job.tasksTotal} tasks  physics ${what}, ${p.settings.totalSteps} steps of ${p.settings.dtSeconds.toFixed(4)} s`;
  }
  const s = job.submission.settings;
  const frames = s.frameStart === s.frameEnd ? `frame ${s.frameStart}` : `frames ${s.frameStart}-${s.frameEnd}`;
  return `${job.jobId}  ${job.submission.name.padEnd(16)} ${job.state.padEnd(9)} ${job.tasksDone}/${job.tasksTotal} tasks  ${frames}  ${s.width}x${s.height} ${s.samplesPerPixel} spp`;
}

/** Followers also ask for the job's summary this often: an event lost with a dropped stream cannot leave one waiting. */
const FOLLOW_CHECK_MS = 5000;

const ended = (job: JobView): boolean => job.state === 'done' || job.state === 'failed' || job.state === 'cancelled';

/**
 * Follows a job on the agent's event stream until it ends: the job's summary as it changes, and
 * its running tasks' progress. (Polling the whole job, every task of it, twice a second cost the
 * agent more than the render it followed on a 10,000-task job.)
 */
async function follow(client: ControlClient, first: JobView, json: boolean): Promise<JobView> {
  const tty = process.stdout.isTTY && !json;
  let job = first;
  let last = '';
  const running = new Map<string, number>(); // running tasks' progress, 0..1
  const show = (): void => {
    const line = bar(job, [...running.values()]);
    if (tty) process.stdout.write(`\r${line}`);
    else if (!json && line !== last) console.log(line);
    last = line;
  };
  const final = await new Promise<JobView>((resolveFinal, reject) => {
    let settled = false;
    const take = (view: JobView): void => {
      if (view.jobId !== job.jobId || settled) return;
      job = view;
      if (ended(view)) finish();
      else show();
    };
    const finish = (): void => {
      settled = true;
      unsubscribe();
      clearInterval(check);
      resolveFinal(job);
    };
    const unsubscribe = client.subscribe((event) => {
      if (event.type === 'jobChanged') take(event.job);
      else if (event.type === 'taskChanged' && event.jobId === job.jobId) {
        const attempt = event.task.attempts.find((a) => a.outcome === 'running' && a.progress);
        if (event.task.state === 'running' && attempt?.progress) running.set(event.task.taskId, attempt.progress.done / attempt.progress.total);
        else running.delete(event.task.taskId);
      }
    }, (state) => {
      if (state === 'open') void client.call('jobSummary', { jobId: job.jobId }).then(take, () => undefined); // what happened before the stream opened
    });
    const check = setInterval(() => void client.call('jobSummary', { jobId: job.jobId }).then(take, (err: unknown) => {
      if (settled) return;
      settled = true;
      unsubscribe();
      clearInterval(check);
      reject(err);
    }), FOLLOW_CHECK_MS);
    show();
  });
  if (tty) process.stdout.write(`\r${bar(final, [])}\n`);
  return final;
}

/** A .blend's job: Blender on the teammates renders it with the scene's own settings. */
function blenderBody(job: 'render' | 'bake', scene: string, args: ParsedArgs): SubmitJobRequest {
  const body: SubmitJobRequest = { engine: 'blender', job, scenePath: resolve(scene), anyBlenderVersion: args.flags.has('any-blender') };
  if (args.flags.has('name')) body.name = flagString(args, 'name');
  if (args.flags.has('project')) body.projectRoot = resolve(flagString(args, 'project')!);
  const approved = args.repeated.get('allow-file');
  if (approved) body.allowFiles = approved.map((f) => resolve(f));
  if (args.flags.has('allow-missing')) body.allowMissing = true;
  if (args.flags.has('no-denoise')) body.denoising = 'off';
  const device = flagString(args, 'device');
  if (device !== undefined) {
    if (device !== 'cpu' && device !== 'gpu' && device !== 'any') throw new TroupeError('bad-request', `--device takes cpu, gpu or any, not "${device}"`);
    body.device = device;
  }
  if (args.flags.has('whole') && args.flags.has('regions')) throw new TroupeError('bad-request', 'Choose --whole or --regions for a still, not both');
  if (args.flags.has('whole')) body.stillMode = 'whole';
  if (args.flags.has('regions')) body.stillMode = 'regions';
  if (job === 'bake') {
    if (args.flags.has('out')) body.outputPath = resolve(flagString(args, 'out')!);
    return body;
  }
  if (args.flags.has('out')) body.outputDir = resolve(flagString(args, 'out')!);
  if (args.flags.has('frames')) {
    const frames = parseFrames(flagString(args, 'frames')!);
    Object.assign(body, frames, { still: frames.frameStart === frames.frameEnd });
  }
  return body;
}

/** What the job would send to teammates, file by file with sizes; no job is made. */
async function listFiles(client: ControlClient, body: SubmitJobRequest, args: ParsedArgs): Promise<void> {
  const preview = await client.call('previewJob', body);
  if (args.flags.has('json')) return console.log(JSON.stringify(preview));
  for (const f of preview.files) console.log(`${formatMiB(f.sizeBytes).padStart(12)}  ${f.name}`);
  console.log(`${formatMiB(preview.totalBytes).padStart(12)}  in ${preview.files.length} files go to teammates (nothing was sent)`);
  for (const w of preview.warnings) console.log(`  warning: ${w}`);
}

function formatMiB(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

async function submitAndFollow(client: ControlClient, body: SubmitJobRequest, args: ParsedArgs): Promise<void> {
  const json = args.flags.has('json');
  const job = await client.call('submitJob', body);
  if (!json) {
    console.log(`Job ${job.jobId}: ${job.tasksTotal} tasks, ${job.submission.engine === 'builtin-render' ? 'images' : 'files'} go to ${job.submission.outputDir}`);
    const warnings = job.submission.engine === 'blender' ? job.submission.blender.warnings : job.submission.engine === 'physics' ? job.submission.physics.warnings : [];
    for (const w of warnings) console.log(`  warning: ${w}`);
  }
  if (args.flags.has('no-wait')) {
    if (json) console.log(JSON.stringify(job));
    return;
  }
  const final = await follow(client, job, json);
  if (json) console.log(JSON.stringify(final));
  else if (final.state === 'done') {
    console.log(`Done: ${final.outputs.length} ${final.submission.engine === 'builtin-render' ? 'image(s)' : 'file(s)'} in ${final.submission.outputDir}`);
    for (const w of final.warnings) console.log(`  warning: ${w}`);
    if (final.submission.engine === 'physics' && final.submission.physics.job === 'wedge') printVariants(await client.call('jobVariants', { jobId: final.jobId, sortKey: 'index' }));
  } else console.log(`Job ${final.state}${final.errors.length ? `:\n  ${final.errors.join('\n  ')}` : ''}`);
  if (final.state !== 'done') process.exitCode = 1;
}

/** A number flag that may be fractional (seconds, a step size), checked by the agent. */
function flagNumber(args: ParsedArgs, name: string): number | undefined {
  const v = flagString(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new TroupeError('bad-request', `--${name} takes a number, not "${v}"`);
  return n;
}

/** `troupe simulate scene.glb …`: a bake in time chunks, or with --wedge / --random one run per variant. */
function physicsBody(scene: string, args: ParsedArgs): SubmitJobRequest {
  const settings: Record<string, unknown> = {};
  for (const [flag, key] of [['dt', 'dtSeconds'], ['substeps', 'substeps'], ['seconds', 'durationSeconds'], ['steps', 'steps'], ['fps', 'fps']] as const) {
    const n = flagNumber(args, flag);
    if (n !== undefined) settings[key] = n;
  }
  if (args.flags.has('gravity')) {
    const g = flagString(args, 'gravity')!.split(',').map(Number);
    if (g.length !== 3 || g.some((x) => !Number.isFinite(x))) throw new TroupeError('bad-request', '--gravity takes x,y,z in m/s² (glTF: +Y is up), e.g. 0,-9.81,0');
    settings.gravity = g;
  }
  const body: SubmitJobRequest = { engine: 'physics', scenePath: resolve(scene), outputDir: resolve(flagString(args, 'out') ?? 'troupe-out'), settings };
  if (args.flags.has('name')) body.name = flagString(args, 'name');
  if (args.flags.has('wedge')) body.wedge = flagString(args, 'wedge');
  const random = flagInt(args, 'random');
  if (random !== undefined) body.random = { count: random, seed: flagInt(args, 'seed') ?? 1 };
  const chunk = flagInt(args, 'chunk-steps');
  if (chunk !== undefined) body.chunkSteps = chunk;
  if (args.flags.has('then-render')) {
    body.thenRender = { ...(args.flags.has('size') ? parseSize(flagString(args, 'size')!) : {}) };
    const samples = flagInt(args, 'samples');
    if (samples !== undefined) body.thenRender.samplesPerPixel = samples;
    if (args.flags.has('exr')) body.thenRender.format = 'exr';
  }
  return body;
}

function printVariants(rows: VariantRow[]): void {
  console.log('  variant  max speed  contacts  at rest   hash              file    (parameters)');
  for (const r of rows) {
    const rest = r.restSeconds === null ? 'moving' : `${r.restSeconds.toFixed(2)} s`;
    console.log(`  ${String(r.index).padStart(7)}  ${r.maxSpeed.toFixed(2).padStart(9)}  ${String(r.contacts).padStart(8)}  ${rest.padStart(8)}  ${r.hash.slice(0, 16)}  ${r.file}  ${r.label}`);
  }
}

export const JOB_COMMANDS: Record<string, Command> = {
  async simulate(client, rest, args) {
    if (!rest[0] || !/\.(glb|gltf)$/i.test(rest[0]))
      throw new TroupeError('bad-request', "Usage: troupe simulate <scene.glb> [--steps N | --seconds S] [--dt S] [--wedge 'friction=0.2:0.8:4,…' | --random N --seed S] [--chunk-steps N] [--out DIR]");
    await submitAndFollow(client, physicsBody(rest[0], args), args);
  },
  async variants(client, rest, args) {
    if (!rest[0]) throw new TroupeError('bad-request', 'Usage: troupe variants <job id> [--sort index|maxSpeed|contacts|restSeconds|-maxSpeed…]');
    const rows = await client.call('jobVariants', { jobId: rest[0], sortKey: flagString(args, 'sort') ?? 'index' });
    if (args.flags.has('json')) return console.log(JSON.stringify(rows, null, 2));
    printVariants(rows);
  },
  async render(client, rest, args) {
    if (!rest[0])
      throw new TroupeError('bad-request', 'Usage: troupe render <scene.glb|scene.blend> [--frames a-b] [--size WxH] [--samples N] [--out DIR] [--any-blender] [--project DIR] [--allow-file FILE]... [--allow-missing] [--no-denoise] [--device cpu|gpu|any] [--whole|--regions] [--list-files]');
    if (rest[0].toLowerCase().endsWith('.blend')) {
      if (args.flags.has('list-files')) return listFiles(client, blenderBody('render', rest[0], args), args);
      return submitAndFollow(client, blenderBody('render', rest[0], args), args);
    }
    const body: SubmitJobRequest = {
      scenePath: resolve(rest[0]),
      outputDir: resolve(flagString(args, 'out') ?? 'troupe-out'),
      ...(args.flags.has('frames') ? parseFrames(flagString(args, 'frames')!) : {}),
      ...(args.flags.has('size') ? parseSize(flagString(args, 'size')!) : {}),
    };
    const samples = flagInt(args, 'samples');
    if (samples !== undefined) body.samplesPerPixel = samples;
    const seed = flagInt(args, 'seed');
    if (seed !== undefined) body.seed = seed;
    if (args.flags.has('exr')) body.format = 'exr';
    if (args.flags.has('name')) body.name = flagString(args, 'name');
    await submitAndFollow(client, body, args);
  },
  async bake(client, rest, args) {
    if (!rest[0] || !rest[0].toLowerCase().endsWith('.blend')) throw new TroupeError('bad-request', 'Usage: troupe bake <scene.blend> [--out FILE.blend]');
    await submitAndFollow(client, blenderBody('bake', rest[0], args), args);
  },
  async jobs(client, _rest, args) {
    const jobs = await client.call('jobs');
    if (args.flags.has('json')) return console.log(JSON.stringify(jobs, null, 2));
    if (jobs.length === 0) console.log('No jobs yet. Start one with `troupe render scene.glb`.');
    for (const j of jobs) console.log(describeJob(j));
  },
  async job(client, rest, args) {
    if (!rest[0]) throw new TroupeError('bad-request', 'Usage: troupe job <job id>');
    const r = await client.call('job', { jobId: rest[0] });
    if (args.flags.has('json')) return console.log(JSON.stringify(r, null, 2));
    console.log(describeJob(r.job));
    for (const e of r.job.errors) console.log(`  error: ${e}`);
    for (const w of r.job.warnings) console.log(`  warning: ${w}`);
    for (const t of r.tasks) {
      if (t.state === 'cancelled' && r.job.state !== 'cancelled') continue;
      const last = t.attempts[t.attempts.length - 1];
      const took = last?.endedAtMs ? `${((last.endedAtMs - last.startedAtMs) / 1000).toFixed(1)} s` : '';
      const progress = t.attempts.find((a) => a.outcome === 'running' && a.progress)?.progress;
      const far = progress ? `${Math.round((progress.done / progress.total) * 100)}% (${progress.done}/${progress.total})` : '';
      console.log(
        `  ${t.taskId.split(':')[1]!.padEnd(12)} ${t.state.padEnd(9)} ${last ? last.workerId.slice(0, 7) : ''.padEnd(7)} ${took}${far}  attempts ${t.attempts.length}`,
      );
    }
    if (r.job.submission.engine === 'physics' && r.job.submission.physics.job === 'wedge') printVariants(await client.call('jobVariants', { jobId: r.job.jobId, sortKey: flagString(args, 'sort') ?? 'index' }));
  },
  async cancel(client, rest, args) {
    const j = await client.call('cancelJob', { jobId: rest[0] ?? '' });
    console.log(args.flags.has('json') ? JSON.stringify(j) : `Job ${j.jobId} cancelled.`);
  },
  async pause(client, rest, args) {
    const j = await client.call('pauseJob', { jobId: rest[0] ?? '' });
    console.log(args.flags.has('json') ? JSON.stringify(j) : `Job ${j.jobId} paused: running tasks finish, no new ones start.`);
  },
  async priority(client, rest, args) {
    const priority = Number(rest[1]);
    if (!rest[0] || !Number.isInteger(priority))
      throw new TroupeError('bad-request', 'Usage: troupe priority <job id> <-100..100> (higher runs first)');
    const j = await client.call('setJobPriority', { jobId: rest[0] }, { priority });
    console.log(args.flags.has('json') ? JSON.stringify(j) : `Job ${j.jobId} now has priority ${j.submission.priority}.`);
  },
  async resume(client, rest, args) {
    const j = await client.call('resumeJob', { jobId: rest[0] ?? '' });
    console.log(args.flags.has('json') ? JSON.stringify(j) : `Job ${j.jobId} resumed.`);
  },
};
