// Owns the last minutes of the team's load, for the app's utilisation chart: a sample of every
// member every CAPACITY_SAMPLE_MS, kept for CAPACITY_HISTORY_MS. A window opened now shows the
// minutes before it, not an empty chart that fills in.

import { CAPACITY_HISTORY_MS, CAPACITY_SAMPLE_MS, type CapacityHistory, type CapacitySample, type MemberLoad } from '../../../shared/control-api/responses.js';
import type { TeamMember, TeamView } from '../../../shared/model/index.js';

/** What a member's capacity says about how busy it is: the owner's work plus the team's, at most every core. */
export function memberLoad(m: TeamMember): MemberLoad {
  const c = m.capacity;
  if (!c || !m.online) return { deviceId: m.deviceId, name: m.name, online: m.online, cores: c?.cores ?? 0, busyCores: 0, freeCores: 0 };
  const busy = Math.min(c.cores, c.load * c.cores + (c.workCores ?? 0));
  return { deviceId: m.deviceId, name: m.name, online: true, cores: c.cores, busyCores: Math.round(busy * 10) / 10, freeCores: c.freeCores };
}

export class CapacityHistoryLog {
  private readonly samples: CapacitySample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly team: () => TeamView | null,
    private readonly sampled: (sample: CapacitySample) => void,
    intervalMs = CAPACITY_SAMPLE_MS,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  history(): CapacityHistory {
    return { intervalMs: CAPACITY_SAMPLE_MS, samples: [...this.samples] };
  }

  /** Takes one sample now (the timer's job; tests call it directly). */
  sample(nowMs = Date.now()): CapacitySample | null {
    const team = this.team();
    if (!team) return null;
    const sample = { atMs: nowMs, members: team.members.map(memberLoad) };
    this.samples.push(sample);
    while (this.samples.length > 0 && this.samples[0]!.atMs < nowMs - CAPACITY_HISTORY_MS) this.samples.shift();
    this.sampled(sample);
    return sample;
  }
}
