// Owns the contract between discovery mechanisms and the nearby list: what a device announces,
// and the two things a finder reports (seen again, said goodbye). An announcement is only a hint:
// who a device is gets proven by the TLS link.

import type { DeviceId } from '../../../shared/model/index.js';

export interface Announcement {
  deviceId: DeviceId;
  name: string;
  addresses: string[];
  port: number;
  os: string;
  cores: number;
  memoryBytes: number;
  engines: string[];
  protocolVersion: number;
  /** The address this announcement came from (an mDNS packet's sender), where the finder knows it. */
  from?: string;
}

export interface PeerFinder {
  start(self: Announcement): Promise<void>;
  /** Publish changed facts about this device (a rename, a new port). */
  update(self: Announcement): void;
  /** Ask the network again now (after a teammate drops, say). */
  query(): void;
  /** Says goodbye on the network so others drop this device at once. */
  stop(): Promise<void>;
  onSeen(listener: (announcement: Announcement) => void): void;
  onGone(listener: (deviceId: DeviceId) => void): void;
}
