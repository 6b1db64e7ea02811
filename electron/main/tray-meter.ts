// Owns the tray icon as a capacity meter: a ring whose filled arc is the share of the team's
// cores that are busy, drawn at run time as RGBA pixels (Electron's nativeImage takes them as
// they are). It is redrawn only when the value crosses a visible step, since a tray icon that
// changes every second costs the shell work for nothing. Pure: no `electron` import, so it is
// tested in plain Node; the shell hands the pixels to nativeImage.createFromBuffer.

export interface MeterImage {
  width: number;
  height: number;
  /** width × height × 4 bytes, RGBA, not premultiplied. */
  rgba: Uint8Array;
}

export interface MeterStyle {
  /** macOS template image: black with alpha only (the menu bar tints it). */
  template: boolean;
}

/** Steps a full ring is split into: 12.5 % each, about what a 16-px icon can show. */
export const METER_STEPS = 8;

const BUSY = [245, 158, 11]; // amber: cores in use
const FREE = [34, 197, 94]; // green: cores the team can have

/** The step (0..METER_STEPS) a busy share falls in. */
export function meterStep(busyShare: number): number {
  return Math.round(Math.min(1, Math.max(0, busyShare)) * METER_STEPS);
}

/** Draws the ring for a step; `size` px square (32 is a 16-pt icon at 2x). */
export function drawMeter(step: number, size = 32, style: MeterStyle = { template: false }): MeterImage {
  const rgba = new Uint8Array(size * size * 4);
  const c = (size - 1) / 2;
  const outer = size / 2 - 1;
  const inner = outer * 0.55;
  const busyTurns = step / METER_STEPS;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const dx = x - c;
      const dy = y - c;
      const r = Math.hypot(dx, dy);
      // Coverage of the ring at this pixel (one pixel of anti-aliasing on both edges).
      const cover = Math.min(1, Math.max(0, outer + 0.5 - r)) * Math.min(1, Math.max(0, r - inner + 0.5));
      if (cover <= 0) continue;
      // Clockwise from twelve o'clock, in turns (0..1).
      const turns = (Math.atan2(dx, -dy) / (2 * Math.PI) + 1) % 1;
      const busy = turns < busyTurns;
      const i = (y * size + x) * 4;
      if (style.template) {
        rgba[i + 3] = Math.round(cover * (busy ? 255 : 90));
      } else {
        const [red, green, blue] = busy ? BUSY : FREE;
        rgba.set([red!, green!, blue!, Math.round(cover * 255)], i);
      }
    }
  }
  return { width: size, height: size, rgba };
}

/** Keeps the last step drawn and draws again only when the step changes. */
export class TrayMeter {
  private step = -1;

  constructor(
    private readonly size = 32,
    private readonly style: MeterStyle = { template: false },
  ) {}

  /** A new image when the busy share crossed a step, else null (keep the icon as it is). */
  update(busyShare: number): MeterImage | null {
    const step = meterStep(busyShare);
    if (step === this.step) return null;
    this.step = step;
    return drawMeter(step, this.size, this.style);
  }
}
