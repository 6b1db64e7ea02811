// Owns the edge of every WebSocket we speak: msgpack bytes in, a schema-checked message out.
// Nothing past this point sees unvalidated peer input.

import { decode, encode } from '@msgpack/msgpack';
import type { ZodType } from 'zod';
import { TroupeError } from '../../../shared/errors.js';
import { MAX_FRAME_BYTES } from '../../../shared/protocol/index.js';

// Limits below the frame limit keep one hostile frame from costing more than it is long.
const DECODE_LIMITS = {
  maxStrLength: MAX_FRAME_BYTES,
  maxBinLength: MAX_FRAME_BYTES,
  maxArrayLength: 10_000,
  maxMapLength: 1_000,
  maxExtLength: 0,
};
/** Valid messages nest 3 deep (roster.sync > ops > op); the decoder itself has no depth limit. */
const MAX_DEPTH = 16;

export class BadFrameError extends TroupeError {
  constructor(detail: string) {
    super('bad-frame', `Received a message this version of Troupe cannot read (${detail}).`);
  }
}

let extraField: string | null = null;

/** Mixed-version tests only: every message sent carries a field today's schemas do not know. */
export function addExtraFieldToFrames(name: string): void {
  extraField = name;
}

export function encodeFrame(message: unknown): Uint8Array {
  if (extraField && message && typeof message === 'object' && 'type' in message) {
    return encode({ ...message, [extraField]: { note: 'a field from a later build' } });
  }
  return encode(message);
}

export function decodeFrame<T>(schema: ZodType<T>, data: unknown, isBinary: boolean): T {
  if (!isBinary) throw new BadFrameError('text frame; frames are binary msgpack');
  const bytes = toBytes(data);
  if (bytes.byteLength > MAX_FRAME_BYTES) throw new BadFrameError(`frame of ${bytes.byteLength} bytes is over the limit`);
  checkDepth(bytes);
  let raw: unknown;
  try {
    raw = decode(bytes, DECODE_LIMITS);
  } catch (err) {
    throw new BadFrameError(`not msgpack: ${(err as Error).message.slice(0, 120)}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadFrameError(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new BadFrameError('unknown frame type');
}

/**
 * Walks the msgpack headers (no values built) and refuses nesting past MAX_DEPTH. The decoder
 * spends about 0.3 µs and 150 bytes of heap per level, so one 1 MiB frame of nested arrays would
 * cost 0.4 s and 150 MB, and /pair takes frames from any machine. Anything else that is wrong is
 * left for the decoder to report.
 */
function checkDepth(bytes: Uint8Array): void {
  const open: number[] = []; // items still to come in each open array or map
  let pos = 0;
  const uint = (size: number): number => {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + (bytes[pos + i] ?? 0);
    pos += size;
    return v;
  };
  while (pos < bytes.length) {
    const b = bytes[pos++]!;
    let items = 0;
    if (b >= 0x80 && b <= 0x8f) items = (b - 0x80) * 2;
    else if (b >= 0x90 && b <= 0x9f) items = b - 0x90;
    else if (b >= 0xa0 && b <= 0xbf) pos += b - 0xa0;
    else if (b === 0xdc || b === 0xdd) items = uint(b === 0xdc ? 2 : 4);
    else if (b === 0xde || b === 0xdf) items = uint(b === 0xde ? 2 : 4) * 2;
    else if (b === 0xc4 || b === 0xd9) pos += uint(1);
    else if (b === 0xc5 || b === 0xda) pos += uint(2);
    else if (b === 0xc6 || b === 0xdb) pos += uint(4);
    else if (b >= 0xc7 && b <= 0xc9) pos += uint(2 ** (b - 0xc7)) + 1;
    else if (b >= 0xca && b <= 0xd8) pos += [4, 8, 1, 2, 4, 8, 1, 2, 4, 8, 2, 3, 5, 9, 17][b - 0xca]!;
    if (items > 0) {
      if (open.push(items) > MAX_DEPTH) throw new BadFrameError(`nested deeper than ${MAX_DEPTH} levels`);
      continue;
    }
    // One value done: it may be the last item of its container, and that of its own, and so on.
    while (open.length > 0 && --open[open.length - 1]! === 0) open.pop();
    if (open.length === 0) return; // the top-level value is complete
  }
}
