// The vocabulary every process shares: devices, capacity, teams. Pure data, no behaviour.

import type { EngineAdvert } from './jobs.js';

/** SHA-256 of a device's certificate (DER), as 64 lowercase hex characters. */
export type DeviceId = string;

export type SharingMode = 'on' | 'off' | 'idle';

/** What an owner lets the team use of this machine. */
export interface SharingSetting {
  mode: SharingMode;
  /** At most this many cores for the team; null means every core. */
  coreCap: number | null;
}

export interface Capacity {
  cores: number;
  /** Cores the team may use right now, after the owner's setting and the machine's own load. */
  freeCores: number;
  memoryBytes: number;
  freeMemoryBytes: number;
  /** Share of all cores busy with the owner's own work, averaged over about a minute (0 = idle, 1 = every core busy). */
  load: number;
  /** Cores busy with the team's work here (the agent and its engines), averaged over about 10 s; absent from agents before 2.1. */
  workCores?: number;
  sharing: SharingSetting;
  /** The engines this machine runs, with their versions; absent from agents before 2.2 (the built-in renderer alone). */
  engines?: EngineAdvert[];
}

export interface NearbyDevice {
  deviceId: DeviceId;
  name: string;
  addresses: string[];
  port: number;
  os: string;
  cores: number;
  memoryBytes: number;
  engines: string[];
  protocolVersion: number;
  /** How this device was found: an mDNS announcement or an address the user typed. */
  source: 'mdns' | 'manual';
  lastSeenMs: number;
  /** Whether this device is on our team already. */
  member: boolean;
}

export interface TeamMember {
  deviceId: DeviceId;
  name: string;
  addedBy: DeviceId;
  online: boolean;
  self: boolean;
  address: string | null;
  capacity: Capacity | null;
  lastHeartbeatMs: number | null;
}

export interface TeamView {
  teamId: string;
  name: string;
  members: TeamMember[];
}
