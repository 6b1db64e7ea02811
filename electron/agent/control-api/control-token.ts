// Owns the per-user secret that local clients present: made anew on every start (a token caught
// once, by a program that took a crashed agent's port, drives nothing after a restart), readable by
// the owner only. Clients read it from the file each time they connect.

import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../storage/atomic-file.js';

export const CONTROL_TOKEN_FILE = 'control-token';
export const CONTROL_ENDPOINT_FILE = 'control.json';

export async function createControlToken(dataDir: string): Promise<string> {
  const token = randomBytes(32).toString('hex');
  await writeFileAtomic(join(dataDir, CONTROL_TOKEN_FILE), token + '\n', 0o600);
  return token;
}
