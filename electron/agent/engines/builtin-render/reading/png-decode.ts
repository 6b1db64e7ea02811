// Owns reading PNG textures into 8-bit RGBA with nothing but node:zlib: every colour type, bit
// depths 1-16, filters 0-4. Interlaced (Adam7) files are refused rather than half-supported.
// The size comes from the one IHDR at the front, which the scene budget reads before anything is
// decoded (readPngHeader): a later chunk cannot claim another size.

import { inflateSync } from 'node:zlib';
import { BadSceneError } from '../../gltf/scene-errors.js';

export interface DecodedImage {
  width: number;
  height: number;
  rgba: Uint8Array;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Signature, then the IHDR chunk's length, type and 13 bytes of data. */
export const PNG_HEADER_BYTES = 8 + 8 + 13;
/** 8k x 8k, 256 MiB of texels at 4 bytes each: the largest texture decoded. */
export const MAX_TEXTURE_SIDE_PX = 8192;
export const MAX_TEXTURE_PIXELS = MAX_TEXTURE_SIDE_PX * MAX_TEXTURE_SIDE_PX;

export function isPng(bytes: Uint8Array): boolean {
  return SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The IHDR that the PNG format puts first, read without decoding anything; null if it is not there. */
export function readPngHeader(bytes: Uint8Array): PngHeader | null {
  if (bytes.byteLength < PNG_HEADER_BYTES || !isPng(bytes)) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, PNG_HEADER_BYTES);
  if (view.getUint32(8) !== 13 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
  return { width: view.getUint32(16), height: view.getUint32(20), bitDepth: bytes[24]!, colorType: bytes[25]!, interlace: bytes[28]! };
}

/**
 * Bytes held at once while decoding: the inflated scanlines and their unfiltered copy (freed
 * after), plus the RGBA result (kept).
 */
export function pngDecodeBytes(header: PngHeader): { keptBytes: number; transientBytes: number } {
  const rowBytes = Math.ceil((header.width * (CHANNELS[header.colorType] ?? 4) * Math.max(1, header.bitDepth)) / 8);
  return { keptBytes: header.width * header.height * 4, transientBytes: (2 * rowBytes + 1) * header.height };
}

export function decodePng(bytes: Uint8Array, name: string): DecodedImage {
  const bad = (why: string): BadSceneError => new BadSceneError(`texture ${name} is not a readable PNG (${why})`);
  if (!isPng(bytes)) throw bad('no PNG signature');
  const header = readPngHeader(bytes);
  if (!header) throw bad('no IHDR chunk first');
  if (header.interlace !== 0) {
    throw new BadSceneError(`texture ${name} is an interlaced PNG, which the built-in renderer cannot read; save it without interlacing`);
  }
  const { width, height, bitDepth, colorType } = header;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let palette: Uint8Array | null = null;
  let transparency: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  for (let pos = PNG_HEADER_BYTES + 4; pos + 8 <= bytes.byteLength; ) {
    const length = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    const data = bytes.subarray(pos + 8, pos + 8 + length);
    if (data.byteLength < length) throw bad('truncated');
    if (type === 'IHDR') throw bad('a second IHDR chunk');
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + length;
  }
  const channels = CHANNELS[colorType];
  if (!channels || ![1, 2, 4, 8, 16].includes(bitDepth)) throw bad(`colour type ${colorType}, bit depth ${bitDepth}`);
  if (width < 1 || height < 1 || width * height > MAX_TEXTURE_PIXELS) throw bad(`size ${width}x${height}`);
  if (colorType === 3 && !palette) throw bad('palette missing');
  const rowBytes = Math.ceil((width * channels * bitDepth) / 8);
  const expected = (rowBytes + 1) * height;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: expected });
  } catch (err) {
    throw bad(`compressed data: ${(err as Error).message}`);
  }
  if (raw.byteLength < expected) throw bad('truncated image data');
  const pixels = unfilter(raw, rowBytes, height, Math.max(1, (channels * bitDepth) >> 3), bad);
  return { width, height, rgba: toRgba(pixels, width, height, rowBytes, channels, bitDepth, colorType, palette, transparency) };
}

function unfilter(raw: Uint8Array, rowBytes: number, height: number, bpp: number, bad: (why: string) => Error): Uint8Array {
  const out = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)];
    const src = y * (rowBytes + 1) + 1;
    const row = y * rowBytes;
    const prev = row - rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const x = raw[src + i]!;
      const a = i >= bpp ? out[row + i - bpp]! : 0;
      const b = y > 0 ? out[prev + i]! : 0;
      const c = i >= bpp && y > 0 ? out[prev + i - bpp]! : 0;
      let value: number;
      if (filter === 0) value = x;
      else if (filter === 1) value = x + a;
      else if (filter === 2) value = x + b;
      else if (filter === 3) value = x + ((a + b) >> 1);
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        value = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      } else throw bad(`unknown row filter ${filter}`);
      out[row + i] = value & 0xff;
    }
  }
  return out;
}

function toRgba(
  px: Uint8Array,
  width: number,
  height: number,
  rowBytes: number,
  channels: number,
  bitDepth: number,
  colorType: number,
  palette: Uint8Array | null,
  trns: Uint8Array | null,
): Uint8Array {
  // Shared memory: the render threads read the texels where they are, without a copy each.
  const rgba = new Uint8Array(new SharedArrayBuffer(width * height * 4));
  const maxValue = (1 << Math.min(bitDepth, 8)) - 1;
  // The sample as stored (16-bit samples whole), for palette indices and tRNS colour keys.
  const raw = (row: number, index: number): number => {
    if (bitDepth === 16) return (px[row + index * 2]! << 8) | px[row + index * 2 + 1]!;
    if (bitDepth === 8) return px[row + index]!;
    const bitPos = index * bitDepth;
    return (px[row + (bitPos >> 3)]! >> (8 - bitDepth - (bitPos & 7))) & maxValue;
  };
  // The sample scaled to 8 bits; 16-bit samples keep their high byte.
  const sample = (row: number, index: number): number => {
    const v = raw(row, index);
    return bitDepth === 16 ? v >> 8 : bitDepth === 8 ? v : Math.round((v * 255) / maxValue);
  };
  const keyOf = (i: number): number => (trns && trns.byteLength > i * 2 + 1 ? (trns[i * 2]! << 8) | trns[i * 2 + 1]! : -1);
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const s = x * channels;
      if (colorType === 3) {
        const i = raw(row, s);
        rgba[o] = palette![i * 3] ?? 0;
        rgba[o + 1] = palette![i * 3 + 1] ?? 0;
        rgba[o + 2] = palette![i * 3 + 2] ?? 0;
        rgba[o + 3] = trns?.[i] ?? 255;
      } else if (colorType === 0 || colorType === 4) {
        const g = sample(row, s);
        rgba[o] = rgba[o + 1] = rgba[o + 2] = g;
        rgba[o + 3] = colorType === 4 ? sample(row, s + 1) : raw(row, s) === keyOf(0) ? 0 : 255;
      } else {
        rgba[o] = sample(row, s);
        rgba[o + 1] = sample(row, s + 1);
        rgba[o + 2] = sample(row, s + 2);
        const keyed = colorType === 2 && trns && raw(row, s) === keyOf(0) && raw(row, s + 1) === keyOf(1) && raw(row, s + 2) === keyOf(2);
        rgba[o + 3] = colorType === 6 ? sample(row, s + 3) : keyed ? 0 : 255;
      }
    }
  }
  return rgba;
}
