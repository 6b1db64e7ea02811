import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobCache } from '../../../../../electron/agent/storage/blob-cache.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';

let dir: string;
let store: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-cache-'));
  store = new BlobStore(join(dir, 'blobs'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Blobs of `size` bytes, oldest first (their mtimes one minute apart). */
async function blobs(n: number, size: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { hash } = await store.put(Readable.from([randomBytes(size)]));
    const t = new Date(Date.now() - (n - i) * 60_000);
    await utimes(store.pathOf(hash), t, t);
    out.push(hash);
  }
  return out;
}
const present = async (hashes: string[]) => (await Promise.all(hashes.map((h) => store.size(h)))).map((s) => s !== null);

describe('BlobCache.trim', () => {
  it('evicts the least recently used first until the cap is met', async () => {
    const cache = new BlobCache(store, join(dir, 'blobs'), 3000);
    const hashes = await blobs(5, 1000);
    expect(await cache.trim()).toBe(2000);
    expect(await present(hashes)).toEqual([false, false, true, true, true]);
  });

  it('leaves room below the cap for a download to come, and frees what the disk is short of, never a blob the task needs', async () => {
    const cache = new BlobCache(store, join(dir, 'blobs'), 10_000);
    const hashes = await blobs(5, 1000);
    expect(await cache.trim({ bytes: 7000, keep: new Set([hashes[0]!]) })).toBe(2000);
    expect(await present(hashes)).toEqual([true, false, false, true, true]);
    // Under the cap, but the disk is short by 1500 bytes: two more go.
    expect(await cache.trim({ bytes: 0, freeBytes: 1500 })).toBe(2000);
    expect(await present(hashes)).toEqual([false, false, false, false, true]);
  });

  it('never evicts pinned blobs or blobs the coordinator still needs', async () => {
    const hashes = await blobs(4, 1000);
    const cache = new BlobCache(store, join(dir, 'blobs'), 0, () => new Set([hashes[1]!]));
    const release = await cache.pin([hashes[0]!]);
    await cache.trim();
    expect((await present(hashes)).slice(0, 2)).toEqual([true, true]);
    release();
  });
});
