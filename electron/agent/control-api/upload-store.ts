// Owns the files the app uploads: a scene dropped on a browser window has no path the agent can
// read, so its bytes come here first, into <data>/uploads/<uploadId>/<name>. Several files of one
// drop (a .gltf with its .bin and textures) share an upload id, so relative references hold. A
// name is one plain path segment; anything else is refused, not cleaned up into something else.

import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { TroupeError } from '../../../shared/errors.js';
import { MAX_UPLOAD_BYTES, UPLOAD_NAME_PATTERN } from '../../../shared/control-api/index.js';
import type { Upload } from '../../../shared/control-api/index.js';
import { DiskRoom } from '../storage/disk-room.js';

/** Uploads older than this are swept at start: their jobs copied what they needed into the blob store. */
const UPLOAD_KEEP_MS = 24 * 3600_000;
/** Files one upload folder may hold (a scene and its textures). */
const MAX_FILES_PER_UPLOAD = 1000;

export class UploadStore {
  private readonly room: DiskRoom;
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'uploads');
    this.room = new DiskRoom(dataDir);
  }

  /** Removes uploads older than a day (best effort). */
  async sweep(nowMs = Date.now()): Promise<void> {
    const entries = await readdir(this.dir).catch(() => [] as string[]);
    for (const name of entries) {
      const path = join(this.dir, name);
      const info = await stat(path).catch(() => null);
      if (info && nowMs - info.mtimeMs > UPLOAD_KEEP_MS) await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Streams a request's body into the upload folder; the file appears under its name only when whole. */
  async put(uploadId: string, rawName: string, req: IncomingMessage): Promise<Upload> {
    const name = checkedName(rawName);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!Number.isInteger(declared) || declared < 0)
      throw new TroupeError('bad-request', 'An upload must say its size (Content-Length)');
    if (declared > MAX_UPLOAD_BYTES)
      throw new TroupeError('bad-request', `${name} is ${formatGiB(declared)}; a scene may be at most ${formatGiB(MAX_UPLOAD_BYTES)}`);
    const folder = join(this.dir, uploadId);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    if ((await readdir(folder)).length >= MAX_FILES_PER_UPLOAD) throw new TroupeError('bad-request', `An upload holds at most ${MAX_FILES_PER_UPLOAD} files`);
    const reservation = await this.room.reserve(declared, { what: name, purpose: 'to upload the scene' });
    // One partial file per request: two uploads of one name at once (a second drop, a retry) must
    // not write into the same file, or the name would end up holding a mix of both.
    const partial = join(folder, `.${name}.${randomBytes(6).toString('hex')}.partial`);
    let received = 0;
    try {
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          received += chunk.length;
          // The body may not outgrow what it said: the room was set aside for that much.
          if (received > declared) return done(new TroupeError('bad-request', `${name} is larger than its Content-Length`));
          done(null, chunk);
        },
      });
      await pipeline(req, counter, createWriteStream(partial, { mode: 0o600 }));
      if (received !== declared) throw new TroupeError('bad-request', `${name} arrived incomplete (${received} of ${declared} bytes)`);
      const path = join(folder, name);
      await rename(partial, path);
      return { path, sizeBytes: received };
    } catch (err) {
      await rm(partial, { force: true }).catch(() => undefined);
      throw err;
    } finally {
      reservation.release();
    }
  }
}

/** The decoded file name, if it is one plain segment (no separators, no dot-first names, no control characters). */
function checkedName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new TroupeError('bad-request', 'The file name is not valid percent-encoding');
  }
  if (!UPLOAD_NAME_PATTERN.test(name) || name === '.' || name === '..' || name.endsWith('.partial') || name.trim() !== name)
    throw new TroupeError('bad-request', `"${name.slice(0, 100)}" cannot be used as a file name here; rename the file (plain letters, digits, spaces, dots and dashes)`);
  return name;
}

function formatGiB(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(bytes < 1024 ** 3 ? 2 : 1)} GiB`;
}
