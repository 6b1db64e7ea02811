// Owns what the UI and the CLI read of this agent: its status, the team with each member's live
// state, and the machines nearby. Views are built on demand from the parts that own the facts.

import os from 'node:os';
import type { AgentStatus } from '../../shared/control-api/index.js';
import type { DeviceId, NearbyDevice, TeamView } from '../../shared/model/index.js';
import type { EngineAdvert } from '../../shared/model/jobs.js';
import { PROTOCOL_VERSION } from '../../shared/protocol/index.js';
import type { CapacityProbe } from './capacity/capacity-probe.js';
import { defaultOutputDir, type AgentConfig } from './config/agent-config.js';
import { platformSandbox } from './sandbox/platform-sandbox.js';
import { resolveInterfaceAddress } from './discovery/mdns-peer-finder.js';
import type { NearbyList } from './discovery/nearby-list.js';
import { formatDeviceId } from './identity/device-id.js';
import type { Identity } from './identity/identity-store.js';
import type { TeamService } from './pairing/team-service.js';
import type { PeerState } from './transport/link-manager.js';

export const AGENT_VERSION = '0.1.0';

/** Where each fact comes from. */
export interface ViewSources {
  config: AgentConfig;
  identity: Identity;
  name(): string;
  listenPort(): number;
  capacity: CapacityProbe;
  /** This machine's engines as its teammates hear of them (versions, features such as GPUs). */
  engines(): EngineAdvert[];
  teams: TeamService;
  nearbyList: NearbyList;
  link(id: string): PeerState | null;
  pairingLockedUntil(): number | null;
  transfers(): { bytesReceived: number; blobsReceived: number };
}

export class AgentViews {
  constructor(private readonly s: ViewSources) {}

  status(): AgentStatus {
    const { s } = this;
    const state = s.teams.roster.current;
    const online = s.teams.teammates().map((id) => s.link(id)).filter((l) => l?.online);
    const self = this.selfCapacity();
    return {
      deviceId: s.identity.deviceId,
      deviceIdDisplay: formatDeviceId(s.identity.deviceId),
      name: s.name(),
      version: AGENT_VERSION,
      protocolVersion: PROTOCOL_VERSION,
      listenPort: s.listenPort(),
      addresses: localAddresses(s.config.interfaceAddress === undefined ? undefined : resolveInterfaceAddress(s.config.interfaceAddress)),
      team: state ? { teamId: state.teamId, name: state.teamName, members: state.members.size, online: online.length + 1 } : null,
      sharing: s.capacity.getSharing(),
      capacity: self,
      teamFreeCores: online.reduce((sum, l) => sum + (l?.capacity?.freeCores ?? 0), self.freeCores),
      teamCores: online.reduce((sum, l) => sum + (l?.capacity?.cores ?? 0), self.cores),
      transfers: s.transfers(),
      pairingLockedUntilMs: s.pairingLockedUntil(),
      defaultOutputDir: s.config.outputDir ?? defaultOutputDir(),
      userIdleSeconds: s.capacity.userIdleSeconds(),
      sandbox: platformSandbox().containment,
    };
  }

  team(): TeamView | null {
    const { s } = this;
    const state = s.teams.roster.current;
    if (!state) return null;
    const selfId = s.identity.deviceId;
    return {
      teamId: state.teamId,
      name: state.teamName,
      members: s.teams.members().map((m) => {
        const link = m.deviceId === selfId ? null : s.link(m.deviceId);
        return {
          deviceId: m.deviceId,
          name: m.deviceId === selfId ? s.name() : (link?.name ?? m.name),
          addedBy: m.addedBy,
          online: m.deviceId === selfId || (link?.online ?? false),
          self: m.deviceId === selfId,
          address: link?.address ?? null,
          capacity: m.deviceId === selfId ? this.selfCapacity() : (link?.capacity ?? null),
          lastHeartbeatMs: link?.lastHeartbeatMs ?? null,
        };
      }),
    };
  }

  /** The team, or this machine alone before it has one (the capacity chart's view). */
  teamOrSelf(): TeamView {
    const team = this.team();
    if (team) return team;
    const { s } = this;
    const selfId = s.identity.deviceId;
    return {
      teamId: '',
      name: '',
      members: [{ deviceId: selfId, name: s.name(), addedBy: selfId, online: true, self: true, address: null, capacity: this.selfCapacity(), lastHeartbeatMs: null }],
    };
  }

  /** This machine's capacity with its engines, as a teammate's heartbeat carries them. */
  private selfCapacity(): ReturnType<CapacityProbe['read']> & { engines: EngineAdvert[] } {
    return { ...this.s.capacity.read(), engines: this.s.engines() };
  }

  nearby(): NearbyDevice[] {
    return this.s.nearbyList.list().map((e) => ({ ...e, member: this.s.teams.roster.isMember(e.deviceId) }));
  }

  /** These devices as the nearby list shows them (those still listed). */
  nearbyDevices(ids: DeviceId[]): NearbyDevice[] {
    return ids.flatMap((id) => {
      const e = this.s.nearbyList.get(id);
      return e ? [{ ...e, member: this.s.teams.roster.isMember(id) }] : [];
    });
  }
}

function localAddresses(only?: string): string[] {
  if (only) return [only];
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4' && !i.internal)
    .map((i) => i!.address);
}
