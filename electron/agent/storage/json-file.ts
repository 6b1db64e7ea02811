// Owns small JSON state files in the data directory: validated on read, written atomically.

import { readFile } from 'node:fs/promises';
import type { ZodType } from 'zod';
import { writeFileAtomic } from './atomic-file.js';

/** Reads and validates a JSON file; `fallback` if it does not exist. A damaged file throws: it is never silently reset. */
export async function readJsonFile<T>(path: string, schema: ZodType<T>, fallback: T): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON; fix or move it away and start again`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${path} is damaged (${parsed.error.issues[0]?.message}); fix or move it away and start again`);
  return parsed.data;
}

export async function writeJsonFile(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}
