// Owns how the team's capacity is summed up for people: the app's header and the tray's tooltip
// say the same thing ("5 machines · 28 cores · 61 % busy").

import type { Capacity, TeamView } from './index.js';

export interface TeamCapacity {
  /** Members online now, this machine included. */
  machines: number;
  cores: number;
  freeCores: number;
  /** Share of the online cores not free for the team (0..1). */
  busyShare: number;
}

/** The team's capacity; without a team, this machine's own (`self`), so the header never reads "0 machines". */
export function teamCapacity(team: TeamView | null, self: Capacity | null = null): TeamCapacity {
  if (!team && self) {
    const free = Math.min(self.cores, self.freeCores);
    return { machines: 1, cores: self.cores, freeCores: free, busyShare: self.cores > 0 ? Math.min(1, Math.max(0, 1 - free / self.cores)) : 0 };
  }
  const online = (team?.members ?? []).filter((m) => m.online && m.capacity);
  const cores = online.reduce((n, m) => n + m.capacity!.cores, 0);
  const freeCores = online.reduce((n, m) => n + Math.min(m.capacity!.cores, m.capacity!.freeCores), 0);
  return { machines: online.length, cores, freeCores, busyShare: cores > 0 ? Math.min(1, Math.max(0, 1 - freeCores / cores)) : 0 };
}

export function describeTeamCapacity(c: TeamCapacity): string {
  const machines = `${c.machines} ${c.machines === 1 ? 'machine' : 'machines'}`;
  return `${machines} · ${c.cores} cores · ${Math.round(c.busyShare * 100)} % busy`;
}
