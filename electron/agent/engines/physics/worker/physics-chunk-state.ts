// Owns the bytes that carry a run from one chunk to the next: Rapier's world snapshot behind a
// small header (our accumulators, and what the world was built from, so a snapshot cannot be
// continued with another scene, settings or overrides).
//
//   "TRPS" | u32 format | u32 header length | header (UTF-8 JSON) | Rapier snapshot
//
// JSON carries the accumulators' doubles exactly: JavaScript prints the shortest string that
// parses back to the same double.

import { open, readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import type { Accumulators } from './physics-accumulators.js';
import { BadPhysicsSnapshotError } from '../physics-errors.js';

const MAGIC = 0x53505254; // "TRPS" little-endian
const FORMAT = 1;

export interface ChunkHeader {
  /** Steps done: the next chunk starts here. */
  step: number;
  /** Fingerprint of the scene, settings and overrides the world was built from. */
  taskKey: string;
  bodyHandles: number[];
  accumulators: Accumulators;
}

const headerSchema = z.object({
  step: z.number().int().nonnegative(),
  taskKey: z.string(),
  // Rapier's handles are an index and a generation packed into a double's bits: any finite double.
  bodyHandles: z.array(z.number()),
  accumulators: z.object({
    bodies: z.array(z.object({ maxSpeedMPerS: z.number().nonnegative(), contacts: z.number().int().nonnegative(), restSinceStep: z.number().int().nonnegative().nullable() })),
    keyframeChain: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

export function encodeChunkState(header: ChunkHeader, rapierSnapshot: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.alloc(12 + json.length + rapierSnapshot.byteLength);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(FORMAT, 4);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  out.set(rapierSnapshot, 12 + json.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Node cannot read one file past 2 GiB into a buffer; the coordinator takes no larger snapshot either. */
export const MAX_SNAPSHOT_BYTES = 2 ** 31 - 1;

/** The snapshot in file `path`, refused before it is read when it is larger than `maxBytes`. */
export async function readSnapshotFile(path: string, maxBytes = MAX_SNAPSHOT_BYTES): Promise<Uint8Array> {
  const { size } = await stat(path);
  if (size > maxBytes) throw new BadPhysicsSnapshotError(`the snapshot to continue from is ${size} bytes; this run's can be at most ${maxBytes}`);
  return new Uint8Array(await readFile(path));
}

/** A header's JSON: about 130 bytes a body (its handle and accumulators); this is room for half a million. */
const MAX_HEADER_BYTES = 64 * 2 ** 20;

/** Only the header of the snapshot in file `path`, read without the world behind it (the coordinator checks a teammate's chunk this way). */
export async function readSnapshotHeader(path: string): Promise<ChunkHeader> {
  const file = await open(path, 'r');
  try {
    const start = Buffer.alloc(12);
    const { bytesRead } = await file.read(start, 0, 12, 0);
    if (bytesRead < 12) return decodeChunkState(start.subarray(0, bytesRead)).header; // refused: too short
    const length = start.readUInt32LE(8);
    if (length > MAX_HEADER_BYTES) throw new BadPhysicsSnapshotError(`the snapshot's header claims ${length} bytes; a header takes at most ${MAX_HEADER_BYTES}`);
    const bytes = Buffer.alloc(12 + length);
    start.copy(bytes);
    if (length > 0) await file.read(bytes, 12, length, 12);
    return decodeChunkState(bytes).header;
  } finally {
    await file.close();
  }
}

export function decodeChunkState(bytes: Uint8Array): { header: ChunkHeader; rapierSnapshot: Uint8Array } {
  const bad = (why: string): BadPhysicsSnapshotError => new BadPhysicsSnapshotError(`the snapshot to continue from ${why}; start that chunk again from the previous one's snapshot`);
  if (!(bytes instanceof Uint8Array) || bytes.byteLength < 12) throw bad('is too short to be one');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw bad('is not a Troupe physics snapshot');
  if (view.getUint32(4, true) !== FORMAT) throw bad(`has format ${view.getUint32(4, true)}, which this version does not read`);
  const length = view.getUint32(8, true);
  if (12 + length > bytes.byteLength) throw bad('is truncated');
  let header: ChunkHeader;
  try {
    header = headerSchema.parse(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset + 12, length).toString('utf8')));
  } catch {
    throw bad('has a damaged header');
  }
  return { header, rapierSnapshot: bytes.subarray(12 + length) };
}
