// Owns textures: encoded image bytes in, 8-bit texels out, and the bilinear lookup (to linear
// floats) the tracer makes at every hit. Formats we cannot decode become a warning, never a crash.

import { isPng, decodePng } from './png-decode.js';
import type { TextureImage, TextureRef } from './scene-model.js';

const CLAMP_TO_EDGE = 33071;
const MIRRORED_REPEAT = 33648;

const SRGB_TO_LINEAR = new Float64Array(256).map((_, i) => {
  const c = i / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
});
const BYTE_TO_UNIT = new Float64Array(256).map((_, i) => i / 255);

export type ImageDecodeResult = { image: TextureImage } | { warning: string };

/** Decodes PNG; JPEG and other formats yield a warning (the texture is then treated as absent). */
export function decodeTextureImage(bytes: Uint8Array, mimeType: string, name: string): ImageDecodeResult {
  if (!isPng(bytes)) {
    const isJpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
    const kind = isJpeg ? 'a JPEG' : `in a format the built-in renderer cannot decode (${mimeType || 'unknown type'})`;
    return { warning: `texture ${name} is ${kind}; it was left out (convert it to PNG to use it)` };
  }
  return { image: decodePng(bytes, name) };
}

function wrap(i: number, size: number, mode: number): number {
  if (mode === CLAMP_TO_EDGE) return i < 0 ? 0 : i >= size ? size - 1 : i;
  if (mode === MIRRORED_REPEAT) {
    const period = 2 * size;
    const m = ((i % period) + period) % period;
    return m < size ? m : period - 1 - m;
  }
  return ((i % size) + size) % size;
}

/** Bilinear lookup at (u, v) in glTF texture space (v down); writes RGBA into out[0..3]. */
export function sampleTexture(ref: TextureRef, u: number, v: number, out: Float64Array): void {
  const { width, height, rgba } = ref.image;
  const lut = ref.srgb ? SRGB_TO_LINEAR : BYTE_TO_UNIT;
  // A degenerate UV (NaN from a broken mesh) must not turn the whole path into NaN.
  if (!(u > -1e9 && u < 1e9)) u = 0;
  if (!(v > -1e9 && v < 1e9)) v = 0;
  const fx = u * width - 0.5;
  const fy = v * height - 0.5;
  const x0f = Math.floor(fx);
  const y0f = Math.floor(fy);
  const tx = fx - x0f;
  const ty = fy - y0f;
  const x0 = wrap(x0f, width, ref.wrapS);
  const x1 = wrap(x0f + 1, width, ref.wrapS);
  const y0 = wrap(y0f, height, ref.wrapT);
  const y1 = wrap(y0f + 1, height, ref.wrapT);
  const i00 = (y0 * width + x0) * 4;
  const i10 = (y0 * width + x1) * 4;
  const i01 = (y1 * width + x0) * 4;
  const i11 = (y1 * width + x1) * 4;
  const w00 = (1 - tx) * (1 - ty);
  const w10 = tx * (1 - ty);
  const w01 = (1 - tx) * ty;
  const w11 = tx * ty;
  for (let c = 0; c < 3; c++) {
    out[c] = lut[rgba[i00 + c]!]! * w00 + lut[rgba[i10 + c]!]! * w10 + lut[rgba[i01 + c]!]! * w01 + lut[rgba[i11 + c]!]! * w11;
  }
  // Alpha is linear in every texture.
  out[3] = (rgba[i00 + 3]! * w00 + rgba[i10 + 3]! * w10 + rgba[i01 + 3]! * w01 + rgba[i11 + 3]! * w11) / 255;
}
