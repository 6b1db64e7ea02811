// A colour per machine, so a bucket outline, a legend entry, a chart line and a team row of the
// same machine match. Teammates are given distinct colours from one palette, in device-id order,
// so every screen of the team agrees; a machine not on the team gets one from its id alone.

/** Hues far enough apart to tell at a glance on dark and light backgrounds. */
const PALETTE = ['#f5a524', '#4cc9f0', '#f72585', '#80ed99', '#b388ff', '#ff7f51', '#2ec4b6', '#ffd60a', '#90a4ff', '#ff8fab', '#c0ca33', '#00b4d8'];

function hashOf(deviceId: string): number {
  // FNV-1a: cheap, and stable across runs and machines.
  let hash = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    hash ^= deviceId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A colour from the id alone (a machine that left the team, or before the roster is known). */
export function workerColour(deviceId: string): string {
  const hash = hashOf(deviceId);
  if (hash % 2 === 0) return PALETTE[(hash >>> 1) % PALETTE.length]!;
  return `hsl(${(hash >>> 1) % 360} 75% 62%)`;
}

/**
 * Distinct colours for a set of machines: each takes its preferred palette slot (from its id), or
 * the next free one, in device-id order. Adding a machine moves at most the ones it collides with.
 */
export function workerColours(deviceIds: Iterable<string>): Map<string, string> {
  const ids = [...new Set(deviceIds)].sort();
  const taken = new Set<number>();
  const out = new Map<string, string>();
  for (const id of ids) {
    if (taken.size >= PALETTE.length) {
      out.set(id, workerColour(id));
      continue;
    }
    let slot = hashOf(id) % PALETTE.length;
    while (taken.has(slot)) slot = (slot + 1) % PALETTE.length;
    taken.add(slot);
    out.set(id, PALETTE[slot]!);
  }
  return out;
}
