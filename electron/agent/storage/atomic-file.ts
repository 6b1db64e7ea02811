// Owns crash-safe small-file writes: a reader sees the old file or the new one, never half of one.

import { open, rename } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync(); // the rename must not reach the disk before the data does
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
}
