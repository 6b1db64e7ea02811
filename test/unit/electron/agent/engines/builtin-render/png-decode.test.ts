import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, readPngHeader } from '../../../../../../electron/agent/engines/builtin-render/reading/png-decode.js';

/** A PNG with the given IHDR fields and raw (already filtered) scanlines. CRCs are left zero. */
function png(width: number, height: number, bitDepth: number, colorType: number, raw: number[], extra: [string, number[]][] = []): Uint8Array {
  const chunk = (type: string, data: Uint8Array): Buffer => {
    const b = Buffer.alloc(12 + data.length);
    b.writeUInt32BE(data.length, 0);
    b.write(type, 4, 'latin1');
    b.set(data, 8);
    return b;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...extra.map(([t, d]) => chunk(t, Uint8Array.from(d))),
    chunk('IDAT', deflateSync(Uint8Array.from(raw))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

describe('decodePng', () => {
  it('undoes Sub, Up, Average and Paeth filters on RGB', () => {
    // Two rows of 2 RGB pixels: row 0 Sub-filtered, row 1 Paeth.
    const image = png(2, 2, 8, 2, [1, 10, 20, 30, 5, 5, 5, 4, 1, 1, 1, 2, 2, 2]);
    const { rgba } = decodePng(image, 't.png');
    expect([...rgba]).toEqual([10, 20, 30, 255, 15, 25, 35, 255, 11, 21, 31, 255, 17, 27, 37, 255]);
    const up = decodePng(png(1, 2, 8, 0, [0, 100, 2, 5]), 'g.png');
    expect([...up.rgba]).toEqual([100, 100, 100, 255, 105, 105, 105, 255]);
    const avg = decodePng(png(2, 1, 8, 0, [3, 8, 8]), 'a.png');
    expect([...avg.rgba]).toEqual([8, 8, 8, 255, 12, 12, 12, 255]);
  });

  it('reads palettes with transparency, 16-bit grey+alpha and 1-bit grey', () => {
    const palette = decodePng(png(2, 1, 8, 3, [0, 1, 0], [['PLTE', [255, 0, 0, 0, 0, 255]], ['tRNS', [128]]]), 'p.png');
    expect([...palette.rgba]).toEqual([0, 0, 255, 255, 255, 0, 0, 128]);
    const deep = decodePng(png(1, 1, 16, 4, [0, 0x12, 0x34, 0xff, 0xff]), 'd.png');
    expect([...deep.rgba]).toEqual([0x12, 0x12, 0x12, 255]);
    const bits = decodePng(png(3, 1, 1, 0, [0, 0b10100000]), 'b.png');
    expect([...bits.rgba]).toEqual([255, 255, 255, 255, 0, 0, 0, 255, 255, 255, 255, 255]);
  });

  it('refuses interlaced files and damage with the texture name', () => {
    const interlaced = png(1, 1, 8, 0, [0, 1]);
    interlaced[28] = 1;
    expect(() => decodePng(interlaced, 'wood.png')).toThrow(/texture wood\.png is an interlaced PNG/);
    expect(() => decodePng(png(2, 2, 8, 0, [0, 1, 2]), 'short.png')).toThrow(/texture short\.png is not a readable PNG/);
  });

  it('takes its size only from the IHDR at the front, which the budget reads too', () => {
    const image = png(3, 2, 8, 6, [0, ...new Array(12).fill(1), 0, ...new Array(12).fill(2)]);
    expect(readPngHeader(image)).toEqual({ width: 3, height: 2, bitDepth: 8, colorType: 6, interlace: 0 });
    expect(decodePng(image, 'ok.png').rgba.buffer).toBeInstanceOf(SharedArrayBuffer); // shared with the render threads
    // A second IHDR must not change the size after the budget has read the first.
    const second = Buffer.alloc(13);
    second.writeUInt32BE(30000, 0);
    second.writeUInt32BE(30000, 4);
    second[8] = 8;
    second[9] = 6;
    const sneaky = png(1, 1, 8, 6, [0, 1, 2, 3, 4], [['IHDR', [...second]]]);
    expect(readPngHeader(sneaky)).toMatchObject({ width: 1, height: 1 });
    expect(() => decodePng(sneaky, 'sneaky.png')).toThrow(/texture sneaky\.png is not a readable PNG \(a second IHDR chunk\)/);
    // No IHDR first: no header, and no decoding either.
    const headless = Buffer.concat([image.subarray(0, 8), image.subarray(33)]);
    expect(readPngHeader(headless)).toBeNull();
    expect(() => decodePng(headless, 'headless.png')).toThrow(/not a readable PNG \(no IHDR chunk first\)/);
  });
});
