// Owns the worker's cache of job inputs: the BlobStore plus a size cap, least recently used first
// out, never evicting what a running task holds. Recency is the file's mtime, touched on each use,
// so it survives restarts without an index file to keep consistent.

import { readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore } from './blob-store.js';

export const DEFAULT_CACHE_CAP_BYTES = 10 * 2 ** 30;

export class BlobCache {
  private readonly pins = new Map<string, number>();

  constructor(
    readonly store: BlobStore,
    private readonly dir: string,
    readonly capBytes = DEFAULT_CACHE_CAP_BYTES,
    /** Blobs the coordinator on this machine still needs (job inputs, tiles before their merge): never evicted. */
    private readonly needed: () => Set<string> = () => new Set(),
  ) {}

  /** Marks blobs in use (and recently used) until the returned release is called. */
  async pin(hashes: string[]): Promise<() => void> {
    const now = new Date();
    for (const h of hashes) {
      this.pins.set(h, (this.pins.get(h) ?? 0) + 1);
      await utimes(this.store.pathOf(h), now, now).catch(() => undefined);
    }
    return () => {
      for (const h of hashes) {
        const n = (this.pins.get(h) ?? 1) - 1;
        if (n <= 0) this.pins.delete(h);
        else this.pins.set(h, n);
      }
    };
  }

  /**
   * Deletes least recently used, unpinned blobs until the cache fits its cap with `room.bytes`
   * to spare for a download to come, and has freed at least `room.freeBytes` (the disk is short
   * by that much). Never one of `room.keep`, which that download's task needs too. Returns bytes freed.
   */
  async trim(room: { bytes: number; freeBytes?: number; keep?: ReadonlySet<string> } = { bytes: 0 }): Promise<number> {
    const keep = room.keep ?? new Set<string>();
    const limit = Math.max(0, this.capBytes - room.bytes);
    const mustFree = room.freeBytes ?? 0;
    const entries: { hash: string; path: string; size: number; mtimeMs: number }[] = [];
    for (const sub of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await readdir(join(this.dir, sub)).catch(() => [] as string[])) {
        const path = join(this.dir, sub, name);
        const s = await stat(path).catch(() => null);
        if (s) entries.push({ hash: name, path, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
    let total = entries.reduce((a, e) => a + e.size, 0);
    let freed = 0;
    const needed = total > limit || mustFree > 0 ? this.needed() : new Set<string>();
    for (const e of entries.sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      if (total <= limit && freed >= mustFree) break;
      if (this.pins.has(e.hash) || needed.has(e.hash) || keep.has(e.hash)) continue;
      await rm(e.path, { force: true });
      total -= e.size;
      freed += e.size;
    }
    return freed;
  }

  /** Temporary files of a process that died mid-write: never valid blobs, so they go. */
  async removeLeftovers(): Promise<void> {
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      if (name.startsWith('.incoming-')) await rm(join(this.dir, name), { force: true });
    }
  }
}
