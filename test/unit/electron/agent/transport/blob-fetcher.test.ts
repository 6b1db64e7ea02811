// The fetcher's checks that need no network: what a lease may ask for, and which partial files go.
// Transfers over real TLS are in test/integration (blob-transfer, attack-budgets).

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../../../../../electron/agent/identity/identity-store.js';
import { BlobCache } from '../../../../../electron/agent/storage/blob-cache.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';
import { DiskRoom } from '../../../../../electron/agent/storage/disk-room.js';
import { BlobFetcher, PARTIAL_KEEP_MS } from '../../../../../electron/agent/transport/blob-fetcher.js';

const MB = 1e6;
let dir: string;
let identity: Identity;
let store: BlobStore;
let partialDir: string;
const space = { freeBytes: 0, totalBytes: 1e12 };
const hash = () => randomBytes(32).toString('hex');

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-fetcher-'));
  identity = await loadOrCreateIdentity(join(dir, 'id'), { allowNew: true, hasTeam: false });
  store = new BlobStore(join(dir, 'blobs'));
  partialDir = join(dir, 'partial');
  await mkdir(partialDir);
  space.freeBytes = 100 * MB;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fetcher(opts: { maxBlobBytes?: number; maxLeaseInputBytes?: number; cache?: BlobCache } = {}): BlobFetcher {
  const f = new BlobFetcher(identity, store, partialDir, { room: new DiskRoom(dir, async () => ({ ...space })), ...opts });
  f.close();
  return f;
}

describe('BlobFetcher.checkInputs', () => {
  it('refuses a task whose inputs together, or any one of them, are over the limits', async () => {
    const f = fetcher({ maxBlobBytes: 40 * MB, maxLeaseInputBytes: 50 * MB });
    await expect(f.checkInputs('t1', [{ hash: hash(), sizeBytes: 30 * MB }, { hash: hash(), sizeBytes: 30 * MB }])).rejects.toThrow(
      'Task t1 has 60.0 MB of inputs, more than the 50.0 MB one task may bring to this machine',
    );
    await expect(f.checkInputs('t2', [{ hash: hash(), sizeBytes: 45 * MB }])).rejects.toThrow(/an input of 45\.0 MB, more than the 40\.0 MB this machine keeps of any one file/);
    await expect(f.checkInputs('t3', [{ hash: hash(), sizeBytes: Number.MAX_SAFE_INTEGER }])).rejects.toThrow(/9007 TB of inputs/);
  });

  it('counts only what is missing: blobs in the store and partial files already here need no room', async () => {
    const f = fetcher();
    space.freeBytes = 30 * MB; // 30 MB free, a 1 GiB margin: nothing fits
    const stored = await store.put(Readable.from([randomBytes(1000)]));
    await f.checkInputs('t', [{ hash: stored.hash, sizeBytes: stored.sizeBytes }]);
    const partial = hash();
    await writeFile(join(partialDir, `${partial}.partial`), Buffer.alloc(2000));
    await f.checkInputs('t', [{ hash: partial, sizeBytes: 2000 }]);
    await expect(f.checkInputs('t', [{ hash: partial, sizeBytes: 3000 }])).rejects.toThrow(/^Task t needs 1\.0 KB for its inputs, this machine has 30\.0 MB free \(it keeps 1\.1 GB spare\)/);
  });

  it('makes room first: stale partial files go, then least recently used cache entries', async () => {
    space.totalBytes = 100 * MB; // margin 5 MB
    space.freeBytes = 15 * MB;
    const cache = new BlobCache(store, join(dir, 'blobs'), 1e12);
    const old = await store.put(Readable.from([randomBytes(1000)]));
    const f = fetcher({ cache });
    await writeFile(join(partialDir, `${hash()}.partial`), Buffer.alloc(1000));
    // The disk does not shrink as files go here, so the check fails, but only after trying.
    await expect(f.checkInputs('t', [{ hash: hash(), sizeBytes: 20 * MB }])).rejects.toThrow(/needs 20\.0 MB for its inputs, this machine has 15\.0 MB free/);
    expect(await readdir(partialDir)).toEqual([]);
    expect(await store.size(old.hash)).toBeNull();
  });
});

describe('BlobFetcher.sweepPartials', () => {
  it('deletes partial files unused for an hour, and anything that is not a partial file; keeps recent ones', async () => {
    const [fresh, stale] = [hash(), hash()];
    await writeFile(join(partialDir, `${fresh}.partial`), 'x');
    await writeFile(join(partialDir, `${stale}.partial`), 'xx');
    const then = new Date(Date.now() - PARTIAL_KEEP_MS - 60_000);
    await utimes(join(partialDir, `${stale}.partial`), then, then);
    await writeFile(join(partialDir, 'junk'), 'xxx');
    await mkdir(join(partialDir, 'a-folder'));
    const f = fetcher();
    expect(await f.sweepPartials(PARTIAL_KEEP_MS)).toBeGreaterThanOrEqual(5);
    expect(await readdir(partialDir)).toEqual([`${fresh}.partial`]);
    await f.sweepPartials(0); // at start: nothing is in flight, so every one goes
    expect(await readdir(partialDir)).toEqual([]);
  });

  it('refuses a blob declared over the cap before any connection', async () => {
    const f = fetcher({ maxBlobBytes: 10 * MB });
    await expect(f.ensure('0'.repeat(64), '127.0.0.1:1', hash(), 11 * MB)).rejects.toThrow(/is declared at 11\.0 MB, more than the 10\.0 MB this machine keeps of any one file/);
    expect(await readdir(partialDir)).toEqual([]);
  });
});
