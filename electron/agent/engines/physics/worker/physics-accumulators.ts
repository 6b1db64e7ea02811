// Owns what a run remembers about each body besides the world itself, carried from chunk to
// chunk with the snapshot: top speed, contacts begun, since when it has been at rest, and a hash
// chain over the keyframes so far (so the final hash does not depend on where chunks were cut).
//
// At rest: asleep in Rapier (from the step it fell asleep in), or moving slower than
// REST_SPEED_M_PER_S and turning slower than REST_ANGULAR_SPEED_RAD_PER_S at a keyframe.
// restSeconds is the start of the last unbroken run at rest that lasts to the end, or null if the
// body moves at the end. Speeds are read at keyframes (physics-stepper says why).

import { createHash } from 'node:crypto';

export const REST_SPEED_M_PER_S = 0.01;
export const REST_ANGULAR_SPEED_RAD_PER_S = 0.05;

export interface BodyAccumulator {
  /** m/s of the centre of mass, the highest at the start or any keyframe. */
  maxSpeedMPerS: number;
  /** Contact pairs that began touching (a collision-started event), with any other collider. */
  contacts: number;
  /** The step from whose end the body has stayed at rest, or null while it moves. */
  restSinceStep: number | null;
}

export interface Accumulators {
  bodies: BodyAccumulator[];
  /** sha256 hex over the keyframes so far, each hashed onto the last; 64 zeros before the first. */
  keyframeChain: string;
}

export function freshAccumulators(bodyCount: number): Accumulators {
  return {
    bodies: Array.from({ length: bodyCount }, () => ({ maxSpeedMPerS: 0, contacts: 0, restSinceStep: null })),
    keyframeChain: '0'.repeat(64),
  };
}

/** Adds one keyframe (every body's 7 float32: translation, rotation) to the chain. */
export function chainKeyframe(acc: Accumulators, keyframe: Float32Array): void {
  acc.keyframeChain = createHash('sha256')
    .update(Buffer.from(acc.keyframeChain, 'hex'))
    .update(new Uint8Array(keyframe.buffer, keyframe.byteOffset, keyframe.byteLength))
    .digest('hex');
}

/** The run's hash: the keyframe chain and the world's bytes at the end, to compare runs across machines. */
export function resultHash(acc: Accumulators, rapierSnapshot: Uint8Array): string {
  return createHash('sha256').update(Buffer.from(acc.keyframeChain, 'hex')).update(rapierSnapshot).digest('hex');
}
