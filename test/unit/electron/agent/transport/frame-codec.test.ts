import { encode } from '@msgpack/msgpack';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { BadFrameError, decodeFrame, encodeFrame } from '../../../../../electron/agent/transport/frame-codec.js';
import { linkMessageSchema, MAX_FRAME_BYTES, pairMessageSchema, type LinkMessage } from '../../../../../shared/protocol/index.js';

const heartbeat: LinkMessage = {
  type: 'heartbeat',
  seq: 42,
  sentAtMs: 1_767_225_600_000,
  name: 'alpha',
  hasWork: false,
  roster: { teamId: 'c'.repeat(32), heads: ['d'.repeat(64)], count: 1 },
  capacity: {
    cores: 16,
    freeCores: 11.5,
    memoryBytes: 64 * 2 ** 30,
    freeMemoryBytes: 40 * 2 ** 30,
    load: 0.75,
    sharing: { mode: 'on', coreCap: null },
  },
};

function decodeError(data: unknown, isBinary = true): unknown {
  try {
    decodeFrame(linkMessageSchema, data, isBinary);
  } catch (err) {
    return err;
  }
  return undefined;
}

function expectBadFrame(data: unknown, isBinary = true): BadFrameError {
  const err = decodeError(data, isBinary);
  expect(err).toBeInstanceOf(BadFrameError);
  expect((err as BadFrameError).code).toBe('bad-frame');
  return err as BadFrameError;
}

