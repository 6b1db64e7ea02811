// Owns the render that follows a bake (`troupe simulate --then-render`): after each chunk, a bake
// so far (a `merge` here: the chunks' keyframes joined into the scene) that the built-in renderer
// can render from; one `frames` task per keyframe, waiting only for the first bake so far that
// holds its keyframe and the next (so the renderer interpolates between the same keys as in the
// final file, and each frame equals one rendered from it). Frame N is at N / fps seconds.
//
//   c0 -> c1 -> c2 -> ... -> c(n-1) -> bake
//   |      |      |                    |
//   p0     p1     p2 ...               (frames of the last chunk)
//   |      |      |
//   frames frames frames ...

import type { SubmissionOf, TaskSpec } from '../../../../shared/model/jobs.js';
import type { PHYSICS_ENGINE } from '../../../../shared/model/physics-jobs.js';
import { firstKeyframe } from './physics-stepper.js';

type PhysicsJob = SubmissionOf<typeof PHYSICS_ENGINE>;

/** The held blob of a bake so far (and of the final bake, when rendered): the .glb workers render from. */
export const BAKED_SO_FAR = 'baked-so-far.glb';

export function isPartialBake(task: TaskSpec): boolean {
  return task.kind === 'merge' && /:p\d+$/.test(task.taskId);
}

/** The bakes so far and the frames, for a bake whose chunks are `chunks` (in order) and whose assembly is `bakeId`. */
export function bakeRenderTasks(jobId: string, job: PhysicsJob, chunks: TaskSpec[], bakeId: string, chunkRange: (i: number) => { toStep: number }): TaskSpec[] {
  const render = job.thenRender;
  if (!render) return [];
  const settings = job.physics.settings;
  const last = chunks.length - 1;
  // Keyframes [0, ends[i]) are known once chunk i is done.
  const ends = chunks.map((_, i) => (i === last ? settings.keyframeCount : firstKeyframe(settings, chunkRange(i).toStep)));
  const partials: TaskSpec[] = chunks.slice(0, last).map((_, i) => ({
    taskId: `${jobId}:p${i}`,
    kind: 'merge',
    frames: [i],
    region: null,
    dependsOn: chunks.slice(0, i + 1).map((c) => c.taskId),
    cost: ends[i]! * job.physics.bodies * 0.01,
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
