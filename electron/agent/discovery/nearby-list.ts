// Owns "nearby": every device some finder or a typed address has shown us, with our own
// last-seen clock, because mDNS caches (8-hour TTLs) would keep a crashed machine forever.

import { EventEmitter } from 'node:events';
import type { DeviceId, NearbyDevice } from '../../../shared/model/index.js';
import type { Announcement } from './peer-finder.js';

/** A device silent this long has left. Re-queries run every 2 s, so this is 3 missed answers. */
export const NEARBY_TTL_MS = 7000;
const SWEEP_INTERVAL_MS = 500;

type Entry = Omit<NearbyDevice, 'member'>;

export class NearbyList extends EventEmitter<{ changed: []; appeared: [Entry] }> {
  private readonly entries = new Map<DeviceId, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  seen(a: Announcement, source: 'mdns' | 'manual'): void {
    const before = this.entries.get(a.deviceId);
    const entry: Entry = {
      deviceId: a.deviceId,
      name: a.name,
      addresses: a.addresses,
      port: a.port,
      os: a.os,
      cores: a.cores,
      memoryBytes: a.memoryBytes,
      engines: a.engines,
      protocolVersion: a.protocolVersion,
      source: before?.source === 'manual' ? 'manual' : source,
      lastSeenMs: this.now(),
    };
    this.entries.set(a.deviceId, entry);
    if (!before) this.emit('appeared', entry);
    if (!before || before.name !== entry.name || before.port !== entry.port || before.addresses.join() !== entry.addresses.join())
      this.emit('changed');
  }

  gone(id: DeviceId): void {
    if (this.entries.delete(id)) this.emit('changed');
  }

  get(id: DeviceId): Entry | undefined {
    return this.entries.get(id);
  }

  list(): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    const cutoff = this.now() - NEARBY_TTL_MS;
    let changed = false;
    for (const [id, e] of this.entries) {
      if (e.lastSeenMs < cutoff) {
        this.entries.delete(id);
        changed = true;
      }
    }
    if (changed) this.emit('changed');
  }
}
