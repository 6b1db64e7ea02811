// Owns when a teammate's heartbeat is news for the app: its sharing setting changed, or its load
// or free cores moved by a visible amount. Heartbeats come every second from every member; the
// team view is sent only when one of them is news, and at most once per interval.

import type { Capacity, DeviceId } from '../../../shared/model/index.js';

/** What people see of a member's capacity, rounded to what a load bar or a label shows. */
function visible(c: Capacity | null | undefined): string {
  if (!c) return 'none';
  return [c.sharing.mode, c.sharing.coreCap ?? '', Math.round(c.freeCores), Math.round(c.load * 20), Math.round((c.workCores ?? 0) * 2)].join('|');
}

export class CapacityChangeGate {
  private readonly last = new Map<DeviceId, string>();
  private timer: NodeJS.Timeout | null = null;
  private lastSentMs = 0;

  constructor(
    private readonly send: () => void,
    private readonly minIntervalMs = 1000,
  ) {}

  /** A member's latest capacity; sends (soon, at most once per interval) if it is news. */
  heard(id: DeviceId, capacity: Capacity | null | undefined, nowMs = Date.now()): void {
    const seen = visible(capacity);
    if (this.last.get(id) === seen) return;
    this.last.set(id, seen);
    if (this.timer) return;
    const wait = Math.max(0, this.lastSentMs + this.minIntervalMs - nowMs);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.lastSentMs = Date.now();
      this.send();
    }, wait);
    this.timer.unref();
  }

  forget(id: DeviceId): void {
    this.last.delete(id);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
