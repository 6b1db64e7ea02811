// Owns reading the team's capacity out of the agent's events for the tray: a roster change
// (teamChanged, with each member's last heartbeat capacity) or a load sample (capacitySampled,
// every few seconds), summed the way the app's header sums them.

import type { ControlEvent } from '../../shared/control-api/responses.js';
import type { CapacitySample } from '../../shared/control-api/responses.js';
import { teamCapacity, type TeamCapacity } from '../../shared/model/team-capacity.js';

/** The capacity an event tells, or null if it tells none. */
export function capacityFromEvent(event: ControlEvent): TeamCapacity | null {
  if (event.type === 'teamChanged') return teamCapacity(event.team);
  if (event.type === 'capacitySampled') return capacityOfSample(event.sample);
  return null;
}

/** A load sample summed like teamCapacity sums a roster: online machines, their cores, the share not free. */
export function capacityOfSample(sample: CapacitySample): TeamCapacity {
  const online = sample.members.filter((m) => m.online);
  const cores = online.reduce((n, m) => n + m.cores, 0);
  const freeCores = online.reduce((n, m) => n + Math.min(m.cores, m.freeCores), 0);
  return { machines: online.length, cores, freeCores, busyShare: cores > 0 ? Math.min(1, Math.max(0, 1 - freeCores / cores)) : 0 };
}
