// What a teammate gone bad can make us spend, tried with real agents and real TLS: a coordinator
// that declares absurd input sizes or sends more bytes than it declared, a worker that lies about
// its results, a worker that asks for every lease, and partial files left behind. Each attack must
// fail with a reason in words, lose nothing, and leave no file behind.
//
// The liar is a real member: an agent is paired, then stopped, and the test speaks for it with its
// identity and the real link code (harness/hostile-teammate.ts). That runs in the test process, so
// the agents run on loopback; the disk-full case needs root for a small tmpfs.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { JobView, TaskView } from '../../shared/control-api/index.js';
import type { LinkMessage } from '../../shared/protocol/index.js';
import { AgentProcess, Testbed } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { writeTestScene } from './harness/scenes.js';
import { fakeLease, HostileTeammate, ONE_CORE, streamZeros, type HostileOptions } from './harness/hostile-teammate.js';

process.env.TROUPE_TEST_LOOPBACK = '1'; // read when the Testbed is constructed, below
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess, c: AgentProcess;
let mallory: HostileTeammate | null = null;
let scene: string;
const MB = 1e6;
const canMount = process.getuid?.() === 0;

const portOf = (x: AgentProcess) => x.events.filter((e) => e.type === 'ready').at(-1)!.listenPort as number; // a restart on loopback moves it
const target = (x: AgentProcess) => ({ id: x.deviceId, address: `127.0.0.1:${portOf(x)}` });
const partials = (x: AgentProcess) => readdirSync(join(x.dataDir, 'partial'), { withFileTypes: true }).map((e) => e.name);
const partialBytes = (x: AgentProcess) =>
  partials(x).reduce((sum, n) => sum + (statSync(join(x.dataDir, 'partial', n), { throwIfNoEntry: false })?.size ?? 0), 0);
const randomHash = () => randomBytes(32).toString('hex');
const job = (x: AgentProcess, id: string) => x.cli<{ job: JobView; tasks: TaskView[] }>(['job', id]);
const failedFor =
  (id: string) =>
  (m: LinkMessage): m is Extract<LinkMessage, { type: 'task.failed' }> =>
    m.type === 'task.failed' && m.leaseId === id;
const isAnswer = (m: LinkMessage): m is Extract<LinkMessage, { type: 'work.lease' | 'work.none' }> => m.type === 'work.lease' || m.type === 'work.none';

/**
 * Asks alpha for work as a real worker does: again after each "nothing" (alpha may still be
 * splitting the job, or counting a result in), until a lease comes or the deadline, which only
 * catches a coordinator that never leases.
 */
