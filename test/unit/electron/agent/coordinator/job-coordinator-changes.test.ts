// What a JobCoordinator tells its clients while a job runs: each task that changed, once, as it
// changes (with its running attempt's progress), before the job's summary; and the summary of a
// running job at most every JOB_VIEW_INTERVAL_MS, at once when it ends. Real scheduler, journal
// in memory, the built-in renderer's job type on the sample scene; workers are played by the test.

import { BUILTIN_RENDER_WIRE, type BuiltinRenderLease } from '../../../../../electron/agent/engines/builtin-render/render-wire.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView, SubmitJob, TaskView } from '../../../../../shared/control-api/index.js';
import { JOB_VIEW_INTERVAL_MS, JobCoordinator } from '../../../../../electron/agent/coordinator/job-coordinator.js';
import { PathTracerJobType } from '../../../../../electron/agent/engines/builtin-render/coordinator/path-tracer-job-type.js';
import { EngineRegistry } from '../../../../../electron/agent/engines/engine-registry.js';
import type { Engine } from '../../../../../electron/agent/engines/engine.js';
import { MemoryJobJournal } from '../../../../../electron/agent/scheduler/ports.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';

const REPO = join(import.meta.dirname, '../../../../..');
const SELF = 'a'.repeat(64);
const TEAMMATE = 'b'.repeat(64);
const settle = () => new Promise((r) => setImmediate(r));

const noEngine: Engine<BuiltinRenderLease> = { wire: BUILTIN_RENDER_WIRE, advert: () => ({ id: 'builtin-render', version: null }), detect: async () => undefined, run: async () => undefined, close: async () => undefined };

let dir: string;
let coordinator: JobCoordinator;
const told: ({ kind: 'job'; job: JobView; atMs: number } | { kind: 'task'; jobId: string; task: TaskView })[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-coord-'));
  coordinator = new JobCoordinator({
    selfId: SELF,
    blobs: new BlobStore(join(dir, 'blobs')),
    journal: new MemoryJobJournal(),
    jobTypes: new EngineRegistry().register(new PathTracerJobType(), noEngine),
    send: () => undefined,
    fetchOutput: async () => undefined,
    cancelLocal: () => undefined,
    jobChanged: (job) => told.push({ kind: 'job', job, atMs: Date.now() }),
    taskChanged: (jobId, task) => told.push({ kind: 'task', jobId, task }),
    selfSharing: () => false,
    workAvailable: () => undefined,
    checkRate: 0,
    log: () => undefined,
  });
  coordinator.workerJoined(TEAMMATE, 4);
});
afterAll(() => {
  coordinator.close();
  rmSync(dir, { recursive: true, force: true });
});

const submit = (frames: number): Promise<JobView> =>
  coordinator.submit(
    { engine: 'builtin-render', scenePath: join(REPO, 'assets/sample-scene.glb'), frameStart: 1, frameEnd: frames, width: 8, height: 8, samplesPerPixel: 1, seed: 1, fps: 24, format: 'png', outputDir: join(dir, 'out'), priority: 0 } as SubmitJob,
    [SELF, TEAMMATE],
  );

describe('JobCoordinator: changes pushed', () => {
  it("tells a new job's summary, not its 200 tasks one by one", async () => {
    told.length = 0;
    const job = await submit(200);
    await settle();
    expect(told.filter((t) => t.kind === 'task')).toEqual([]);
    expect(told.filter((t) => t.kind === 'job').map((t) => (t.kind === 'job' ? t.job.jobId : ''))).toEqual([job.jobId]);
    coordinator.cancel(job.jobId);
    await settle();
  });

  it('tells each task that changes once, as it changes, before the summary; progress rides on the running attempt until it ends', async () => {
    const job = await submit(50);
    await settle();
    await new Promise((r) => setTimeout(r, JOB_VIEW_INTERVAL_MS)); // the submit's summary is behind us
    told.length = 0;
    const lease = coordinator.requestWork(TEAMMATE)!;
    coordinator.taskStarted(TEAMMATE, lease.leaseId);
    await settle();
    const tasks = told.filter((t) => t.kind === 'task');
    expect(tasks.map((t) => (t.kind === 'task' ? [t.task.taskId, t.task.state] : null))).toEqual([[lease.task.taskId, 'running']]); // leased and started: one turn, told once
    expect(told.findIndex((t) => t.kind === 'job')).toBeGreaterThan(told.findIndex((t) => t.kind === 'task'));

    told.length = 0;
    coordinator.taskProgress(TEAMMATE, lease.leaseId, 3, 8);
    coordinator.taskProgress(SELF, lease.leaseId, 8, 8); // not the holder: ignored
    await settle();
    const [progressed] = told.filter((t) => t.kind === 'task');
    expect(progressed?.kind === 'task' && progressed.task.attempts.at(-1)).toMatchObject({ outcome: 'running', progress: { done: 3, total: 8 } });
    expect(told.filter((t) => t.kind === 'task')).toHaveLength(1);

    told.length = 0;
    coordinator.taskFailed(TEAMMATE, lease.leaseId, 'the teammate gave up');
    await settle();
    const ended = told.find((t) => t.kind === 'task');
    expect(ended?.kind === 'task' && ended.task.attempts.at(-1)).toMatchObject({ outcome: 'failed' });
    expect(ended?.kind === 'task' && 'progress' in ended.task.attempts.at(-1)!).toBe(false);
    expect(coordinator.tasks(job.jobId).find((t) => t.taskId === lease.task.taskId)!.attempts.every((a) => !a.progress)).toBe(true);
    coordinator.cancel(job.jobId);
    await settle();
  });

  it("tells a running job's summary at most once an interval however much changes, and at once when it ends", async () => {
    const job = await submit(40);
    await settle();
    told.length = 0;
    const started = Date.now();
    for (let i = 0; i < 60; i++) {
      // A lease taken and handed back, each in a turn of its own: two changes of one task a turn.
      const lease = coordinator.requestWork(TEAMMATE)!;
      coordinator.releaseLease(TEAMMATE, lease.leaseId);
      await settle();
    }
    const elapsed = Date.now() - started;
    await new Promise((r) => setTimeout(r, JOB_VIEW_INTERVAL_MS + 50)); // the last one due
    const summaries = told.filter((t): t is { kind: 'job'; job: JobView; atMs: number } => t.kind === 'job' && t.job.jobId === job.jobId);
    expect(told.filter((t) => t.kind === 'task').length).toBeGreaterThanOrEqual(60);
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    expect(summaries.length).toBeLessThanOrEqual(Math.ceil(elapsed / JOB_VIEW_INTERVAL_MS) + 2);
    for (let i = 1; i < summaries.length; i++) expect(summaries[i]!.atMs - summaries[i - 1]!.atMs).toBeGreaterThanOrEqual(JOB_VIEW_INTERVAL_MS - 5);
    told.length = 0;
    coordinator.cancel(job.jobId);
    await settle();
    expect(told.filter((t) => t.kind === 'job').map((t) => (t.kind === 'job' ? t.job.state : ''))).toEqual(['cancelled']);
  });
});
