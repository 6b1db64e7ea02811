// Owns crash-safe file writes: a reader sees the old file or the new one, never half of one, and
// a failed write leaves no temporary file behind.

import { copyFile, open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  await replaceAtomic(path, mode, async (tmp) => {
    const fh = await open(tmp, 'w', mode);
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
  });
}

/** Copies `source` to `path` the same way, without reading the whole file into memory. */
export async function copyFileAtomic(source: string, path: string, mode = 0o600): Promise<void> {
  await replaceAtomic(path, mode, (tmp) => copyFile(source, tmp));
}

async function replaceAtomic(path: string, mode: number, fill: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fill(tmp);
    const fh = await open(tmp, 'r+', mode);
    try {
      await fh.chmod(mode);
      await fh.sync(); // the rename must not reach the disk before the data does
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
