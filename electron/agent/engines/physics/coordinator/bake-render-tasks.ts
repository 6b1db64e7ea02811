// Owns the render that follows a bake (`troupe simulate --then-render`): after each chunk, a bake
// so far (a `merge` here: the chunks' keyframes joined into the scene) that the built-in renderer
// can render from; one `frames` task per keyframe, waiting only for the first bake so far that
// holds its keyframe and the next (so the renderer interpolates between the same keys as in the
// final file, and each frame equals one rendered from it). Frame N is at N / fps seconds.
// A bake so far holds only the keyframes its frames can land between, not the whole bake: one
// per chunk of a long bake would otherwise hold (and write) the bake again and again.
//
//   c0 -> c1 -> c2 -> ... -> c(n-1) -> bake
//   |      |      |                    |
//   p0     p1     p2 ...               (frames of the last chunk)
//   |      |      |
//   frames frames frames ...

import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import type { PhysicsSubmission } from '../physics-wire.js';
import type { CheckedPhysicsSettings } from '../physics-settings.js';
import { firstKeyframe } from '../worker/physics-stepper.js';

type PhysicsJob = PhysicsSubmission;

/** The held blob of a bake so far (and of the final bake, when rendered): the .glb workers render from. */
export const BAKED_SO_FAR = 'baked-so-far.glb';

export function isPartialBake(task: TaskSpec): boolean {
  return task.kind === 'merge' && /:p\d+$/.test(task.taskId);
}

/** Keyframes [0, end) are known once chunk `i` is done. */
function knownKeyframes(settings: CheckedPhysicsSettings, i: number, chunkRange: ChunkRange): number {
  return firstKeyframe(settings, chunkRange(i).toStep);
}

/**
 * The keyframes bake so far `i` (made after chunk i, not the last) holds, and the chunks they are
 * in. Its frames F are those whose keyframe F + 1 became known with chunk i. Frame F's moment
 * F / fps lies between keyframes F - 1 and F + 1 (keyframes are at whole steps, at most half a
 * step from their moment, and fps × dt <= 1), so keyframes from the first frame's F - 1 are kept.
 */
export function partialBakeWindow(settings: CheckedPhysicsSettings, i: number, chunkRange: ChunkRange): { first: number; end: number; chunks: number[] } {
  const end = knownKeyframes(settings, i, chunkRange);
  const first = i === 0 ? 0 : Math.max(0, knownKeyframes(settings, i - 1, chunkRange) - 2);
  let c = i;
  while (c > 0 && knownKeyframes(settings, c - 1, chunkRange) > first) c--;
  return { first, end, chunks: Array.from({ length: i - c + 1 }, (_, k) => c + k) };
}

type ChunkRange = (i: number) => { toStep: number };

/** The bakes so far and the frames, for a bake whose chunks are `chunks` (in order) and whose assembly is `bakeId`. */
export function bakeRenderTasks(jobId: string, job: PhysicsJob, chunks: TaskSpec[], bakeId: string, chunkRange: ChunkRange): TaskSpec[] {
  const render = job.thenRender;
  if (!render) return [];
  const settings = job.physics.settings;
  const last = chunks.length - 1;
  const ends = chunks.map((_, i) => (i === last ? settings.keyframeCount : knownKeyframes(settings, i, chunkRange)));
  const partials: TaskSpec[] = chunks.slice(0, last).map((_, i) => ({
    taskId: `${jobId}:p${i}`,
    kind: 'merge',
    runsOn: 'coordinator',
    frames: [i],
    region: null,
    dependsOn: chunks.slice(0, i + 1).map((c) => c.taskId),
    cost: (ends[i]! - (i === 0 ? 0 : ends[i - 1]!) + 2) * job.physics.bodies * 0.01,
  }));
  const source = (i: number): string => (i === last ? bakeId : partials[i]!.taskId);
  const frames: TaskSpec[] = [];
  let chunk = 0;
  for (let f = render.frameStart; f <= render.frameEnd; f++) {
    while (chunk < last && f + 1 >= ends[chunk]!) chunk++;
    frames.push({ taskId: `${jobId}:f${f}`, kind: 'frames', frames: [f], region: null, dependsOn: [source(chunk)], cost: render.width * render.height * render.samplesPerPixel });
  }
  return [...partials, ...frames];
}
