// Owns what this machine can give the team right now: its size, its own load, and its owner's
// sharing setting. Heartbeats carry the result; schedulers read it.
//
// Load is measured from the CPU times every OS reports (os.cpus()), not the load average, which
// Windows always reports as 0. The agent's own use, its engine processes included, is taken out:
// rendering for the team must not make this machine look busy to its owner's "idle" rule.

import os from 'node:os';
import type { Capacity, SharingSetting } from '../../../shared/model/index.js';
import { engineCpuMicros } from '../engines/engine-cpu.js';

/** Below this load (share of all cores busy) a machine counts as idle for "only when idle". */
const IDLE_LOAD = 0.25;

/** Sampled every 2 s and averaged over about a minute, like the 1-minute load average. */
const SAMPLE_MS = 2000;
const WINDOW_MS = 60_000;
/** The team's own use is shown live (the utilisation chart, the tray), so it is averaged over less. */
const WORK_WINDOW_MS = 10_000;
/** "Only when idle" also wants nobody at the keyboard or mouse for this long, where the shell can tell. */
export const IDLE_USER_SECONDS = 180;
/** A presence report older than this is not trusted (the shell stopped telling): the CPU alone decides. */
const PRESENCE_STALE_MS = 120_000;

/**
 * Where the probe reads CPU time and the clock. The OS in the agent; a hand-advanced machine in
 * unit tests, whose own process time and wall clock would otherwise leak into what they measure.
 */
export interface CpuMeter {
  cores(): number;
  /** CPU time (ms) all cores spent busy and in all, since boot. */
  machineTimes(): { busyMs: number; totalMs: number };
  /** CPU time (µs) this agent and its engine processes used since start. */
  ownMicros(): number;
  nowMs(): number;
  /** The 1-minute load average, or 0 where the OS has none (Windows). */
  loadAverage(): number;
}

export const osCpuMeter: CpuMeter = {
  cores: () => os.availableParallelism(),
  machineTimes() {
    let busyMs = 0;
    let totalMs = 0;
    for (const cpu of os.cpus()) {
      const t = cpu.times;
      busyMs += t.user + t.nice + t.sys + t.irq;
      totalMs += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    return { busyMs, totalMs };
  },
  ownMicros() {
    const u = process.cpuUsage();
    return u.user + u.system + engineCpuMicros();
  },
  nowMs: () => Date.now(),
  loadAverage: () => os.loadavg()[0] ?? 0,
};

export class CapacityProbe {
  /** Busy cores other than ours, averaged; it starts from the load average where there is one. */
  private othersBusyCores: number;
  private ownBusyCores = 0;
  private presence: { idleSeconds: number; atMs: number } | null = null;
  private samples = 0;
  private last: { busyMs: number; totalMs: number; ownMicros: number; atMs: number };
  private readonly timer: NodeJS.Timeout;

  constructor(
    private sharing: SharingSetting,
    private readonly meter: CpuMeter = osCpuMeter,
  ) {
    this.othersBusyCores = Math.min(meter.cores(), meter.loadAverage());
    this.last = this.reading();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
  }

  private reading(): { busyMs: number; totalMs: number; ownMicros: number; atMs: number } {
    return { ...this.meter.machineTimes(), ownMicros: this.meter.ownMicros(), atMs: this.meter.nowMs() };
  }

  /** Takes one sample (every SAMPLE_MS; tests call it after advancing their meter). */
  sample(): void {
    const now = this.reading();
    const cores = this.meter.cores();
    const totalMs = now.totalMs - this.last.totalMs;
    if (totalMs > 0) {
      const busyCores = ((now.busyMs - this.last.busyMs) / totalMs) * cores;
      const ownCores = (now.ownMicros - this.last.ownMicros) / 1000 / Math.max(1, now.atMs - this.last.atMs);
      const others = Math.min(cores, Math.max(0, busyCores - ownCores));
      // The first sample replaces the starting guess: the load average also counts our own work.
      const first = this.samples++ === 0;
      const alpha = first ? 1 : 1 - Math.exp(-(now.atMs - this.last.atMs) / WINDOW_MS);
      this.othersBusyCores += alpha * (others - this.othersBusyCores);
      const workAlpha = first ? 1 : 1 - Math.exp(-(now.atMs - this.last.atMs) / WORK_WINDOW_MS);
      this.ownBusyCores += workAlpha * (Math.min(cores, Math.max(0, ownCores)) - this.ownBusyCores);
    }
    this.last = now;
  }

  setSharing(sharing: SharingSetting): void {
    this.sharing = sharing;
  }

  getSharing(): SharingSetting {
    return this.sharing;
  }

  /** The desktop shell's word on how long nobody has touched keyboard or mouse. */
  setPresence(idleSeconds: number, atMs = this.meter.nowMs()): void {
    this.presence = { idleSeconds, atMs };
  }

  /** Seconds since the owner last touched the machine, as the shell said (aged since); null when unknown or stale. */
  userIdleSeconds(nowMs = this.meter.nowMs()): number | null {
    if (!this.presence || nowMs - this.presence.atMs > PRESENCE_STALE_MS) return null;
    return Math.round(this.presence.idleSeconds + (nowMs - this.presence.atMs) / 1000);
  }

  /** What "only when idle" means: a quiet CPU, and nobody at the keyboard or mouse where that is known (as BOINC does). */
  private ownerIsAway(load: number): boolean {
    const userIdle = this.userIdleSeconds();
    return load < IDLE_LOAD && (userIdle === null || userIdle >= IDLE_USER_SECONDS);
  }

  read(): Capacity {
    const cores = this.meter.cores();
    const busyCores = Math.min(cores, this.othersBusyCores);
    const load = busyCores / cores;
    const cap = Math.min(cores, this.sharing.coreCap ?? cores);
    let freeCores = 0;
    if (this.sharing.mode === 'on') freeCores = Math.max(0, Math.min(cap, cores - busyCores));
    else if (this.sharing.mode === 'idle' && this.ownerIsAway(load)) freeCores = Math.max(0, Math.min(cap, cores - busyCores));
    return {
      cores,
      freeCores: Math.round(freeCores * 10) / 10,
      memoryBytes: os.totalmem(),
      freeMemoryBytes: os.freemem(),
      load: Math.round(load * 1000) / 1000,
      workCores: Math.round(this.ownBusyCores * 10) / 10,
      sharing: { ...this.sharing },
    };
  }
}
