// Owns "nearby": every device some finder or a typed address has shown us, with our own
// last-seen clock, because mDNS caches (8-hour TTLs) would keep a crashed machine forever.
// A stranger on the LAN may announce thousands of made-up devices: the list holds at most
// NEARBY_MAX, at most NEARBY_PER_ADDRESS from one sender's address, admits new ones from an
// address at a bounded rate, and always has room for a member of the team. Changes go out as
// what changed (devices new or changed, ids gone), never as the whole list again.

import { EventEmitter } from 'node:events';
import type { DeviceId, NearbyDevice } from '../../../shared/model/index.js';
import type { Announcement } from './peer-finder.js';

/** A device silent this long has left. Re-queries run every 2 s, so this is 3 missed answers. */
export const NEARBY_TTL_MS = 7000;
const SWEEP_INTERVAL_MS = 500;
/** Devices listed at once: more than any LAN of ours has; beyond it, new strangers wait. */
export const NEARBY_MAX = 256;
/** Devices one address may announce (several agents on one box, as tests and render nodes run). */
export const NEARBY_PER_ADDRESS = 8;
/** New devices one address may bring: a burst of NEARBY_PER_ADDRESS, then one per this long. */
export const NEARBY_ADMIT_INTERVAL_MS = 5000;

type Entry = Omit<NearbyDevice, 'member'>;

export interface SeenFrom {
  /** The address the announcement came from (a packet's sender, or the address a person typed). */
  from: string;
  /** A member of the team, or an address the owner typed: listed whatever the caps say, so no stranger can crowd it out. */
  exempt: boolean;
}

export class NearbyList extends EventEmitter<{ changed: [changed: DeviceId[], gone: DeviceId[]]; appeared: [Entry] }> {
  private readonly entries = new Map<DeviceId, Entry & { from: string }>();
  /** Per sender address: admissions left and when the next one comes back. */
  private readonly admissions = new Map<string, { tokens: number; refilledAtMs: number }>();
  /** Devices turned away since the last look (for the log: said once per burst, not per packet). */
  refused = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.timer = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  /** Records an announcement; false if a new device was turned away by the caps. */
  seen(a: Announcement, source: 'mdns' | 'manual', sender: SeenFrom = { from: a.from ?? a.addresses[0] ?? '', exempt: false }): boolean {
    const before = this.entries.get(a.deviceId);
    if (!before && !sender.exempt && !this.admit(sender.from)) {
      this.refused++;
      return false;
    }
    const entry: Entry & { from: string } = {
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
      from: before?.from ?? sender.from,
    };
    this.entries.set(a.deviceId, entry);
    if (!before) this.emit('appeared', strip(entry));
    if (!before || before.name !== entry.name || before.port !== entry.port || before.addresses.join() !== entry.addresses.join())
      this.emit('changed', [a.deviceId], []);
    return true;
  }

  gone(id: DeviceId): void {
    if (this.entries.delete(id)) this.emit('changed', [], [id]);
  }

  get(id: DeviceId): Entry | undefined {
    const entry = this.entries.get(id);
    return entry && strip(entry);
  }

  list(): Entry[] {
    return [...this.entries.values()].map(strip).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Whether a new device from `from` fits: under both caps, and `from` has an admission left. */
  private admit(from: string): boolean {
    if (this.entries.size >= NEARBY_MAX) return false;
    let fromThere = 0;
    for (const e of this.entries.values()) if (e.from === from) fromThere++;
    if (fromThere >= NEARBY_PER_ADDRESS) return false;
    const now = this.now();
    const bucket = this.admissions.get(from) ?? { tokens: NEARBY_PER_ADDRESS, refilledAtMs: now };
    bucket.tokens = Math.min(NEARBY_PER_ADDRESS, bucket.tokens + (now - bucket.refilledAtMs) / NEARBY_ADMIT_INTERVAL_MS);
    bucket.refilledAtMs = now;
    this.admissions.set(from, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens--;
    // Bounded too: addresses that have brought nothing for a while are forgotten.
    if (this.admissions.size > 4 * NEARBY_MAX) {
      for (const [address, b] of this.admissions) if (now - b.refilledAtMs > NEARBY_PER_ADDRESS * NEARBY_ADMIT_INTERVAL_MS) this.admissions.delete(address);
    }
    return true;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private sweep(): void {
    const cutoff = this.now() - NEARBY_TTL_MS;
    const gone: DeviceId[] = [];
    for (const [id, e] of this.entries) {
      if (e.lastSeenMs < cutoff) {
        this.entries.delete(id);
        gone.push(id);
      }
    }
    if (gone.length) this.emit('changed', [], gone);
  }
}

function strip({ from: _from, ...entry }: Entry & { from: string }): Entry {
  return entry;
}
