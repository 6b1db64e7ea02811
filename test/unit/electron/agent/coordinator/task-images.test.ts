// TaskImages, where the app's frame and bucket previews come from: a real JobCoordinator (real
// scheduler, journal in memory, the built-in renderer's job type on the sample scene) and a real
// BlobStore; the test plays a teammate that hands back PNGs and float tiles made with the
// project's own encoder. Then what a preview request meets when there is no image to give.

import { existsSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../../../../shared/errors.js';
import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import { JobCoordinator } from '../../../../../electron/agent/coordinator/job-coordinator.js';
import { TaskImages } from '../../../../../electron/agent/coordinator/task-images.js';
import { checkedPng } from '../../../../../electron/agent/jobs/task-pictures.js';
import { encodeExr, encodePng } from '../../../../../electron/agent/engines/builtin-render/image-encode.js';
import { decodePng } from '../../../../../electron/agent/engines/builtin-render/reading/png-decode.js';
import { registeredEngines } from '../../../../../electron/agent/engines/registered-engines.js';
import type { TaskOutcome } from '../../../../../electron/agent/scheduler/ports.js';
import { MemoryJobJournal } from '../../../../../electron/agent/scheduler/ports.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';

type SubmitRequest = Parameters<JobCoordinator['submit']>[0];

const REPO = join(import.meta.dirname, '../../../../..');
const SELF = 'a'.repeat(64);
const TEAMMATE = 'b'.repeat(64);
const W = 8;

let dir: string;
let blobs: BlobStore;
let coordinator: JobCoordinator;
let images: TaskImages;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-task-images-'));
  blobs = new BlobStore(join(dir, 'blobs'));
  coordinator = new JobCoordinator({
    selfId: SELF,
    blobs,
    journal: new MemoryJobJournal(),
    jobTypes: registeredEngines(), // its job types only: no engine runs here, the teammate is the test
    send: () => undefined,
    fetchOutput: async () => undefined, // the teammate's blobs are put straight into our store
    cancelLocal: () => undefined,
    jobChanged: () => undefined,
    selfSharing: () => false,
    workAvailable: () => undefined,
    checkRate: 0,
    log: () => undefined,
  });
  coordinator.workerJoined(TEAMMATE, 4);
  images = new TaskImages(coordinator);
});
afterAll(() => {
  coordinator?.close();
  rmSync(dir, { recursive: true, force: true });
});

let jobs = 0;
/** A job on the sample scene, W x `height`: frames 1..`frames` (a single frame is a still, rendered in buckets). */
function submit(opts: { height: number; frames: number; format?: 'png' | 'exr' }) {
  const outputDir = join(dir, `out-${++jobs}`);
  const request = {
    engine: 'builtin-render',
    name: `job${jobs}`,
    scenePath: join(REPO, 'assets/sample-scene.glb'),
    frameStart: 1,
    frameEnd: opts.frames,
    width: W,
    height: opts.height,
    samplesPerPixel: 1,
    seed: 1,
    fps: 24,
    format: opts.format ?? 'png',
    outputDir,
    priority: 0,
  } as SubmitRequest;
  return coordinator.submit(request, [SELF, TEAMMATE]).then((job) => ({ jobId: job.jobId, outputDir }));
}

/** Linear RGBA floats that vary across the image and with `seed` (opaque). */
function pixels(width: number, height: number, seed: number): Float32Array {
  return Float32Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 1 : ((i * 7 + seed * 13) % 97) / 96));
}

