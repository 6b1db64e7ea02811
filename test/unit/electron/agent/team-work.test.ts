// TeamWork on a machine with no teammates online: its coordinator (SQLite journal in a temp data
// folder), blob store, work loop and the built-in renderer are real; only the links are a fake that
// records what would go out. A job submitted here runs on this machine's own worker, a cancel
// stops it, and a request that cannot be a job is refused before any job exists. Renders are tiny;
// waits are for conditions, with deadlines that only catch hangs (a busy machine renders slowly).

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../../../shared/errors.js';
import type { ControlEvent } from '../../../../shared/control-api/index.js';
import type { LinkMessage } from '../../../../shared/protocol/index.js';
import { CapacityProbe } from '../../../../electron/agent/capacity/capacity-probe.js';
import { readPngHeader } from '../../../../electron/agent/engines/builtin-render/reading/png-decode.js';
import { registeredEngines } from '../../../../electron/agent/engines/registered-engines.js';
import { loadOrCreateIdentity, type Identity } from '../../../../electron/agent/identity/identity-store.js';
import { BlobStore } from '../../../../electron/agent/storage/blob-store.js';
import { TeamWork } from '../../../../electron/agent/team-work.js';
import { writeTestScene } from '../../../integration/harness/scenes.js';

type SubmitBody = Parameters<TeamWork['submitJob']>[0];

/** Only catches a hang: beside a busy owner a render takes many times as long as alone. */
const DEADLINE_MS = 240_000;

let dataDir: string;
let scene: string;
let identity: Identity;
let capacity: CapacityProbe;
let work: TeamWork;
const events: ControlEvent[] = [];
/** What went to teammates' links: with none online, nothing may go to one by name. */
const sentToTeammates: LinkMessage[] = [];

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'troupe-team-work-'));
  identity = await loadOrCreateIdentity(dataDir, { allowNew: true, hasTeam: false });
  capacity = new CapacityProbe({ mode: 'on', coreCap: null });
  work = new TeamWork({
    identity,
    blobs: new BlobStore(join(dataDir, 'blobs')),
    dataDir,
    capacity,
    engines: registeredEngines({ privateFolders: [dataDir] }),
    links: {
      send: (_id, message) => void sentToTeammates.push(message),
      broadcast: () => undefined, // "work available" to nobody
      state: () => null,
      markHasWork: () => undefined,
    },
    onlineTeammates: () => [],
    taskTimeLimitMs: null,
    emit: (event) => void events.push(event),
    log: () => undefined,
  });
  scene = join(mkdtempSync(join(tmpdir(), 'troupe-team-work-scene-')), 'scene.glb');
  await writeTestScene(scene, 8);
});

afterAll(async () => {
  await work?.close();
  capacity?.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(join(scene, '..'), { recursive: true, force: true });
});