async function askUntilLeased(who: HostileTeammate, firstRequestId: number, deadlineMs = 60_000): Promise<Extract<LinkMessage, { type: 'work.lease' }>> {
  const until = Date.now() + deadlineMs;
  for (let requestId = firstRequestId; ; requestId += 1000) {
    await eventually(() => who.online(a.deviceId), Math.max(1, until - Date.now()), 'the worker to be linked to alpha', 50);
    const mark = who.received.length;
    who.send(a.deviceId, { type: 'work.request', requestId, freeCores: 1 });
    const answer = await who.waitFor(isAnswer, Math.max(1, until - Date.now()), mark);
    if (answer.type === 'work.lease') return answer;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The job once it has ended; the deadline only catches a job that never ends. */
async function ended(x: AgentProcess, jobId: string, timeoutMs = 120_000, intervalMs = 500): Promise<JobView> {
  return eventually(
    async () => {
      const j = (await job(x, jobId)).job;
      return j.state !== 'running' && j.state !== 'queued' && j;
    },
    timeoutMs,
    'the job to end',
    intervalMs,
  );
}

/**
 * Alpha and gamma share or not: with 'off', only the teammate the test speaks for works (until the
 * test ends). Returns once alpha has gamma's word for it (its next heartbeat), so no lease or split
 * is decided with gamma still counted.
 */
async function othersShare(mode: 'on' | 'off'): Promise<void> {
  for (const x of [a, c]) await x.cli(['share', mode]);
  if (mode === 'off') onTestFinished(async () => void (await Promise.all([a, c].map((x) => x.cliResult(['share', 'on'])))));
  const gamma = async () => (await a.cli<{ members: { deviceId: string; capacity: { sharing: { mode: string } } | null }[] }>(['team'])).members.find((m) => m.deviceId === c.deviceId);
  await eventually(async () => (await gamma())?.capacity?.sharing.mode === mode, 30_000, `gamma's sharing ${mode} to reach alpha`, 100);
}

/** Speaks for beta, as a worker of alpha's, once it is linked. */
async function workerForAlpha(who: string, opts: Omit<HostileOptions, 'host'>): Promise<HostileTeammate> {
  mallory = await HostileTeammate.start(b.dataDir, [target(a)], { host: '127.0.0.1', ...opts });
  await eventually(() => mallory!.online(a.deviceId), 30_000, `${who} to link`);
  return mallory;
}

/** A job of `frames` frames on alpha, and beta's identity (on one core) asking `asks` times at once, each answered. */
async function hoardedJob(name: string, size: string, frames: number, asks: number) {
  const out = join(bed.root, name);
  const started = await a.cli<JobView>(['render', scene, '--size', size, '--samples', '4', '--frames', `1-${frames}`, '--out', out, '--no-wait']);
  const hoarder = await workerForAlpha('the hoarder', { capacity: ONE_CORE });
  const mark = hoarder.received.length;
  for (let id = 1; id <= asks; id++) hoarder.send(a.deviceId, { type: 'work.request', requestId: id, freeCores: 1 });
  const answers = () => hoarder.received.slice(mark).filter((r) => r.message.type === 'work.lease' || r.message.type === 'work.none');
  await eventually(() => answers().length >= asks, 60_000, `${asks} answers`);
  return { out, started, leases: answers().filter((r) => r.message.type === 'work.lease').length };
}

/** The largest the partial files of `x` got while `during` ran (sampled every 2 ms). */
async function peakPartialBytes<T>(x: AgentProcess, during: Promise<T>): Promise<{ peak: number; value: T }> {
  let peak = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, partialBytes(x));
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  const value = await during.finally(() => (running = false));
  await sampler;
  return { peak, value };
}

describe(`budgets against a teammate gone bad (${bed.mode})`, () => {
  beforeAll(async () => {
    const host = bed.addHost();
    [a, b, c] = [bed.agent(host, 'alpha'), bed.agent(host, 'beta'), bed.agent(host, 'gamma')];
    scene = join(bed.root, 'scene.glb');
    await writeTestScene(scene, 8);
    await Promise.all([a.start(), b.start(), c.start()]);
    await pair(a, b, `127.0.0.1:${portOf(b)}`);
    await pair(a, c, `127.0.0.1:${portOf(c)}`);
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === c.deviceId, 30_000);
    // Beta leaves; from now on the test speaks with its identity.
    const mark = a.events.length;
    await b.kill('SIGKILL');
    await a.waitFor((e) => e.type === 'memberOffline' && e.deviceId === b.deviceId, 30_000, mark);
    mkdirSync(join(a.dataDir, 'partial'), { recursive: true });
  });
  afterEach(async () => {
    await mallory?.close();
    mallory = null;
  });
  afterAll(() => bed.destroy());

  it('a coordinator declaring 2^53 bytes, or 12 GB over several inputs, is refused before a byte moves', async () => {
    const leases = [
      fakeLease('huge', [{ name: 'scene.glb', hash: randomHash(), sizeBytes: Number.MAX_SAFE_INTEGER }]),
      fakeLease(
        'many',
        [1, 2, 3].map((i) => ({ name: `part${i}.bin`, hash: randomHash(), sizeBytes: 4 * 2 ** 30 })),
      ),
    ];
    mallory = await HostileTeammate.start(b.dataDir, [target(a)], {
      host: '127.0.0.1',
      hasWork: true,
      lease: () => leases.shift() ?? null,
      serve: (_hash, _req, res) => void streamZeros(res, 200 * MB),
    });
    const { peak, value: huge } = await peakPartialBytes(a, mallory.waitFor(failedFor('huge'), 60_000));
    const many = await mallory.waitFor(failedFor('many'), 60_000);
    console.log(
      `declared 2^53 bytes: ${huge.error}\ndeclared 3 × 4 GiB: ${many.error}\npartial bytes written: ${peak}, blob requests: ${mallory.blobRequests.length}`,
    );
    expect(huge.error).toMatch(/more than the 10\.7 GB one task may bring to this machine/);
    expect(many.error).toMatch(/has 12\.9 GB of inputs, more than the 10\.7 GB one task may bring/);
    expect(mallory.blobRequests).toEqual([]);
    expect(peak).toBe(0);
    expect(partials(a)).toEqual([]);
  });

  it('a coordinator sending more than it declared is cut off at the declared size and its partial file deleted', async () => {
    const [flood, announced] = [randomHash(), randomHash()];
    const accepted: Record<string, number> = {};
    const leases = [
      fakeLease('flood', [{ name: 'scene.glb', hash: flood, sizeBytes: MB }]),
      fakeLease('announced', [{ name: 'scene.glb', hash: announced, sizeBytes: MB }]),
    ];
    mallory = await HostileTeammate.start(b.dataDir, [target(a)], {
      host: '127.0.0.1',
      hasWork: true,
      lease: () => leases.shift() ?? null,
      // 200 MB for a 1 MB blob, without a length, or announcing it.
      serve: (hash, _req, res) =>
        void streamZeros(res, 200 * MB, hash === announced ? 200 * MB : undefined).then((n) => (accepted[hash!] = n)),
    });
    const { peak, value: cut } = await peakPartialBytes(a, mallory.waitFor(failedFor('flood'), 60_000));
    const refused = await mallory.waitFor(failedFor('announced'), 60_000);
    await eventually(() => Object.keys(accepted).length === 2, 30_000, 'the liar to see both transfers end');
    console.log(
      `1 MB declared, 200 MB sent: largest partial file ${peak} bytes; the socket took ${accepted[flood]} bytes before the worker hung up; ${cut.error}\n` +
        `200 MB announced: ${refused.error} (socket took ${accepted[announced]} bytes)`,
    );
    expect(cut.error).toMatch(/sent more bytes than it declared .*the transfer was stopped and its partial file deleted/);
    expect(refused.error).toMatch(/announced 200000000 bytes where 1000000 were due/);
    expect(peak).toBeLessThanOrEqual(MB);
    expect(accepted[flood]).toBeLessThan(50 * MB); // hung up long before the end, not drained
    expect(partials(a)).toEqual([]);
  });

  it.skipIf(!canMount)('a worker whose disk cannot hold the inputs refuses the lease, saying how much is needed and free', async () => {
    const dir = join(bed.root, 'small-disk');
    mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', dir]);
    const d = new AgentProcess(bed.hosts[0]!, 'delta', join(dir, 'delta'), 0);
    try {
      await d.start();
      await pair(a, d, `127.0.0.1:${portOf(d)}`); // the roster makes beta a member for delta too
      await eventually(
        async () => (await d.cli<{ members: { deviceId: string }[] }>(['team'])).members.some((m) => m.deviceId === b.deviceId),
        30_000,
        'delta to know beta',
      );
      const leases = [fakeLease('big', [{ name: 'scene.glb', hash: randomHash(), sizeBytes: 100 * MB }])];
      mallory = await HostileTeammate.start(b.dataDir, [target(d)], {
        host: '127.0.0.1',
        hasWork: true,
        lease: () => leases.shift() ?? null,
      });
      const failed = await mallory.waitFor(failedFor('big'), 60_000);
      console.log(`100 MB of inputs on a 64 MB disk: ${failed.error}`);
      expect(failed.error).toMatch(
        /^Task \S+ needs 100 MB for its inputs, this machine has 6\d(\.\d)? MB free \(it keeps 3\.4 MB spare\)\. Free some disk space/,
      );
      expect(mallory.blobRequests).toEqual([]);
    } finally {
      await mallory?.close();
      mallory = null;
      await d.kill('SIGKILL');
      execFileSync('umount', ['-l', dir]);
    }
  });

  it('partial files left by a crash or a liar are gone when the agent starts again', async () => {
    const dir = join(a.dataDir, 'partial');
    writeFileSync(join(dir, `${randomHash()}.partial`), Buffer.alloc(8 * MB));
    const old = join(dir, `${randomHash()}.partial`);
    writeFileSync(old, Buffer.alloc(MB));
    utimesSync(old, new Date(Date.now() - 2 * 86_400_000), new Date(Date.now() - 2 * 86_400_000));
    writeFileSync(join(dir, 'not-a-partial.tmp'), 'x');
    expect(partialBytes(a)).toBe(9 * MB + 1);
    await a.kill('SIGKILL');
    const mark = a.events.length;
    await a.start();
    await eventually(() => partials(a).length === 0, 30_000, 'the partial folder to be empty');
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === c.deviceId, 30_000, mark);
  });

  it('a worker lying about its results makes the coordinator fetch nothing over the image size, and the job still ends right', async () => {
    // Only the liar works until it has lied; then the others finish the job.
    await othersShare('off');
    const out = join(bed.root, 'lied-results');
    const started = await a.cli<JobView>(['render', scene, '--size', '64x48', '--samples', '4', '--frames', '1-4', '--out', out, '--no-wait']);
    const [huge, flood] = [randomHash(), randomHash()];
    const accepted: Record<string, number> = {};
    mallory = await workerForAlpha('the liar', { serve: (hash, _req, res) => void streamZeros(res, 200 * MB).then((n) => (accepted[hash!] = n)) });
    const lie = async (requestId: number, output: { hash: string; sizeBytes: number }): Promise<string> => {
      const lease = await askUntilLeased(mallory!, requestId);
      const frame = lease.task.frames[0]!;
      mallory!.send(a.deviceId, {
        type: 'task.done',
        leaseId: lease.leaseId,
        startedAtMs: Date.now() - 10,
        endedAtMs: Date.now(),
        outputs: { [`frame:${frame}`]: output },
      });
      return lease.task.taskId;
    };
    const errorsOf = async (taskId: string) =>
      (await job(a, started.jobId)).tasks
        .find((t) => t.taskId === taskId)
        ?.attempts.filter((x) => x.workerId === b.deviceId && x.error)
        .map((x) => x.error!) ?? [];
    const nextError = async (taskId: string, before: number, what: string) =>
      (
        await eventually(
          async () => {
            const errors = await errorsOf(taskId);
            return errors.length > before && errors;
          },
          60_000,
          `${what} (task ${taskId})`,
        )
      ).at(-1)!;
    const { peak, value: errors } = await peakPartialBytes(
      a,
      (async () => {
        const t1 = await lie(1, { hash: huge, sizeBytes: 1_500_000_000 });
        const first = await nextError(t1, 0, 'the 1.5 GB frame to be refused');
        const t2 = await lie(2, { hash: flood, sizeBytes: 20_000 });
        const second = await nextError(t2, t2 === t1 ? 1 : 0, 'the flood to be cut off');
        return [first, second];
      })(),
    );
    console.log(
      `lying worker: ${errors[0]}\nlying worker: ${errors[1]}\ncoordinator's largest partial file: ${peak} bytes; the socket took ${accepted[flood]} bytes`,
    );
    expect(errors[0]).toMatch(/frame:\d+ of 1500000000 bytes is larger than a 64×48 image can be/);
    expect(errors[1]).toMatch(/sent more bytes than it declared/);
    expect(mallory.blobRequests).not.toContain(huge);
    expect(peak).toBeLessThanOrEqual(20_000);
    expect(partials(a)).toEqual([]);
    await othersShare('on');
    const final = await ended(a, started.jobId);
    expect(final.state).toBe('done');
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(4);
    for (const f of files) expect(readFileSync(join(out, f)).subarray(1, 4).toString()).toBe('PNG');
  });

  it('a worker asking again and again holds one task plus one prefetched, and the job ends without it', async () => {
    await othersShare('on');
    // Settings no job used before: frames are not chunked by a measured frame time.
    const { out, started, leases } = await hoardedJob('hoarded', '80x60', 40, 50);
    const tasks = (await job(a, started.jobId)).tasks;
    const held = tasks.filter((t) => t.attempts.some((x) => x.workerId === b.deviceId && x.outcome === 'running')).length;
    console.log(`hoarder: ${leases} leases for 50 requests (announced 1 free core), holds ${held} of ${tasks.length} tasks`);
    expect(leases).toBeLessThanOrEqual(2);
    expect(leases).toBeGreaterThanOrEqual(1);
    // The hoarder stays linked and keeps its leases alive; its frames are raced once overdue.
    const final = await ended(a, started.jobId, 180_000).catch(async (err: Error) => {
      const v = await job(a, started.jobId);
      const open = v.tasks.filter((t) => t.state !== 'done').map((t) => `${t.taskId.split(':')[1]} ${t.state} [${t.attempts.map((x) => `${x.workerId.slice(0, 7)}:${x.outcome}`).join(' ')}]`);
      throw new Error(`${err.message}; job ${v.job.state} ${v.job.tasksDone}/${v.job.tasksTotal}, errors ${JSON.stringify(v.job.errors)}; open: ${open.join(', ')}; alpha stderr: ${a.stderr.slice(-2000)}`, { cause: err });
    });
    expect(final.state).toBe('done');
    expect(readdirSync(out)).toHaveLength(40);
    expect(mallory!.online(a.deviceId)).toBe(true);
  });

  it('a teammate holding the last frames, linked and heartbeating but never finishing, is raced by machines that had gone idle', async () => {
    // Workers ask only a coordinator whose heartbeat says it has work. Nothing is queued here from
    // the moment the hoarder holds both frames, so the idle machines must be told that its frames
    // are worth racing; before, they never asked and the job waited for ever.
    await othersShare('off');
    const { out, started, leases } = await hoardedJob('hoarded-tail', '76x57', 2, 2);
    expect(leases).toBe(2);
    const held = (await job(a, started.jobId)).tasks.map((t) => `${t.taskId.split(':')[1]} ${t.state} [${t.attempts.map((x) => `${x.workerId === b.deviceId ? 'hoarder' : x.workerId.slice(0, 7)}:${x.outcome}`).join(' ')}]`);
    expect(held, 'the hoarder holds every task and nothing is queued').toEqual(['f1 leased [hoarder:running]', 'f2 leased [hoarder:running]']);
    const t0 = Date.now();
    await othersShare('on');
    const final = await ended(a, started.jobId, 120_000, 250);
    console.log(`hoarded tail: both frames raced and done ${Date.now() - t0} ms after the idle machines began sharing`);
    expect(final.state).toBe('done');
    expect(readdirSync(out)).toHaveLength(2);
    expect(mallory!.online(a.deviceId)).toBe(true);
    const mine = (await job(a, started.jobId)).tasks.flatMap((t) => t.attempts.filter((x) => x.workerId === b.deviceId));
    expect(mine.map((x) => x.outcome)).toEqual(['cancelled', 'cancelled']); // the hoarder's copies lost the race
  });

  it('a lease the worker does not name in its heartbeats (its messages lost on the way) lapses within a lease and its task runs elsewhere', async () => {
    // Before 2.3 a heartbeat kept every lease of its sender alive: a lease whose work.lease or
    // task.done was lost (around a coordinator restart, say) was held for as long as the worker lived.
    // Nobody else works meanwhile: a racer finishing the frame would end the attempt too (cancelled, not lost).
    await othersShare('off');
    const out = join(bed.root, 'lost-lease');
    const started = await a.cli<JobView>(['render', scene, '--size', '72x54', '--samples', '4', '--frames', '1-3', '--out', out, '--no-wait']);
    mallory = await workerForAlpha('the forgetful worker', { capacity: ONE_CORE, listLeases: false });
    const lease = await askUntilLeased(mallory, 1);
    mallory.send(a.deviceId, { type: 'task.started', leaseId: lease.leaseId }); // and then nothing: no result, not named again
    expect(lease.jobId).toBe(started.jobId);
    const attemptOf = async () => (await job(a, lease.jobId)).tasks.find((t) => t.taskId === lease.task.taskId)!.attempts.filter((x) => x.workerId === b.deviceId).at(-1)!;
    expect((await attemptOf()).outcome).toBe('running');
    const t0 = Date.now();
    await eventually(async () => (await attemptOf()).outcome !== 'running', 60_000, 'the unnamed lease to lapse'); // one lease (10 s); before 2.3, never
    expect((await attemptOf()).outcome).toBe('lost');
    const lapsedAfterMs = Date.now() - t0;
    console.log(`a lease its worker stopped naming lapsed after ${lapsedAfterMs} ms, with the worker linked and heartbeating`);
    expect(mallory.online(a.deviceId)).toBe(true);
    await othersShare('on');
    const final = await ended(a, started.jobId);
    expect(final.state).toBe('done');
    expect(readdirSync(out)).toHaveLength(3);
  });
});
