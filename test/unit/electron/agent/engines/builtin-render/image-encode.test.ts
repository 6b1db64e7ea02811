import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeExr, encodePng, pasteRegion } from '../../../../../../electron/agent/engines/builtin-render/index.js';
import { decodePng } from '../../../../../../electron/agent/engines/builtin-render/reading/png-decode.js';

function gradient(width: number, height: number): Float32Array {
  const px = new Float32Array(width * height * 4);
  for (let i = 0; i < width * height; i++) px.set([i / (width * height), 0.5, i % 3 === 0 ? 2 : -1, 1], i * 4);
  return px;
}

describe('encodePng', () => {
  it('writes a PNG whose IDAT inflates to one filter byte plus RGBA per row', () => {
    const png = encodePng(gradient(5, 3), 5, 3);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(5);
    expect(png.readUInt32BE(20)).toBe(3);
    expect([png[24], png[25], png[26], png[27], png[28]]).toEqual([8, 6, 0, 0, 0]);
    const idat: Buffer[] = [];
    for (let pos = 8; pos < png.length; ) {
      const length = png.readUInt32BE(pos);
      if (png.toString('latin1', pos + 4, pos + 8) === 'IDAT') idat.push(png.subarray(pos + 8, pos + 8 + length));
      pos += 12 + length;
    }
    expect(inflateSync(Buffer.concat(idat)).length).toBe(3 * (1 + 5 * 4));
  });

  it('converts linear to sRGB with clamping, and reads back through our own decoder', () => {
    const px = new Float32Array([0, 0.5, 1, 1, -3, Number.NaN, 40, 0.25, 0.0031308, 0.22, 0.99, 0]);
    const { rgba, width, height } = decodePng(encodePng(px, 3, 1), 'out.png');
    expect([width, height]).toEqual([3, 1]);
    expect([...rgba]).toEqual([0, 188, 255, 255, 0, 0, 255, 64, 10, 129, 254, 0]);
  });
});

describe('encodeExr', () => {
  it('writes an uncompressed scanline OpenEXR header and float data', () => {
    const px = gradient(4, 2);
    const exr = encodeExr(px, 4, 2);
    expect(exr.readUInt32LE(0)).toBe(20000630);
    expect(exr.readUInt32LE(4)).toBe(2);
    const text = exr.toString('latin1');
    for (const name of ['channels\0chlist', 'compression\0compression', 'dataWindow\0box2i', 'displayWindow\0box2i', 'lineOrder\0lineOrder', 'pixelAspectRatio\0float', 'screenWindowCenter\0v2f', 'screenWindowWidth\0float']) {
      expect(text).toContain(name);
    }
    const headerEnd = text.indexOf('screenWindowWidth\0float\0') + 'screenWindowWidth\0float\0'.length + 4 + 4 + 1;
    const firstLine = Number(exr.readBigUInt64LE(headerEnd));
    expect(firstLine).toBe(headerEnd + 2 * 8);
    expect(exr.readInt32LE(firstLine)).toBe(0);
    expect(exr.readInt32LE(firstLine + 4)).toBe(4 * 4 * 4);
    // Channels A, B, G, R: the R values of row 0 come last.
    expect(exr.readFloatLE(firstLine + 8 + 3 * 16 + 4)).toBeCloseTo(px[4]!);
    expect(exr.length).toBe(headerEnd + 2 * 8 + 2 * (8 + 64));
  });
});

describe('pasteRegion', () => {
  it('places a region into the frame and refuses one that does not fit', () => {
    const frame = new Float32Array(4 * 3 * 4);
    const tile = Float32Array.from({ length: 2 * 2 * 4 }, (_, i) => i + 1);
    pasteRegion(frame, 4, { x: 1, y: 1, width: 2, height: 2 }, tile);
    expect([...frame.subarray((1 * 4 + 1) * 4, (1 * 4 + 3) * 4)]).toEqual([...tile.subarray(0, 8)]);
    expect([...frame.subarray((2 * 4 + 1) * 4, (2 * 4 + 3) * 4)]).toEqual([...tile.subarray(8, 16)]);
    expect(frame[0]).toBe(0);
    expect(() => pasteRegion(frame, 4, { x: 3, y: 0, width: 2, height: 2 }, tile)).toThrow(/does not fit/);
  });
});
