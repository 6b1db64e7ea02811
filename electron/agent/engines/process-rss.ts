// Owns reading another process's resident memory. Linux has it in /proc without spawning
// anything, and reading it costs microseconds, so a watchdog can poll it every few tens of
// milliseconds. Elsewhere this returns null and the engine host relies on the child's reports.

import { readFileSync } from 'node:fs';
import { processTree } from './process-tree.js';

/** Resident set size of `pid` in bytes: every thread, the JS heap and all ArrayBuffers; null if unknown. */
export function readRssBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Resident memory of `pid` and every process it started (a sandbox's launcher and its engine); null if unknown. */
export function readTreeRssBytes(pid: number): number | null {
  let total: number | null = null;
  for (const member of processTree(pid)) {
    const rss = readRssBytes(member);
    if (rss !== null) total = (total ?? 0) + rss;
  }
  return total;
}
