// Owns the per-user secret that local clients present: made once, readable by the owner only.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic-file.js';

export const CONTROL_TOKEN_FILE = 'control-token';
export const CONTROL_ENDPOINT_FILE = 'control.json';

export async function loadOrCreateControlToken(dataDir: string): Promise<string> {
  const path = join(dataDir, CONTROL_TOKEN_FILE);
  try {
    const token = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(token)) return token;
  } catch {
    /* first start */
  }
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(path, token + '\n', 0o600);
  return token;
}
