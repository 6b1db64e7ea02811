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

export class BadFrameError extends TroupeError {
  constructor(detail: string) {
    super('bad-frame', `Received a message this version of Troupe cannot read (${detail}).`);
  }
}

export function encodeFrame(message: unknown): Uint8Array {
  return encode(message);
}

export function decodeFrame<T>(schema: ZodType<T>, data: unknown, isBinary: boolean): T {
  if (!isBinary) throw new BadFrameError('text frame; frames are binary msgpack');
  const bytes = toBytes(data);
  if (bytes.byteLength > MAX_FRAME_BYTES) throw new BadFrameError(`frame of ${bytes.byteLength} bytes is over the limit`);
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
