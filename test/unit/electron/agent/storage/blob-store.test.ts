import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore, isBlobHash } from '../../../../../electron/agent/storage/blob-store.js';
import { TroupeError } from '../../../../../shared/errors.js';

let dir: string;
let store: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-blobs-'));
  store = new BlobStore(join(dir, 'blobs'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A stream that hands over its bytes in several chunks, like a socket would. */
function chunked(bytes: Buffer, size = 1000): Readable {
  const parts: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return Readable.from(parts);
}

async function filesUnder(path: string): Promise<string[]> {
  return (await readdir(path, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
}

describe('isBlobHash', () => {
  it('accepts 64 lowercase hex characters only', () => {
    expect(isBlobHash('0'.repeat(64))).toBe(true);
    expect(isBlobHash('A'.repeat(64))).toBe(false);
    expect(isBlobHash('0'.repeat(63))).toBe(false);
    expect(isBlobHash(`../${'0'.repeat(61)}`)).toBe(false);
  });
});

describe('BlobStore', () => {
  it('stores a stream under its SHA-256 and reports its size', async () => {
    const bytes = randomBytes(100_000);
    const { hash, sizeBytes } = await store.put(chunked(bytes));
    expect(hash).toBe(sha256(bytes));
    expect(sizeBytes).toBe(bytes.length);
    expect(await store.size(hash)).toBe(bytes.length);
    expect(store.pathOf(hash)).toBe(join(dir, 'blobs', hash.slice(0, 2), hash));
    expect(Buffer.compare(await readFile(store.pathOf(hash)), bytes)).toBe(0);
    expect(await filesUnder(join(dir, 'blobs'))).toEqual([hash]); // no temporary file left behind
  });

  it.skipIf(process.platform === 'win32')('keeps blobs owner-only', async () => {
    const { hash } = await store.put(Readable.from([Buffer.from('private scene')]));
    expect((await stat(store.pathOf(hash))).mode & 0o077).toBe(0);
  });

  it('stores an empty stream', async () => {
    const { hash, sizeBytes } = await store.put(Readable.from([]));
    expect(hash).toBe(sha256(''));
    expect(sizeBytes).toBe(0);
    expect(await store.size(hash)).toBe(0);
  });

  it('accepts bytes matching the expected hash', async () => {
    const bytes = Buffer.from('scene v1');
    expect((await store.put(Readable.from([bytes]), sha256(bytes))).hash).toBe(sha256(bytes));
  });

  it('discards bytes that do not match the expected hash, leaving no file', async () => {
    const bytes = randomBytes(10_000);
    const claimed = sha256('something else');
    const err = await store.put(chunked(bytes), claimed).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as TroupeError).code).toBe('bad-request');
    expect(await store.size(claimed)).toBeNull();
    expect(await store.size(sha256(bytes))).toBeNull();
    expect(await filesUnder(join(dir, 'blobs'))).toEqual([]);
  });

  it('leaves no file when the source fails midway', async () => {
    const failing = new Readable({
      read() {
        this.push(randomBytes(1000));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put(failing)).rejects.toThrow(/connection reset/);
    expect(await filesUnder(join(dir, 'blobs'))).toEqual([]);
  });

  it('storing the same bytes twice is harmless', async () => {
    const bytes = Buffer.from('same');
    const first = await store.put(Readable.from([bytes]));
    const second = await store.put(Readable.from([bytes]));
    expect(second).toEqual(first);
    expect(await filesUnder(join(dir, 'blobs'))).toEqual([first.hash]);
  });

  it('reads a whole blob or an inclusive byte range', async () => {
    const content = '0123456789abcdefghij';
    const { hash } = await store.put(Readable.from([Buffer.from(content)]));
    expect(await text(store.read(hash))).toBe(content);
    expect(await text(store.read(hash, { start: 5, end: 9 }))).toBe('56789');
    expect(await text(store.read(hash, { start: 19, end: 19 }))).toBe('j');
    expect(await text(store.read(hash, { start: 10, end: 19 }))).toBe('abcdefghij');
  });

  it('knows nothing of blobs it does not have', async () => {
    expect(await store.size('f'.repeat(64))).toBeNull();
  });

  it('refuses names that are not content addresses', () => {
    expect(() => store.pathOf('../../etc/passwd')).toThrow(TroupeError);
    expect(() => store.read('ABC')).toThrow(TroupeError);
  });
});
