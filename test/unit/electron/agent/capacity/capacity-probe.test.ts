import { describe, expect, it } from 'vitest';
import { CapacityProbe, type CpuMeter } from '../../../../../electron/agent/capacity/capacity-probe.js';

/**
 * A machine of 4 cores whose CPU times, own use and clock we advance by hand: nothing of the test
 * process (its own CPU time, how long it was descheduled on a busy machine) reaches the probe.
 */
function fakeMachine() {
  const t = { busyMs: 0, totalMs: 0, ownMicros: 0, nowMs: 1_000_000 };
  const meter: CpuMeter = {
    cores: () => 4,
    machineTimes: () => ({ busyMs: t.busyMs, totalMs: t.totalMs }),
    ownMicros: () => t.ownMicros,
    nowMs: () => t.nowMs,
    loadAverage: () => 0, // as Windows reports it
  };
  return {
    meter,
    /** `ms` of wall time in which each core was busy `share` of the time, `ownShare` of a core of it ours. */
    advance(ms: number, share: number, ownShare = 0) {
      t.busyMs += 4 * ms * share;
      t.totalMs += 4 * ms;
      t.ownMicros += ms * ownShare * 1000;
      t.nowMs += ms;
    },
  };
}

describe('CapacityProbe', () => {
  it('measures load from CPU times (not the load average, which Windows reports as 0)', () => {
    const machine = fakeMachine();
    const probe = new CapacityProbe({ mode: 'idle', coreCap: null }, machine.meter);
    machine.advance(2000, 0.75);
    probe.sample();
    const busy = probe.read();
    probe.close();
    expect(busy.load).toBe(0.75);
    expect(busy.freeCores).toBe(0); // "only when idle": someone is using the machine
  });

  it('a quiet machine shares its cores when the owner chose "only when idle"', () => {
    const machine = fakeMachine();
    const probe = new CapacityProbe({ mode: 'idle', coreCap: 2 }, machine.meter);
    machine.advance(2000, 0.02);
    probe.sample();
    const quiet = probe.read();
    probe.close();
    expect(quiet.load).toBeLessThan(0.1);
    expect(quiet.freeCores).toBe(2);
  });

  it('the team work this machine does is not counted as its owner using it', () => {
    const machine = fakeMachine();
    const probe = new CapacityProbe({ mode: 'idle', coreCap: null }, machine.meter);
    machine.advance(2000, 0.5, 2); // 2 of 4 cores busy, both with our own engines
    probe.sample();
    const working = probe.read();
    probe.close();
    expect(working.load).toBe(0);
    expect(working.workCores).toBe(2);
    expect(working.freeCores).toBe(4);
  });
});
