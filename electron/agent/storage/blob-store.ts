// Owns content-addressed files (scenes, results): stored under their SHA-256, written atomically,
// checked on the way in, so a name always means exactly those bytes.

import { createHash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { TroupeError } from '../../../shared/errors.js';
import { DiskRoom, type Reservation } from './disk-room.js';

export function isBlobHash(text: string): boolean {
  return /^[0-9a-f]{64}$/.test(text);
}

export class BlobStore {
  private room: DiskRoom | null = null;

  constructor(private readonly dir: string) {}

  pathOf(hash: string): string {
    if (!isBlobHash(hash)) throw new TroupeError('bad-request', `Not a content address: ${hash.slice(0, 80)}`);
    return join(this.dir, hash.slice(0, 2), hash);
  }

  async size(hash: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(hash))).size;
    } catch {
      return null;
    }
  }

  /** Stores a stream; returns its hash and size. If `expectedHash` is given and differs, nothing is kept. */
  async put(source: Readable, expectedHash?: string): Promise<{ hash: string; sizeBytes: number }> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.incoming-${randomBytes(8).toString('hex')}`);
    const hasher = createHash('sha256');
    let sizeBytes = 0;
    source.on('data', (chunk: Buffer) => {
      hasher.update(chunk);
      sizeBytes += chunk.length;
    });
    const sink = createWriteStream(tmp, { mode: 0o600 });
    // A source that fails at once may fail before the file is even open: the stream opens (and so
    // creates) it later. The partial file is removed only once the stream is closed.
    const closed = new Promise<void>((resolve) => sink.once('close', resolve));
    try {
      await pipeline(source, sink);
      const hash = hasher.digest('hex');
      if (expectedHash && hash !== expectedHash)
        throw new TroupeError('bad-request', `Received bytes hash to ${hash}, not ${expectedHash}; discarded`);
      await mkdir(join(this.dir, hash.slice(0, 2)), { recursive: true });
      await rename(tmp, this.pathOf(hash));
      return { hash, sizeBytes };
    } finally {
      if (!sink.closed) await closed;
      await rm(tmp, { force: true });
    }
  }

  /**
   * Moves a file whose bytes the caller has just hashed to `hash` into the store. A rename, not a
   * copy: a fetched blob would otherwise take twice its size on disk for a moment.
   */
  async adopt(file: string, hash: string): Promise<void> {
    const target = this.pathOf(hash);
    await mkdir(dirname(target), { recursive: true });
    try {
      await rename(file, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
      await this.put(createReadStream(file), hash); // another disk: copy (and hash again)
      await rm(file, { force: true });
    }
  }

  /**
   * Sets room aside on the store's disk for files about to be stored (a job's scene and its files),
   * or throws in words: two submissions at once cannot both count the same free gigabytes.
   */
  async reserveRoom(bytes: number, what: string): Promise<Reservation> {
    await mkdir(this.dir, { recursive: true });
    this.room ??= new DiskRoom(this.dir);
    return this.room.reserve(bytes, { what, purpose: 'to be stored for the team' });
  }

  /**
   * Stores a regular file as it is now, at most `sizeBytes` of it (its size when checked). The
   * file is opened without following a link and without waiting on a FIFO, and refused unless it
   * is a regular file of that size: a path that was swapped for a device, a pipe or a link after
   * it was checked stores nothing and never hangs.
   */
  async putFile(path: string, sizeBytes: number, checked?: { dev: number; ino: number }): Promise<{ hash: string; sizeBytes: number }> {
    const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new TroupeError('bad-scene', `${path} is not a regular file (a device, pipe or folder), so it is not sent`);
      // O_NOFOLLOW guards the last part of the path only: a folder above it swapped for a link
      // since the check would reach another file. It must be the file that was checked.
      if (checked && (info.dev !== checked.dev || info.ino !== checked.ino))
        throw new TroupeError('bad-scene', `${path} was replaced while the job was being made; submit again`);
      if (info.size !== sizeBytes) throw new TroupeError('bad-scene', `${path} changed while the job was being made (${sizeBytes} bytes, now ${info.size}); submit again`);
      const source = sizeBytes === 0 ? Readable.from([]) : handle.createReadStream({ start: 0, end: sizeBytes - 1, autoClose: false });
      const stored = await this.put(source);
      if (stored.sizeBytes !== sizeBytes) throw new TroupeError('bad-scene', `${path} changed while it was read; submit again`);
      return stored;
    } finally {
      await handle.close();
    }
  }

  read(hash: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(hash), range);
  }
}
