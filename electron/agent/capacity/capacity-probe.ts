// Owns what this machine can give the team right now: its size, its own load, and its owner's
// sharing setting. Heartbeats carry the result; schedulers read it.

import os from 'node:os';
import type { Capacity, SharingSetting } from '../../../shared/model/index.js';

/** Below this load (share of all cores busy) a machine counts as idle for "only when idle". */
const IDLE_LOAD = 0.25;

/** Our own CPU use is averaged like the 1-minute load average, so it can be taken out of it. */
const OWN_USE_SAMPLE_MS = 2000;
const LOADAVG_WINDOW_MS = 60_000;

export class CapacityProbe {
  private ownCores = 0;
  private lastUsage = process.cpuUsage();
  private lastSampleMs = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(private sharing: SharingSetting) {
    this.timer = setInterval(() => this.sampleOwnUse(), OWN_USE_SAMPLE_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Rendering for the team must not make this machine look busy to its own owner's "idle" rule. */
  private sampleOwnUse(): void {
    const now = Date.now();
    const usage = process.cpuUsage(this.lastUsage);
    const cores = (usage.user + usage.system) / 1000 / Math.max(1, now - this.lastSampleMs);
    const alpha = 1 - Math.exp(-(now - this.lastSampleMs) / LOADAVG_WINDOW_MS);
    this.ownCores += alpha * (cores - this.ownCores);
    this.lastUsage = process.cpuUsage();
    this.lastSampleMs = now;
  }

  setSharing(sharing: SharingSetting): void {
    this.sharing = sharing;
  }

  getSharing(): SharingSetting {
    return this.sharing;
  }

  read(): Capacity {
    const cores = os.availableParallelism();
    const busyCores = Math.min(cores, Math.max(0, (os.loadavg()[0] ?? 0) - this.ownCores));
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
