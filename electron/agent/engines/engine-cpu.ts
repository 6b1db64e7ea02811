// Owns how much CPU this agent's engine processes have used, so that rendering for the team does
// not make the machine look busy to its own owner's "only when idle" rule. Linux reads it from
// /proc/<pid>/stat without spawning anything; elsewhere it counts nothing (a known gap: there the
// engine's work shows as the machine's own load).

import { readFileSync } from 'node:fs';
import { processTree } from './process-tree.js';

/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux that Node supports. */
const TICKS_PER_SECOND = 100;

const live = new Map<number, number>(); // pid -> last reading, µs
let finishedMicros = 0;

export function trackEngineProcess(pid: number | undefined): void {
  if (pid !== undefined) live.set(pid, 0);
}

/** The process ended: what it used last time we looked stays counted. */
export function untrackEngineProcess(pid: number | undefined): void {
  if (pid === undefined) return;
  finishedMicros += read(pid) ?? live.get(pid) ?? 0;
  live.delete(pid);
}

/** CPU time (user + system, µs) used by every engine process since the agent started. */
export function engineCpuMicros(): number {
  let total = finishedMicros;
  for (const [pid, last] of live) {
    const now = read(pid) ?? last;
    live.set(pid, now);
    total += now;
  }
  return total;
}

/** CPU time of `pid` and what it started: live members' own, and what exited children left to their parents. */
function read(pid: number): number | null {
  let total: number | null = null;
  for (const member of processTree(pid)) {
    const micros = readOne(member);
    if (micros !== null) total = (total ?? 0) + micros;
  }
  return total;
}

function readOne(pid: number): number | null {
  try {
    // Fields after the command name (which may hold spaces and parentheses): utime is the 14th
    // field of the line, stime the 15th, then cutime and cstime (children it waited for, which
    // are no longer in the tree, so nothing counts twice).
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? (ticks * 1e6) / TICKS_PER_SECOND : null;
  } catch {
    return null;
  }
}