describe('encodeFrame / decodeFrame', () => {
  it('round-trips a heartbeat', () => {
    const bytes = encodeFrame(heartbeat);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(decodeFrame(linkMessageSchema, bytes, true)).toEqual(heartbeat);
  });

  it('accepts the shapes ws hands over: Buffer, ArrayBuffer, fragments', () => {
    const bytes = Buffer.from(encodeFrame(heartbeat));
    expect(decodeFrame(linkMessageSchema, bytes, true)).toEqual(heartbeat);
    const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    expect(decodeFrame(linkMessageSchema, ab, true)).toEqual(heartbeat);
    expect(decodeFrame(linkMessageSchema, [bytes.subarray(0, 7), bytes.subarray(7)], true)).toEqual(heartbeat);
  });

  it('rejects a text frame', () => {
    const err = expectBadFrame(encodeFrame(heartbeat), false);
    expect(err.message).toMatch(/text frame/);
  });

  it('rejects data of an unknown kind', () => {
    expectBadFrame('a string', true);
    expectBadFrame(12, true);
    expectBadFrame(null, true);
  });

  it('rejects an unknown message type', () => {
    expectBadFrame(encode({ type: 'shutdown', now: true }));
    expectBadFrame(encode({ ...heartbeat, type: 'pair.hello' }));
  });

  it('rejects a message of another channel', () => {
    const pairOnly = encode({ type: 'pair.approved' });
    expect(decodeFrame(pairMessageSchema, pairOnly, true)).toEqual({ type: 'pair.approved' });
    expectBadFrame(pairOnly);
  });

  it('ignores fields it does not know (a later version may add them), and fills what older versions leave out', () => {
    expect(decodeFrame(linkMessageSchema, encode({ ...heartbeat, extra: 1 }), true)).toEqual(heartbeat);
    expect(decodeFrame(linkMessageSchema, encode({ ...heartbeat, capacity: { ...heartbeat.capacity, extra: { a: [1] } } }), true)).toEqual(heartbeat);
    const { roster: _roster, ...withoutRoster } = heartbeat as Extract<LinkMessage, { type: 'heartbeat' }>;
    expect(decodeFrame(linkMessageSchema, encode(withoutRoster), true)).toEqual({ ...heartbeat, roster: null });
  });

  it('still rejects unknown message types and wrong types of known fields', () => {
    expectBadFrame(encode({ type: 'x.future' }));
    expectBadFrame(encode({ ...heartbeat, roster: { teamId: 'c'.repeat(32), heads: ['nothex'] } }));
  });

  it('rejects missing fields and wrong types', () => {
    const { seq: _seq, ...noSeq } = heartbeat as Extract<LinkMessage, { type: 'heartbeat' }>;
    expectBadFrame(encode(noSeq));
    expectBadFrame(encode({ ...heartbeat, seq: '42' }));
    expectBadFrame(encode({ ...heartbeat, seq: -1 }));
    expectBadFrame(encode({ ...heartbeat, name: '' }));
  });

  it('rejects huge arrays before building them', () => {
    const err = expectBadFrame(encode({ type: 'roster.ops', ops: new Array(20_000).fill(0), more: false }));
    expect(err.message).toMatch(/not msgpack/);
    // a header claiming 4 billion elements, backed by nothing
    expectBadFrame(Uint8Array.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0x00]));
    // within the decoder's limit but over the schema's 512 ops a message
    expectBadFrame(encode({ type: 'roster.ops', ops: new Array(513).fill({}), more: false }));
  });

  it('rejects huge maps and extension types', () => {
    const big: Record<string, number> = {};
    for (let i = 0; i < 1500; i++) big[`k${i}`] = i;
    expectBadFrame(encode({ type: 'team.addresses', addresses: big }));
    expectBadFrame(encode({ ...heartbeat, sentAtMs: new Date(0) })); // timestamp extension
  });

  it('rejects frames over the size limit', () => {
    const err = expectBadFrame(new Uint8Array(MAX_FRAME_BYTES + 1));
    expect(err.message).toMatch(/over the limit/);
  });

  it('rejects trailing bytes after a valid message', () => {
    const bytes = encodeFrame(heartbeat);
    expectBadFrame(Buffer.concat([bytes, Buffer.from([0xc0])]));
  });

  it('rejects a __proto__ key without polluting anything', () => {
    // {"__proto__": {"polluted": true}} written by hand
    const bytes = Buffer.concat([
      Buffer.from([0x81, 0xa9]),
      Buffer.from('__proto__'),
      Buffer.from([0x81, 0xa8]),
      Buffer.from('polluted'),
      Buffer.from([0xc3]),
    ]);
    expectBadFrame(bytes);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects deep nesting before decoding it (a 1 MiB frame of it once cost 0.4 s and 150 MB)', () => {
    // How long a refusal takes is a figure of `npm run bench:team`; here, that the depth check is what refuses.
    for (const header of [0x91, 0x9f, 0x81, 0xdc]) {
      const err = expectBadFrame(Buffer.alloc(MAX_FRAME_BYTES, header));
      if (header !== 0xdc) expect(err.message).toMatch(/nested deeper than 16/);
    }
    // 16 levels still reach the schema, which then refuses the shape; and wide is not deep.
    expect(expectBadFrame(Buffer.concat([Buffer.alloc(16, 0x91), Buffer.from([0xc0])])).message).toMatch(/expected object/);
    expect(
      expectBadFrame(encode({ ops: Array.from({ length: 100 }, () => [[{ a: [1, 'x', new Uint8Array(300)] }]]) })).message,
    ).not.toMatch(/nested/);
    const sync = { type: 'team.addresses', addresses: { ['ab'.repeat(32)]: ['10.0.0.1:47800'] } };
    expect(decodeFrame(linkMessageSchema, encode(sync), true)).toEqual(sync);
  });

  it('turns any random bytes into a BadFrameError and nothing else', () => {
    const valid = Buffer.from(encodeFrame(heartbeat));
    for (let i = 0; i < 2000; i++) {
      let data: Buffer;
      if (i % 3 === 0) {
        data = randomBytes(randomBytes(1)[0]!);
      } else if (i % 3 === 1) {
        data = valid.subarray(0, randomBytes(1)[0]! % valid.length); // truncated
      } else {
        data = Buffer.from(valid); // a few flipped bytes
        for (let k = 0; k < 1 + (i % 4); k++) data[randomBytes(1)[0]! % data.length] = randomBytes(1)[0]!;
      }
      const err = decodeError(data);
      if (err !== undefined) {
        expect(err, `input ${data.toString('hex')}`).toBeInstanceOf(BadFrameError);
      }
    }
  });
});
