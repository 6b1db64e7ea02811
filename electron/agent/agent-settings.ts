// Owns the owner's settings of this machine: its name and what it shares with the team, kept in
// settings.json, applied to the capacity probe, the roster and the mDNS announcement.

import type { SharingSetting } from '../../shared/model/index.js';
import type { CapacityProbe } from './capacity/capacity-probe.js';
import type { TeamService } from './pairing/team-service.js';
import type { AgentStateFiles } from './storage/agent-state-files.js';

export class AgentSettings {
  constructor(
    private currentName: string,
    private readonly capacity: CapacityProbe,
    private readonly files: AgentStateFiles,
    private readonly teams: TeamService,
    /** Re-announces this machine (its name is in the mDNS record). */
    private readonly announce: () => void,
  ) {}

  get name(): string {
    return this.currentName;
  }

  save(): Promise<void> {
    return this.files.writeSettings({ name: this.currentName, sharing: this.capacity.getSharing() });
  }

  async setSharing(change: Partial<SharingSetting>): Promise<void> {
    this.capacity.setSharing({ ...this.capacity.getSharing(), ...change });
    await this.save();
  }

  async rename(name: string): Promise<void> {
    this.currentName = name;
    await this.save();
    await this.teams.renameSelf(name);
    this.announce();
  }
}
