// Owns turning a render submission into tasks: a pure function, testable with no network.
// Animations become frames or chunks of frames; a still becomes buckets that shrink towards the
// end (guided self-scheduling), then one merge task that stitches them.

import type { JobAbout, JobKind, Region, RenderJobSettings, TaskSpec } from '../../../shared/model/jobs.js';

/** What every job that renders images has: a still or an animation, and its render settings. */
export interface ImageJob {
  kind: JobKind;
  settings: RenderJobSettings;
}

/** The line and the image shape the views show for an image job: "49 frames, 1280×720, 64 samples". */
export function describeImages(job: ImageJob): Pick<JobAbout, 'description' | 'images'> {
  const { width, height, samplesPerPixel, frameStart, frameEnd } = job.settings;
  const still = job.kind === 'still';
  const frames = still ? 'still' : `${frameEnd - frameStart + 1} frames`;
  return { description: `${frames}, ${width}×${height}, ${samplesPerPixel} samples`, images: { width, height, frameStart, frameEnd, still } };
}

/** A chunk should take about this long, so lease and transfer overhead stays small. */
export const TARGET_TASK_MS = 10_000;
const MAX_CHUNK_FRAMES = 16;
const MIN_BUCKET_ROWS = 8;

export interface CompileOptions {
  /** Measured time of one frame on a typical worker (from an earlier job on this scene), if known. */
  frameMsEstimate?: number;
  /** How many machines will share the work: bucket sizes scale with it. */
  workersHint: number;
}

export function chunkSizeFor(frameMsEstimate: number | undefined): number {
  if (!frameMsEstimate || frameMsEstimate <= 0) return 1;
  return Math.max(1, Math.min(MAX_CHUNK_FRAMES, Math.floor(TARGET_TASK_MS / frameMsEstimate)));
}

export function compileRenderJob(jobId: string, submission: ImageJob, options: CompileOptions): TaskSpec[] {
  const { width, height, samplesPerPixel, frameStart, frameEnd } = submission.settings;
  const pixelCost = width * height * samplesPerPixel;
  if (submission.kind === 'animation') {
    // Chunks amortise overhead, but every machine should still get several tasks (and a newcomer one).
    const frames = frameEnd - frameStart + 1;
    const chunk = Math.max(1, Math.min(chunkSizeFor(options.frameMsEstimate), Math.floor(frames / (Math.max(1, options.workersHint) * 4))));
    const tasks: TaskSpec[] = [];
    for (let start = frameStart; start <= frameEnd; start += chunk) {
      const frames = range(start, Math.min(frameEnd, start + chunk - 1));
      const id = frames.length === 1 ? `f${start}` : `f${start}-${frames[frames.length - 1]}`;
      // One frame alone may be cut into buckets at run time if a slow machine would straggle on it.
      tasks.push({ taskId: `${jobId}:${id}`, kind: 'frames', frames, region: null, dependsOn: [], cost: pixelCost * frames.length, ...(frames.length === 1 ? { splittable: true } : {}) });
    }
    return tasks;
  }
  return bucketTasks(jobId, frameStart, width, height, samplesPerPixel, bucketRows(height, options.workersHint));
}

/** Splits one frame into buckets (+ merge); used for stills and for a straggling frame at the end of an animation. */
export function bucketTasks(jobId: string, frame: number, width: number, height: number, samplesPerPixel: number, rows: number[], tag = ''): TaskSpec[] {
  const buckets: TaskSpec[] = [];
  let y = 0;
  rows.forEach((h, i) => {
    const region: Region = { x: 0, y, width, height: h };
    buckets.push({ taskId: `${jobId}:b${frame}${tag}.${i}`, kind: 'bucket', frames: [frame], region, dependsOn: [], cost: width * h * samplesPerPixel });
    y += h;
  });
  const merge: TaskSpec = {
    taskId: `${jobId}:m${frame}${tag}`,
    kind: 'merge',
    frames: [frame],
    region: null,
    dependsOn: buckets.map((b) => b.taskId),
    cost: width * height * 0.01, // reading and encoding pixels, not rendering them
    runsOn: 'coordinator', // where the float tiles already are
  };
  return [...buckets, merge];
}

/**
 * Row counts of horizontal buckets, largest first: each takes 1/(2P) of the rows still left,
 * so early buckets amortise overhead and the last ones are small enough not to straggle.
 */
export function bucketRows(height: number, workers: number, maxBuckets = 256): number[] {
  const parts = Math.max(1, workers) * 2;
  const minRows = Math.max(MIN_BUCKET_ROWS, Math.ceil(height / maxBuckets));
  const rows: number[] = [];
  let left = height;
  while (left > 0) {
    const h = Math.min(left, Math.max(minRows, Math.ceil(left / parts)));
    rows.push(h);
    left -= h;
  }
  return rows;
}

/** Equal rows: used when a frame is split at run time into a known number of parts. */
export function equalRows(height: number, parts: number): number[] {
  const n = Math.max(1, Math.min(parts, Math.floor(height / MIN_BUCKET_ROWS) || 1));
  const rows: number[] = [];
  for (let i = 0; i < n; i++) rows.push(Math.floor(((i + 1) * height) / n) - Math.floor((i * height) / n));
  return rows;
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}
