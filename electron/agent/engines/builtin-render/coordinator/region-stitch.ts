// Owns putting a rendered bucket back into its frame. Every pixel is computed from full-frame
// coordinates, so pasting buckets gives the same bytes as rendering the frame in one piece.

import type { Region } from '../../../../../shared/model/jobs.js';

/** Copies region-sized float RGBA `source` into the full-frame float RGBA `target`. */
export function pasteRegion(target: Float32Array, targetWidth: number, region: Region, source: Float32Array): void {
  const targetHeight = target.length / (targetWidth * 4);
  const { x, y, width, height } = region;
  if (x < 0 || y < 0 || width < 1 || height < 1 || x + width > targetWidth || y + height > targetHeight) {
    throw new RangeError(`region ${width}x${height} at ${x},${y} does not fit a ${targetWidth}x${targetHeight} frame`);
  }
  if (source.length !== width * height * 4) throw new RangeError(`source has ${source.length / 4} pixels, region has ${width * height}`);
  for (let row = 0; row < height; row++) {
    target.set(source.subarray(row * width * 4, (row + 1) * width * 4), ((y + row) * targetWidth + x) * 4);
  }
}
