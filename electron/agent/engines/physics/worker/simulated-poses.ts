// Owns turning the run's recorded world poses into what a node's animation needs: each moving
// body's local translation and rotation under its glTF parent, whose own pose may move too (a
// body inside another body). Rotations are kept on one hemisphere, key to key, so LINEAR
// (spherical) interpolation takes the short way round.

import { BadPhysicsChunksError } from '../physics-errors.js';
import type { PhysicsScene, Quat, Vec3 } from '../reading/physics-scene.js';
import { POSE_FLOATS } from './physics-stepper.js';
import { composeSimilarity, quatConjugate, quatMultiply, quatRotate } from '../reading/trs-math.js';

export interface RunKeyframes {
  /** The step after which each keyframe was recorded; time = step × dt. */
  steps: Uint32Array;
  /** keyframes × bodies × 7 world-space floats (translation, rotation). */
  poses: Float32Array;
}

export interface LocalTracks {
  /** keyframes × 3 */
  translation: Float32Array;
  /** keyframes × 4 */
  rotation: Float32Array;
}

/** Local tracks of every body of `scene`, in its order. */
export function localTracks(scene: PhysicsScene, keyframes: RunKeyframes): LocalTracks[] {
  const count = keyframes.steps.length;
  const n = scene.bodies.length;
  const worldAt = (k: number, b: number): { t: Vec3; q: Quat } => {
    const at = (k * n + b) * POSE_FLOATS;
    const p = keyframes.poses;
    return { t: [p[at]!, p[at + 1]!, p[at + 2]!], q: [p[at + 3]!, p[at + 4]!, p[at + 5]!, p[at + 6]!] };
  };
  return scene.bodies.map((body, b) => {
    const translation = new Float32Array(count * 3);
    const rotation = new Float32Array(count * 4);
    let previous: Quat | null = null;
    for (let k = 0; k < count; k++) {
      const { t, q } = worldAt(k, b);
      const frame = body.parent;
      const parent =
        frame.body === null
          ? frame
          : (() => {
              const holder = worldAt(k, frame.body);
              return composeSimilarity({ translation: holder.t, rotation: holder.q }, frame.translation, frame.rotation, frame.scale);
            })();
      const inverse = quatConjugate(parent.rotation);
      let local = quatMultiply(inverse, q);
      if (previous && local[0] * previous[0] + local[1] * previous[1] + local[2] * previous[2] + local[3] * previous[3] < 0) local = local.map((x) => -x) as Quat;
      previous = local;
      const offset = quatRotate(inverse, [t[0] - parent.translation[0], t[1] - parent.translation[1], t[2] - parent.translation[2]]);
      translation.set(offset.map((x) => x / parent.scale), k * 3);
      rotation.set(local, k * 4);
    }
    return { translation, rotation };
  });
}

/**
 * One run's keyframes from its chunks' (in order, each starting where the last ended): from
 * keyframe 0, or with `start` from the first chunk's first keyframe (a bake so far keeps a window).
 */
export function mergeKeyframes(chunks: { first: number; steps: Uint32Array; poses: Float32Array }[], start = 0): RunKeyframes {
  let expected = start;
  for (const chunk of chunks) {
    if (chunk.first !== expected) throw new BadPhysicsChunksError(`a chunk's keyframes start at keyframe ${chunk.first}, where ${expected} was next: give every chunk of the run, in order`);
    expected += chunk.steps.length;
  }
  // A whole run in one piece (a variant) is its own join: no copy of what may be hundreds of MiB.
  if (chunks.length === 1) return { steps: chunks[0]!.steps, poses: chunks[0]!.poses };
  const steps = new Uint32Array(expected);
  const poses = new Float32Array(chunks.reduce((n, c) => n + c.poses.length, 0));
  let at = 0;
  let pose = 0;
  for (const chunk of chunks) {
    steps.set(chunk.steps, at);
    poses.set(chunk.poses, pose);
    at += chunk.steps.length;
    pose += chunk.poses.length;
  }
  return { steps, poses };
}

/** Keyframes [first, end) of `keyframes`, which start at keyframe `start`: views, not copies. */
export function keyframeWindow(keyframes: RunKeyframes, start: number, first: number, end: number, bodies: number): RunKeyframes {
  if (first < start || end > start + keyframes.steps.length || first > end) {
    throw new BadPhysicsChunksError(`keyframes ${first} to ${end} are not among the ${keyframes.steps.length} from keyframe ${start}`);
  }
  const per = bodies * POSE_FLOATS;
  return { steps: keyframes.steps.subarray(first - start, end - start), poses: keyframes.poses.subarray((first - start) * per, (end - start) * per) };
}
