// Owns writing rendered pixels to files: 8-bit sRGB PNG and 32-bit float OpenEXR, both written
// by hand (node:zlib for PNG's deflate) so output bytes depend on nothing but the pixels.

import { promisify } from 'node:util';
import { deflate, deflateSync } from 'node:zlib';

const deflateAsync = promisify(deflate);
/** Rows converted between yields to the event loop: links must keep heartbeating during a big encode. */
const ROWS_PER_SLICE = 64;

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Linear [0, 1] to an sRGB byte; out-of-range and NaN values clamp, rounding half up. */
function toSrgbByte(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  const s = v <= 0.0031308 ? 12.92 * v : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
  return Math.floor(s * 255 + 0.5);
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  chunk.set(data, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

/** Linear float RGBA (row 0 at the top) to an 8-bit RGBA PNG tagged sRGB. */
export function encodePng(rgba: Float32Array, width: number, height: number): Buffer {
  checkSize(rgba, width, height);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  pngRows(rgba, width, raw, 0, height);
  return pngFile(width, height, deflateSync(raw, { level: 6 }));
}

/**
 * The same bytes as encodePng, without holding the event loop: the conversion yields every few
 * rows and deflate runs on libuv's thread pool. For the agent, where a frame can be 100 megapixels.
 */
export async function encodePngAsync(rgba: Float32Array, width: number, height: number): Promise<Buffer> {
  checkSize(rgba, width, height);
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y += ROWS_PER_SLICE) {
    pngRows(rgba, width, raw, y, Math.min(height, y + ROWS_PER_SLICE));
    await new Promise((resolve) => setImmediate(resolve));
  }
  return pngFile(width, height, await deflateAsync(raw, { level: 6 }));
}

function pngRows(rgba: Float32Array, width: number, raw: Buffer, fromRow: number, toRow: number): void {
  const rowBytes = width * 4 + 1;
  for (let y = fromRow; y < toRow; y++) {
    // Filter byte 0 (None) starts each row; it is already zero.
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const o = y * rowBytes + 1 + x * 4;
      raw[o] = toSrgbByte(rgba[i]!);
      raw[o + 1] = toSrgbByte(rgba[i + 1]!);
      raw[o + 2] = toSrgbByte(rgba[i + 2]!);
      const a = rgba[i + 3]!;
      raw[o + 3] = a > 0 ? (a >= 1 ? 255 : Math.floor(a * 255 + 0.5)) : 0;
    }
  }
}

function pngFile(width: number, height: number, compressed: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('sRGB', Uint8Array.of(0)),
    pngChunk('IDAT', compressed),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** Linear float RGBA to an uncompressed scanline OpenEXR with FLOAT A, B, G, R channels. */
export function encodeExr(rgba: Float32Array, width: number, height: number): Buffer {
  checkSize(rgba, width, height);
  const parts: Buffer[] = [];
  const attribute = (name: string, type: string, value: Buffer): void => {
    const size = Buffer.alloc(4);
    size.writeInt32LE(value.length);
    parts.push(Buffer.from(`${name}\0${type}\0`, 'latin1'), size, value);
  };
  const ints = (...values: number[]): Buffer => {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeInt32LE(v, i * 4));
    return b;
  };
  const floats = (...values: number[]): Buffer => {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => b.writeFloatLE(v, i * 4));
    return b;
  };
  // Channels must be listed in alphabetical order; scanline data follows the same order.
  const channels = ['A', 'B', 'G', 'R'];
  const channelOffset = [3, 2, 1, 0];
  const chlist = Buffer.concat([
    ...channels.map((c) => Buffer.concat([Buffer.from(`${c}\0`, 'latin1'), ints(2), Buffer.from([0, 0, 0, 0]), ints(1, 1)])),
    Buffer.from([0]),
  ]);
  parts.push(ints(20000630, 2));
  attribute('channels', 'chlist', chlist);
  attribute('compression', 'compression', Buffer.from([0]));
  attribute('dataWindow', 'box2i', ints(0, 0, width - 1, height - 1));
  attribute('displayWindow', 'box2i', ints(0, 0, width - 1, height - 1));
  attribute('lineOrder', 'lineOrder', Buffer.from([0]));
  attribute('pixelAspectRatio', 'float', floats(1));
  attribute('screenWindowCenter', 'v2f', floats(0, 0));
  attribute('screenWindowWidth', 'float', floats(1));
  parts.push(Buffer.from([0]));
  const header = Buffer.concat(parts);
  const lineBytes = width * 4 * channels.length;
  const blockBytes = 8 + lineBytes;
  const out = Buffer.alloc(header.length + height * 8 + height * blockBytes);
  header.copy(out, 0);
  const firstBlock = header.length + height * 8;
  for (let y = 0; y < height; y++) {
    const block = firstBlock + y * blockBytes;
    out.writeBigUInt64LE(BigInt(block), header.length + y * 8);
    out.writeInt32LE(y, block);
    out.writeInt32LE(lineBytes, block + 4);
    for (let c = 0; c < channels.length; c++) {
      const base = block + 8 + c * width * 4;
      for (let x = 0; x < width; x++) out.writeFloatLE(rgba[(y * width + x) * 4 + channelOffset[c]!]!, base + x * 4);
    }
  }
  return out;
}

function checkSize(rgba: Float32Array, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgba.length !== width * height * 4) {
    throw new RangeError(`image of ${rgba.length / 4} pixels does not match ${width}x${height}`);
  }
}
