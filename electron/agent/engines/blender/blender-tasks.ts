// Owns compiling a Blender job into tasks: a pure function of the submission. An animation is cut
// into frame chunks (one kept-alive Blender per worker makes small chunks cheap, so every machine
// gets several); a still into horizontal regions plus a stitch that runs on a worker with Blender,
// since the stitched frame must pass through Blender's own colour management and file writer; a
// bake is one task.

import type { TaskSpec } from '../../../../shared/model/jobs.js';
import { chunkSizeFor, equalRows } from '../../jobs/compile-render-job.js';
import type { CompileHints } from '../../jobs/job-type.js';
import type { BlenderSubmission } from './blender-wire.js';

type BlenderJob = BlenderSubmission;

/** A still is cut into this many regions per machine: enough to balance, few enough that each pays its start. */
const REGIONS_PER_WORKER = 2;
/** Frames in a chunk before any frame of the scene was timed. */
const DEFAULT_MAX_CHUNK = 4;

/** The stitch task of a still's frame: a `frames` task (leased to a worker) that waits for the regions. */
export function stitchTaskId(jobId: string, frame: number): string {
  return `${jobId}:stitch${frame}`;
}

export function isStitch(task: TaskSpec): boolean {
  return task.kind === 'frames' && task.dependsOn.length > 0;
}

export function isBake(job: BlenderJob): boolean {
  return job.blender.job === 'bake';
}

/** The frames of the job, honouring the step. */
export function jobFrames(job: BlenderJob): number[] {
  const frames: number[] = [];
  for (let f = job.settings.frameStart; f <= job.settings.frameEnd; f += job.blender.frameStep) frames.push(f);
  return frames;
}

export function compileBlenderJob(jobId: string, job: BlenderJob, hints: CompileHints): TaskSpec[] {
  const { width, height, samplesPerPixel, frameStart } = job.settings;
  const frameCost = width * height * samplesPerPixel;
  const workers = Math.max(1, hints.workersHint);
  if (isBake(job)) return [{ taskId: `${jobId}:bake`, kind: 'frames', frames: [frameStart], region: null, dependsOn: [], cost: frameCost }];
  if (job.kind === 'still') {
    // Whole when asked (a denoised still), or when one machine is all the team there is.
    if (job.blender.wholeFrame || workers === 1) return [{ taskId: `${jobId}:f${frameStart}`, kind: 'frames', frames: [frameStart], region: null, dependsOn: [], cost: frameCost }];
    return regionTasks(jobId, frameStart, width, height, samplesPerPixel, REGIONS_PER_WORKER * workers);
  }
  const frames = jobFrames(job);
  // Every machine should get about four chunks (a newcomer still finds work); a measured frame time
  // caps a chunk near TARGET_TASK_MS, and without one a chunk is at most DEFAULT_MAX_CHUNK frames.
  const cap = hints.frameMsEstimate ? chunkSizeFor(hints.frameMsEstimate) : DEFAULT_MAX_CHUNK;
  const chunk = Math.max(1, Math.min(cap, Math.ceil(frames.length / (workers * 4))));
  const tasks: TaskSpec[] = [];
  for (let i = 0; i < frames.length; i += chunk) {
    const part = frames.slice(i, i + chunk);
    const id = part.length === 1 ? `f${part[0]}` : `f${part[0]}-${part[part.length - 1]}`;
    tasks.push({ taskId: `${jobId}:${id}`, kind: 'frames', frames: part, region: null, dependsOn: [], cost: frameCost * part.length });
  }
  return tasks;
}

/** Equal horizontal bands of one frame, and the stitch that joins them. */
export function regionTasks(jobId: string, frame: number, width: number, height: number, samplesPerPixel: number, parts: number): TaskSpec[] {
  const regions: TaskSpec[] = [];
  let y = 0;
  equalRows(height, parts).forEach((rows, i) => {
    regions.push({
      taskId: `${jobId}:b${frame}.${i}`,
      kind: 'bucket',
      frames: [frame],
      region: { x: 0, y, width, height: rows },
      dependsOn: [],
      cost: width * rows * samplesPerPixel,
    });
    y += rows;
  });
  const stitch: TaskSpec = {
    taskId: stitchTaskId(jobId, frame),
    kind: 'frames',
    frames: [frame],
    region: null,
    dependsOn: regions.map((r) => r.taskId),
    cost: width * height * 0.01, // reading and writing pixels, not rendering them
  };
  return [...regions, stitch];
}
