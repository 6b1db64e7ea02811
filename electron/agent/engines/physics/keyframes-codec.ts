// Owns the bytes of a chunk's keyframes as they travel from a worker to the coordinator, which
// joins every chunk's into the bake's animation: a small header, then the steps and the poses as
// little-endian arrays, so the coordinator reads exactly the floats the worker's Rapier made.
//
//   "TRKF" u32 version=1 | u32 first | u32 count | u32 bodies | count × u32 step | count × bodies × 7 × f32

import { BadPhysicsChunksError, BadPhysicsSnapshotError } from './physics-errors.js';
import { POSE_FLOATS, type ChunkKeyframes } from './worker/physics-stepper.js';

const MAGIC = 0x464b5254; // "TRKF" read little-endian
const HEADER_BYTES = 20;

export function keyframesByteLength(count: number, bodies: number): number {
  return HEADER_BYTES + count * 4 + count * bodies * POSE_FLOATS * 4;
}

export function encodeKeyframes(k: ChunkKeyframes, bodies: number): Uint8Array {
  const count = k.steps.length;
  if (k.poses.length !== count * bodies * POSE_FLOATS) throw new Error(`keyframes hold ${k.poses.length} floats, not ${count} x ${bodies} bodies x ${POSE_FLOATS}`);
  const out = new Uint8Array(keyframesByteLength(count, bodies));
  const view = new DataView(out.buffer);
  [MAGIC, 1, k.first, count, bodies].forEach((v, i) => view.setUint32(i * 4, v, true));
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++, at += 4) view.setUint32(at, k.steps[i]!, true);
  for (let i = 0; i < k.poses.length; i++, at += 4) view.setFloat32(at, k.poses[i]!, true);
  return out;
}

export function decodeKeyframes(bytes: Uint8Array, bodies: number): ChunkKeyframes {
  const bad = (why: string): never => {
    throw new BadPhysicsSnapshotError(`a chunk's keyframes are damaged: ${why}`);
  };
  if (bytes.byteLength < HEADER_BYTES) bad('too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== 1) bad('not keyframes of this version');
  const first = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  if (view.getUint32(16, true) !== bodies) bad(`they are for ${view.getUint32(16, true)} bodies, the scene has ${bodies}`);
  if (bytes.byteLength !== keyframesByteLength(count, bodies)) bad(`${bytes.byteLength} bytes for ${count} keyframes`);
  const steps = new Uint32Array(count);
  const poses = new Float32Array(count * bodies * POSE_FLOATS);
  let at = HEADER_BYTES;
  for (let i = 0; i < count; i++, at += 4) steps[i] = view.getUint32(at, true);
  for (let i = 0; i < poses.length; i++, at += 4) poses[i] = view.getFloat32(at, true);
  return { first, steps, poses };
}

/**
 * Throws BadPhysicsChunksError unless `bytes` are exactly the keyframes a chunk must send: keyframes
 * [first, end) of `bodies` bodies, each at the step `stepOf` gives, every float finite. The
 * coordinator checks a teammate's chunk this way before it counts as done, reading the bytes in
 * place (nothing is copied): a chunk that lies about where or how many its keyframes are, or sends
 * NaN, fails as a task (and is run elsewhere) instead of failing the bake when the chunks are joined.
 */
export function checkChunkKeyframes(bytes: Uint8Array, bodies: number, first: number, end: number, stepOf: (k: number) => number): void {
  const bad = (why: string): never => {
    throw new BadPhysicsChunksError(`a chunk's keyframes are wrong: ${why}`);
  };
  const count = end - first;
  if (bytes.byteLength !== keyframesByteLength(count, bodies)) bad(`${bytes.byteLength} bytes, where ${count} keyframes of ${bodies} bodies take ${keyframesByteLength(count, bodies)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = [MAGIC, 1, first, count, bodies];
  header.forEach((v, i) => {
    if (view.getUint32(i * 4, true) !== v) bad(`header field ${i} is ${view.getUint32(i * 4, true)}, not ${v}`);
  });
  let at = HEADER_BYTES;
  for (let k = first; k < end; k++, at += 4) if (view.getUint32(at, true) !== stepOf(k)) bad(`keyframe ${k} is at step ${view.getUint32(at, true)}, not ${stepOf(k)}`);
  for (; at < bytes.byteLength; at += 4) if (!Number.isFinite(view.getFloat32(at, true))) bad(`a pose holds ${view.getFloat32(at, true)}`);
}
