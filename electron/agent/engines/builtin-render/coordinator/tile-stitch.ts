// Owns making a frame from its buckets on the coordinator: the float tiles workers sent are
// pasted into the full frame and encoded once, so a frame rendered in buckets is the same image,
// byte for byte, as one rendered whole.

import { readFile } from 'node:fs/promises';
import type { OutputFormat, Region } from '../../../../../shared/model/jobs.js';
import { encodeExr, encodePngAsync } from '../image-encode.js';
import { pasteRegion } from './region-stitch.js';

/** Stitches float RGBA tiles (files at `path`) into a width × height frame and encodes it. */
export async function stitchTiles(width: number, height: number, format: OutputFormat, tiles: { region: Region; path: string }[]): Promise<Buffer> {
  const full = new Float32Array(width * height * 4);
  for (const t of tiles) {
    const raw = await readFile(t.path);
    const tile = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)); // aligned copy
    if (tile.length !== t.region.width * t.region.height * 4) throw new Error(`tile for rows ${t.region.y}+${t.region.height} has the wrong size`);
    pasteRegion(full, width, t.region, tile);
  }
  return format === 'exr' ? encodeExr(full, width, height) : await encodePngAsync(full, width, height);
}
