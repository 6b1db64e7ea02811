// Owns what this machine can give the team right now: its size, its own load, and its owner's
// sharing setting. Heartbeats carry the result; schedulers read it.

import os from 'node:os';
import type { Capacity, SharingSetting } from '../../../shared/model/index.js';

/** Below this load (share of all cores busy) a machine counts as idle for "only when idle". */
const IDLE_LOAD = 0.25;

export class CapacityProbe {
  constructor(private sharing: SharingSetting) {}

  setSharing(sharing: SharingSetting): void {
    this.sharing = sharing;
  }

  getSharing(): SharingSetting {
    return this.sharing;
  }

  read(): Capacity {
    const cores = os.availableParallelism();
    const busyCores = Math.min(cores, os.loadavg()[0] ?? 0);
    const load = busyCores / cores;
    const cap = Math.min(cores, this.sharing.coreCap ?? cores);
    let freeCores = 0;
    if (this.sharing.mode === 'on') freeCores = Math.max(0, Math.min(cap, cores - busyCores));
    else if (this.sharing.mode === 'idle' && load < IDLE_LOAD) freeCores = Math.max(0, Math.min(cap, cores - busyCores));
    return {
      cores,
      freeCores: Math.round(freeCores * 10) / 10,
      memoryBytes: os.totalmem(),
      freeMemoryBytes: os.freemem(),
      load: Math.round(load * 1000) / 1000,
      sharing: { ...this.sharing },
    };
  }
}