async function store(bytes: Uint8Array): Promise<{ hash: string; sizeBytes: number }> {
  return blobs.put(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
}

/** What the teammate sent for each task, by task id. */
const sent = new Map<string, TaskOutcome['outputs']>();
/** A done bucket's tile blob in our store (the teammate's result, kept until its merge). */
const tileHashOf = (taskId: string): string => sent.get(taskId)!.tile!.hash;
/** The file a done frames task wrote into its job's output folder (the job lists it). */
const frameFileOf = (jobId: string, outputDir: string): string => coordinator.view(jobId).outputs.find((f) => existsSync(join(outputDir, f)))!;

/** The teammate takes the next task and reports the outputs `make` gives for it. */
async function runNext(make: (task: TaskSpec) => Promise<TaskOutcome['outputs']>): Promise<TaskSpec> {
  const lease = coordinator.requestWork(TEAMMATE);
  expect(lease, 'a task to lease').not.toBeNull();
  coordinator.taskStarted(TEAMMATE, lease!.leaseId);
  const outputs = await make(lease!.task);
  sent.set(lease!.task.taskId, outputs);
  await coordinator.taskDone(TEAMMATE, lease!.leaseId, { startedAtMs: Date.now(), endedAtMs: Date.now() + 1, outputs });
  return lease!.task;
}

/** The deadline only catches a hang: on a busy machine a stitch may wait long for the CPU. */
async function waitFor(what: string, ok: () => boolean, deadlineMs = 240_000): Promise<void> {
  const until = Date.now() + deadlineMs;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The TroupeError a preview request fails with. */
async function refusal(jobId: string, taskId: string): Promise<TroupeError> {
  const err = await images.png(jobId, taskId).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TroupeError);
  return err as TroupeError;
}

describe('TaskImages', () => {
  it("gives a frame task's image as the PNG its worker made, read from the job's output folder", async () => {
    const { jobId, outputDir } = await submit({ height: 6, frames: 2 });
    const made = new Map<string, Buffer>();
    for (let i = 0; i < 2; i++) {
      await runNext(async (task) => {
        const png = encodePng(pixels(W, 6, i), W, 6);
        made.set(task.taskId, png);
        return { [`frame:${task.frames[0]}`]: await store(png) };
      });
    }
    expect(coordinator.view(jobId).state).toBe('done');
    for (const [taskId, png] of made) {
      const got = await images.png(jobId, taskId);
      expect(got.equals(png)).toBe(true);
      const frame = taskId.split(':f')[1]!.padStart(4, '0');
      const file = coordinator.view(jobId).outputs.find((f) => f.endsWith(`_${frame}.png`))!;
      expect(got.equals(await readFile(join(outputDir, file)))).toBe(true);
    }
  });

  it("encodes a bucket's float tile as PNG the way its frame is encoded, and the merged frame is those tiles", async () => {
    const { jobId } = await submit({ height: 24, frames: 1 });
    const buckets = coordinator.tasks(jobId).filter((t) => t.kind === 'bucket');
    expect(buckets.length).toBeGreaterThan(1);
    const tiles = new Map<string, { floats: Float32Array; y: number; height: number }>();
    for (let i = 0; i < buckets.length; i++) {
      await runNext(async (task) => {
        const { width, height, y } = task.region!;
        const floats = pixels(width, height, 10 + i);
        tiles.set(task.taskId, { floats, y, height });
        return { tile: await store(new Uint8Array(floats.buffer)) };
      });
    }
    for (const [taskId, tile] of tiles) {
      const png = await images.png(jobId, taskId);
      expect(png.equals(encodePng(tile.floats, W, tile.height))).toBe(true);
    }
    // The coordinator stitches the merge itself once every tile is in.
    await waitFor('the merge', () => coordinator.view(jobId).state === 'done');
    const merge = coordinator.tasks(jobId).find((t) => t.kind === 'merge')!;
    const frame = decodePng(await images.png(jobId, merge.taskId), 'frame.png');
    expect([frame.width, frame.height]).toEqual([W, 24]);
    for (const tile of tiles.values()) {
      const rows = decodePng(encodePng(tile.floats, W, tile.height), 'tile.png').rgba;
      expect(Buffer.from(frame.rgba.subarray(tile.y * W * 4, (tile.y + tile.height) * W * 4)).equals(Buffer.from(rows))).toBe(true);
    }
  });

  it('keeps an encoded tile: asked again after its blob is gone, it gives the same bytes', async () => {
    const { jobId } = await submit({ height: 24, frames: 1 });
    const task = await runNext(async (t) => ({ tile: await store(new Uint8Array(pixels(t.region!.width, t.region!.height, 30).buffer)) }));
    const first = await images.png(jobId, task.taskId);
    unlinkSync(blobs.pathOf(tileHashOf(task.taskId)));
    expect((await images.png(jobId, task.taskId)).equals(first)).toBe(true);
    coordinator.cancel(jobId);
  });

  it('refuses, in words, a job or task it does not know and a task that is not done yet', async () => {
    const { jobId } = await submit({ height: 24, frames: 1 });
    const unknownJob = await refusal('0'.repeat(16), `${jobId}:b1.0`);
    expect(unknownJob.code).toBe('not-found');
    expect(unknownJob.message).toMatch(/^No job 0{16} on this machine$/);

    const unknownTask = await refusal(jobId, `${jobId}:nope`);
    expect(unknownTask.code).toBe('not-found');
    expect(unknownTask.message).toBe(`No task ${jobId}:nope in job ${jobId}`);

    const [queued] = coordinator.tasks(jobId);
    expect((await refusal(jobId, queued!.taskId)).message).toBe(`Task ${queued!.taskId} has no image yet (it is queued)`);
    const lease = coordinator.requestWork(TEAMMATE)!;
    coordinator.taskStarted(TEAMMATE, lease.leaseId);
    const running = await refusal(jobId, lease.task.taskId);
    expect(running.code).toBe('not-found');
    expect(running.message).toBe(`Task ${lease.task.taskId} has no image yet (it is running)`);
    coordinator.cancel(jobId);
  });

  it("says where to look when a bucket's tile is gone, and refuses a tile of the wrong size", async () => {
    const { jobId, outputDir } = await submit({ height: 24, frames: 1 });
    const gone = await runNext(async (t) => ({ tile: await store(new Uint8Array(pixels(t.region!.width, t.region!.height, 40).buffer)) }));
    const damaged = await runNext(async (t) => ({
      tile: await store(new Uint8Array(pixels(t.region!.width, t.region!.height, 41).buffer)),
    }));

    unlinkSync(blobs.pathOf(tileHashOf(gone.taskId)));
    const missing = await refusal(jobId, gone.taskId);
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe(`The tile of ${gone.taskId} was merged into its frame and dropped; open the frame in ${outputDir}`);

    // A damaged disk: the blob's file is cut short under its name.
    const path = blobs.pathOf(tileHashOf(damaged.taskId));
    unlinkSync(path);
    writeFileSync(path, Buffer.alloc(16));
    const short = await refusal(jobId, damaged.taskId);
    expect(short.code).toBe('internal');
    expect(short.message).toBe(`The tile of ${damaged.taskId} has the wrong size`);
    coordinator.cancel(jobId);
  });

  it('says so when a frame is no longer in the output folder, or is an EXR the app cannot preview', async () => {
    const png = await submit({ height: 6, frames: 2 });
    const frame = await runNext(async (t) => ({ [`frame:${t.frames[0]}`]: await store(encodePng(pixels(W, 6, 50), W, 6)) }));
    const file = frameFileOf(png.jobId, png.outputDir);
    unlinkSync(join(png.outputDir, file));
    const removed = await refusal(png.jobId, frame.taskId);
    expect(removed.code).toBe('not-found');
    expect(removed.message).toBe(`${file} is no longer in ${png.outputDir}`);
    coordinator.cancel(png.jobId);

    const exr = await submit({ height: 6, frames: 2, format: 'exr' });
    const exrFrame = await runNext(async (t) => ({ [`frame:${t.frames[0]}`]: await store(encodeExr(pixels(W, 6, 51), W, 6)) }));
    const exrFile = frameFileOf(exr.jobId, exr.outputDir);
    expect(exrFile).toMatch(/\.exr$/);
    const refused = await refusal(exr.jobId, exrFrame.taskId);
    expect(refused.code).toBe('bad-request');
    expect(refused.message).toBe(`${exrFile} is EXR, which the app cannot preview; it is in ${exr.outputDir}`);
    coordinator.cancel(exr.jobId);
  });
});

describe('a picture a teammate made', () => {
  const png = (w: number, h: number) => Buffer.from(encodePng(pixels(w, h, 1), w, h));
  it('reaches the app only as a PNG of the size it must be (a header claiming a huge image never does)', () => {
    expect(checkedPng(png(8, 4), 8, 4, 't')).toEqual(png(8, 4));
    expect(() => checkedPng(png(8, 5), 8, 4, 't')).toThrow('The picture of t is 8x5, not the 8x4 it must be');
    expect(() => checkedPng(Buffer.from('GIF89a not a png at all, really'), 8, 4, 't')).toThrow('The picture of t is not a PNG');
    // A frame may be smaller than the job's size (a scene that crops its frames), never larger.
    expect(checkedPng(png(6, 4), 8, 4, 't', true)).toEqual(png(6, 4));
    expect(() => checkedPng(png(9, 4), 8, 4, 't', true)).toThrow('not the at most 8x4');
    const bomb = png(8, 4);
    bomb.writeUInt32BE(100_000, 16); // the header claims 100000 x 4
    expect(() => checkedPng(bomb, 8, 4, 't')).toThrow(/is 100000x4/);
  });
});
