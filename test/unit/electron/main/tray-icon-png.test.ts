import { describe, expect, it } from 'vitest';
import { decodePng } from '../../../../electron/agent/engines/builtin-render/reading/png-decode.js';
import { encodeMeterPng } from '../../../../electron/main/tray-icon-png.js';
import { drawMeter } from '../../../../electron/main/tray-meter.js';

describe('tray icon PNG', () => {
  it('round-trips the meter pixels exactly, colour and template', () => {
    for (const template of [false, true]) {
      const image = drawMeter(3, 32, { template });
      const png = encodeMeterPng(image);
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
      const decoded = decodePng(png, 'tray.png');
      expect(decoded.width).toBe(32);
      expect(decoded.height).toBe(32);
      expect(Buffer.from(decoded.rgba).equals(Buffer.from(image.rgba))).toBe(true);
    }
  });

  it('refuses pixels that do not fill the size', () => {
    expect(() => encodeMeterPng({ width: 2, height: 2, rgba: new Uint8Array(15) })).toThrow(/16 bytes/);
  });
});