function body(outputDir: string, frames: [number, number], size: [number, number]): SubmitBody {
  return {
    engine: 'builtin-render',
    name: 'tw',
    scenePath: scene,
    frameStart: frames[0],
    frameEnd: frames[1],
    width: size[0],
    height: size[1],
    samplesPerPixel: 2,
    seed: 1,
    fps: 24,
    format: 'png',
    outputDir,
    priority: 0,
  } as SubmitBody;
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const stateOf = (jobId: string) => work.job(jobId).job.state;

describe('TeamWork with no teammates', () => {
  it("renders a small animation on this machine's own worker and writes every frame into the output folder", async () => {
    const outputDir = join(dataDir, 'out-anim');
    const { jobId } = await work.submitJob(body(outputDir, [1, 3], [24, 16]));
    await waitFor('the job to end', () => ['done', 'failed', 'cancelled'].includes(stateOf(jobId)));

    const { job, tasks } = work.job(jobId);
    expect(job.errors).toEqual([]);
    expect(job.state).toBe('done');
    expect(job.outputs).toEqual(['tw_0001.png', 'tw_0002.png', 'tw_0003.png']);
    for (const name of job.outputs) {
      const header = readPngHeader(readFileSync(join(outputDir, name)));
      expect(header && [header.width, header.height], name).toEqual([24, 16]);
    }
    // Each task was done here, by this machine's worker (its device id), and nothing went over a link.
    for (const t of tasks.filter((t) => t.state === 'done'))
      expect(t.attempts.filter((a) => a.outcome === 'done').map((a) => a.workerId)).toEqual([identity.deviceId]);
    expect(sentToTeammates).toEqual([]);
    // Whoever watches (the app) was told it ended.
    expect(events.some((e) => e.type === 'jobChanged' && e.job.jobId === jobId && e.job.state === 'done')).toBe(true);
  });

  it('renders a still in buckets here and stitches them into one frame', async () => {
    const outputDir = join(dataDir, 'out-still');
    const { jobId } = await work.submitJob(body(outputDir, [5, 5], [16, 24]));
    await waitFor('the job to end', () => ['done', 'failed', 'cancelled'].includes(stateOf(jobId)));

    const { job, tasks } = work.job(jobId);
    expect(job.state).toBe('done');
    expect(tasks.filter((t) => t.kind === 'bucket').length).toBeGreaterThan(1);
    expect(job.outputs).toEqual(['tw_0005.png']);
    const header = readPngHeader(readFileSync(join(outputDir, 'tw_0005.png')));
    expect(header && [header.width, header.height]).toEqual([16, 24]);
  });

  it('stops a job cancelled mid-way: nothing left leased or running, the worker idle, no task done after', async () => {
    const outputDir = join(dataDir, 'out-cancel');
    const { jobId } = await work.submitJob(body(outputDir, [1, 400], [16, 16]));
    // Cancelled in the same turn as the check, so the worker is surely in the middle of a task.
    let running: { leaseId: string; taskId: string } | undefined;
    let cancelled: ReturnType<TeamWork['coordinator']['cancel']> | undefined;
    await waitFor('a frame done and the next one running', () => {
      const [leaseId] = work.leasesHeld();
      if (work.job(jobId).job.tasksDone < 1 || !leaseId) return false;
      running = { leaseId, taskId: work.coordinator.scheduler.liveLeases().find((l) => l.leaseId === leaseId)!.task.taskId };
      cancelled = work.coordinator.cancel(jobId);
      return true;
    });
    expect(cancelled!.state).toBe('cancelled');
    const doneAtCancel = cancelled!.tasksDone;
    expect(doneAtCancel).toBeLessThan(cancelled!.tasksTotal);
    const tasks = work.job(jobId).tasks;
    expect(tasks.filter((t) => t.state === 'leased' || t.state === 'running')).toEqual([]);
    expect(new Set(tasks.map((t) => t.state))).toEqual(new Set(['done', 'cancelled']));
    const wasRunning = tasks.find((t) => t.taskId === running!.taskId)!;
    expect(wasRunning.state).toBe('cancelled');
    expect(wasRunning.attempts.map((a) => a.outcome)).toEqual(['cancelled']);

    // The worker drops what it was running, and asks for no more of it.
    await waitFor('the worker to stop', () => work.leasesHeld().length === 0);
    expect(work.hasWork()).toBe(false);
    await new Promise((r) => setTimeout(r, 1500)); // past a poll of the work loop
    expect(work.leasesHeld()).toEqual([]);
    expect(work.job(jobId).job).toMatchObject({ state: 'cancelled', tasksDone: doneAtCancel });
    expect(work.job(jobId).tasks.every((t) => t.attempts.every((a) => a.outcome !== 'running'))).toBe(true);
  });

  it('refuses a job whose scene file is missing, saying so, and creates no job', async () => {
    const before = work.coordinator.list().map((j) => j.jobId);
    const missing = join(scene, '..', 'missing.glb');
    const err = await work.submitJob({ ...body(join(dataDir, 'out-missing'), [1, 2], [16, 16]), scenePath: missing } as SubmitBody).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as TroupeError).code).toBe('not-found');
    expect((err as TroupeError).message).toBe(`No scene file at ${missing}`);
    expect(work.coordinator.list().map((j) => j.jobId)).toEqual(before);
    expect(existsSync(join(dataDir, 'out-missing'))).toBe(false);
  });
});
