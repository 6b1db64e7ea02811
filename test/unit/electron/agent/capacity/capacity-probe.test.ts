import os from 'node:os';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CapacityProbe } from '../../../../../electron/agent/capacity/capacity-probe.js';

/** A fake machine of 4 cores whose CPU times we advance by hand. */
function fakeCpus() {
  const times = { user: 0, nice: 0, sys: 0, idle: 0, irq: 0 };
  vi.spyOn(os, 'cpus').mockImplementation(() => Array.from({ length: 4 }, () => ({ model: 'x', speed: 1, times: { ...times } })));
  vi.spyOn(os, 'availableParallelism').mockReturnValue(4);
  vi.spyOn(os, 'loadavg').mockReturnValue([0, 0, 0]); // as Windows reports it
  return {
    /** `ms` of wall time in which each core was busy `share` of the time. */
    advance(ms: number, share: number) {
      times.user += ms * share;
      times.idle += ms * (1 - share);
    },
  };
}

afterEach(() => vi.restoreAllMocks());

describe('CapacityProbe', () => {
  it('measures load from CPU times (not the load average, which Windows reports as 0)', () => {
    const cpus = fakeCpus();
    const probe = new CapacityProbe({ mode: 'idle', coreCap: null });
    cpus.advance(2000, 0.75);
    (probe as unknown as { sample(): void }).sample();
    const busy = probe.read();
    probe.close();
    expect(busy.load).toBeGreaterThan(0.6);
    expect(busy.freeCores).toBe(0); // "only when idle": someone is using the machine
  });

  it('a quiet machine shares its cores when the owner chose "only when idle"', () => {
    const cpus = fakeCpus();
    const probe = new CapacityProbe({ mode: 'idle', coreCap: 2 });
    cpus.advance(2000, 0.02);
    (probe as unknown as { sample(): void }).sample();
    const quiet = probe.read();
    probe.close();
    expect(quiet.load).toBeLessThan(0.1);
    expect(quiet.freeCores).toBe(2);
  });
});
