import { describe, expect, it } from 'vitest';
import { drawMeter, meterStep, METER_STEPS, TrayMeter, type MeterImage } from '../../../../electron/main/tray-meter.js';
import { describeTeamCapacity, teamCapacity } from '../../../../shared/model/team-capacity.js';
import type { TeamView } from '../../../../shared/model/index.js';

/** Opaque pixels of a colour (within a tolerance). */
function count(img: MeterImage, rgb: [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < img.rgba.length; i += 4) {
    if (
      img.rgba[i + 3]! > 200 &&
      Math.abs(img.rgba[i]! - rgb[0]) < 8 &&
      Math.abs(img.rgba[i + 1]! - rgb[1]) < 8 &&
      Math.abs(img.rgba[i + 2]! - rgb[2]) < 8
    )
      n++;
  }
  return n;
}
const BUSY: [number, number, number] = [245, 158, 11];
const FREE: [number, number, number] = [34, 197, 94];

describe('tray capacity meter', () => {
  it('0 % busy is all free, 100 % all busy, 50 % half and half (busy on the right: clockwise from twelve)', () => {
    const idle = drawMeter(meterStep(0));
    const full = drawMeter(meterStep(1));
    const half = drawMeter(meterStep(0.5));
    expect(count(idle, BUSY)).toBe(0);
    expect(count(idle, FREE)).toBeGreaterThan(100);
    expect(count(full, FREE)).toBe(0);
    expect(count(full, BUSY)).toBe(count(idle, FREE));
    const busy = count(half, BUSY);
    const free = count(half, FREE);
    expect(Math.abs(busy - free)).toBeLessThan(0.1 * (busy + free));
    // the busy half is the right half
    const at = (x: number, y: number) => Array.from(half.rgba.subarray((y * 32 + x) * 4, (y * 32 + x) * 4 + 3));
    expect(at(30, 16)).toEqual(BUSY);
    expect(at(1, 16)).toEqual(FREE);
    // transparent in the middle and the corners
    expect(half.rgba[(16 * 32 + 16) * 4 + 3]).toBe(0);
    expect(half.rgba[3]).toBe(0);
  });

  it('a template image is black with alpha only, the busy arc darker than the free one', () => {
    const img = drawMeter(meterStep(0.5), 32, { template: true });
    for (let i = 0; i < img.rgba.length; i += 4) expect([img.rgba[i], img.rgba[i + 1], img.rgba[i + 2]]).toEqual([0, 0, 0]);
    expect(img.rgba[(16 * 32 + 30) * 4 + 3]).toBeGreaterThan(img.rgba[(16 * 32 + 1) * 4 + 3]!);
  });

  it('is drawn again only when the value crosses a step', () => {
    const meter = new TrayMeter();
    expect(meter.update(0.3)).not.toBeNull();
    expect(meter.update(0.31)).toBeNull();
    expect(meter.update(0.2)).toBeNull(); // 0.2 and 0.3 both show 2 of 8 steps
    expect(meterStep(0.2)).toBe(2);
    expect(METER_STEPS).toBe(8);
    expect(meter.update(0.5)).not.toBeNull();
    expect(meter.update(0.5)).toBeNull();
  });

  it('sums the team the way the header and the tooltip say it', () => {
    const member = (online: boolean, cores: number, freeCores: number) => ({
      deviceId: 'x',
      name: 'x',
      addedBy: 'x',
      online,
      self: false,
      address: null,
      lastHeartbeatMs: null,
      capacity: { cores, freeCores, memoryBytes: 1, freeMemoryBytes: 1, load: 0, sharing: { mode: 'on' as const, coreCap: null } },
    });
    const team: TeamView = { teamId: 't', name: 't', members: [member(true, 16, 4), member(true, 12, 7), member(false, 8, 8)] };
    const c = teamCapacity(team);
    expect(c).toMatchObject({ machines: 2, cores: 28, freeCores: 11 });
    expect(describeTeamCapacity(c)).toBe('2 machines · 28 cores · 61 % busy');
    expect(describeTeamCapacity(teamCapacity(null))).toBe('0 machines · 0 cores · 0 % busy');
  });
});
