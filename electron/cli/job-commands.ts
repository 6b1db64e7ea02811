// Owns the job subcommands of `troupe`: render, simulate, bake (with a progress bar), jobs, job,
// table, cancel, pause, resume. It names no engine: a job's verb, file and flags go to the agent
// (POST /api/jobs/command), whose engine registry finds the engine that takes the file and reads
// the flags as that engine says; a job is shown by what its job type says of it (JobView.about).

import { TroupeError } from '../../shared/errors.js';
import type { CommandJob, JobPreview, JobView, ResultTable } from '../../shared/control-api/index.js';
import { flagString, type ParsedArgs } from './args.js';
import type { ControlClient } from './control-client.js';

type Command = (client: ControlClient, rest: string[], args: ParsedArgs) => Promise<void>;

/** The job's bar: done tasks, plus the running ones' progress as a share of a task each. */
function bar(job: JobView, running: number[]): string {
  const width = 30;
  const partly = running.reduce((sum, p) => sum + p, 0);
  const done = job.tasksTotal ? Math.min(width, Math.round(((job.tasksDone + partly) / job.tasksTotal) * width)) : 0;
  const now = running.length ? `  (${running.length} running: ${running.slice(0, 4).map((p) => `${Math.round(p * 100)}%`).join(', ')}${running.length > 4 ? ', ...' : ''})` : '';
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${job.tasksDone}/${job.tasksTotal} tasks  ${job.state}${now}`;
}

function describeJob(job: JobView): string {
  return `${job.jobId}  ${job.submission.name.padEnd(16)} ${job.state.padEnd(9)} ${job.tasksDone}/${job.tasksTotal} tasks  ${job.about.description}`;
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

/** The CLI's own flags: everything else on a job's command line is the engine's to read. */
const CLI_FLAGS = new Set(['json', 'no-wait', 'list-files']);

/** A job's command line for the agent: the verb, the file, the folder paths are read from, and the engine's flags. */
function commandOf(verb: string, file: string, args: ParsedArgs): CommandJob {
  const flags: CommandJob['flags'] = {};
  for (const [name, value] of args.flags) {
    if (CLI_FLAGS.has(name)) continue;
    const all = args.repeated.get(name);
    flags[name] = all && all.length > 1 ? all : value;
  }
  return { verb, file, cwd: process.cwd(), flags, listOnly: args.flags.has('list-files') };
}

function formatMiB(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** What the job would send to teammates, file by file with sizes; no job was made. */
function printPreview(preview: JobPreview, json: boolean): void {
  if (json) return console.log(JSON.stringify(preview));
  for (const f of preview.files) console.log(`${formatMiB(f.sizeBytes).padStart(12)}  ${f.name}`);
  console.log(`${formatMiB(preview.totalBytes).padStart(12)}  in ${preview.files.length} files go to teammates (nothing was sent)`);
  for (const w of preview.warnings) console.log(`  warning: ${w}`);
}

/** `troupe <verb> FILE ...`: the job made (and followed), or with --list-files only its files listed. */
async function runCommand(client: ControlClient, verb: string, rest: string[], args: ParsedArgs): Promise<void> {
  if (!rest[0]) throw new TroupeError('bad-request', `Usage: troupe ${verb} <file> [flags]: which files and flags, the agent says when given a file`);
  const json = args.flags.has('json');
  const answer = await client.call('commandJob', commandOf(verb, rest[0], args));
  if (answer.preview) return printPreview(answer.preview, json);
  const job = answer.job!;
  if (!json) {
    console.log(`Job ${job.jobId}: ${job.tasksTotal} tasks, ${job.about.description}; results go to ${job.submission.outputDir}`);
    for (const w of job.about.warnings) console.log(`  warning: ${w}`);
  }
  if (args.flags.has('no-wait')) {
    if (json) console.log(JSON.stringify(job));
    return;
  }
  const final = await follow(client, job, json);
  if (json) console.log(JSON.stringify(final));
  else if (final.state === 'done') {
    console.log(`Done: ${final.outputs.length} file(s) in ${final.submission.outputDir}`);
    for (const w of final.warnings) console.log(`  warning: ${w}`);
    for (const t of final.about.tables) printTable(await client.call('jobTable', { jobId: final.jobId, table: t.name, sortKey: t.defaultSort }));
  } else console.log(`Job ${final.state}${final.errors.length ? `:\n  ${final.errors.join('\n  ')}` : ''}`);
  if (final.state !== 'done') process.exitCode = 1;
}

/** A result table, one row a line, numbers right-aligned; a null cell is "-". */
function printTable(table: ResultTable): void {
  const cell = (v: string | number | null | undefined): string => (v === null || v === undefined ? '-' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const head = table.columns.map((c) => (c.unit ? `${c.label} (${c.unit})` : c.label));
  const body = table.rows.map((r) => table.columns.map((c) => cell(r[c.key])));
  const widths = head.map((h, i) => Math.min(40, Math.max(h.length, ...body.map((row) => row[i]!.length))));
  const line = (cells: string[]): string => '  ' + cells.map((c, i) => (table.columns[i]!.sortable ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(head));
  for (const row of body) console.log(line(row));
}

/** `troupe table <job id> [name] [--sort key]`: one of the job's result tables (its first when no name). */
async function showTable(client: ControlClient, jobId: string | undefined, name: string | undefined, args: ParsedArgs): Promise<void> {
  if (!jobId) throw new TroupeError('bad-request', 'Usage: troupe table <job id> [table] [--sort column|-column]');
  const { job } = await client.call('job', { jobId });
  const info = name ? job.about.tables.find((t) => t.name === name) : job.about.tables[0];
  if (!info) throw new TroupeError('not-found', `Job ${jobId} has no ${name ? `table "${name}"` : 'result table'}${job.about.tables.length ? `; it has ${job.about.tables.map((t) => t.name).join(', ')}` : ''}`);
  const sort = flagString(args, 'sort') ?? info.defaultSort;
  const sortable = info.columns.filter((c) => c.sortable).map((c) => c.key);
  if (!sortable.includes(sort.replace(/^-/, ''))) throw new TroupeError('bad-request', `The ${info.name} table sorts by ${sortable.join(', ')} (a leading "-": descending), not "${sort}"`);
  const table = await client.call('jobTable', { jobId, table: info.name, sortKey: sort });
  if (args.flags.has('json')) return console.log(JSON.stringify(table.rows, null, 2));
  printTable(table);
}

export const JOB_COMMANDS: Record<string, Command> = {
  simulate: (client, rest, args) => runCommand(client, 'simulate', rest, args),
  render: (client, rest, args) => runCommand(client, 'render', rest, args),
  bake: (client, rest, args) => runCommand(client, 'bake', rest, args),
  table: (client, rest, args) => showTable(client, rest[0], rest[1], args),
  /** A sweep's variants: the table of that name (kept from before tables were generic). */
  variants: (client, rest, args) => showTable(client, rest[0], 'variants', args),
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
    for (const t of r.job.about.tables) printTable(await client.call('jobTable', { jobId: r.job.jobId, table: t.name, sortKey: flagString(args, 'sort') ?? t.defaultSort }));
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
