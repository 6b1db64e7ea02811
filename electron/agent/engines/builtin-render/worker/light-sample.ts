// Owns what a shading point receives from one punctual light (KHR_lights_punctual units: point
// and spot intensity in candela, falling off with distance squared; directional in lux).

import type { WorldLight } from '../reading/world-geometry.js';

/** Direction to the light, how far a shadow ray must reach, and the radiance arriving. */
export interface LightSample {
  wx: number;
  wy: number;
  wz: number;
  distance: number;
  r: number;
  g: number;
  b: number;
  /** Solid-angle pdf of the sample; 0 for punctual (delta) lights. */
  pdf: number;
}

export function punctualLight(light: WorldLight, px: number, py: number, pz: number, out: LightSample): boolean {
  const m = light.model;
  const [ldx, ldy, ldz] = light.direction;
  let k = m.intensity;
  out.pdf = 0;
  if (m.type === 'directional') {
    out.wx = -ldx;
    out.wy = -ldy;
    out.wz = -ldz;
    out.distance = Infinity;
  } else {
    const lx = light.position[0] - px;
    const ly = light.position[1] - py;
    const lz = light.position[2] - pz;
    const d2 = lx * lx + ly * ly + lz * lz;
    if (!(d2 > 0)) return false;
    const d = Math.sqrt(d2);
    out.wx = lx / d;
    out.wy = ly / d;
    out.wz = lz / d;
    out.distance = d * (1 - 1e-6);
    k /= d2;
    if (m.range !== Infinity) {
      // The falloff window glTF recommends, so the light reaches exactly zero at its range.
      const ratio = d / m.range;
      k *= Math.min(1, Math.max(0, 1 - ratio * ratio * ratio * ratio));
    }
    if (m.type === 'spot') {
      const cosOuter = Math.cos(m.outerConeAngle);
      const scale = 1 / Math.max(0.001, Math.cos(m.innerConeAngle) - cosOuter);
      const cd = -(ldx * out.wx + ldy * out.wy + ldz * out.wz);
      const a = Math.min(1, Math.max(0, (cd - cosOuter) * scale));
      k *= a * a;
    }
  }
  if (!(k > 0)) return false;
  out.r = m.color[0] * k;
  out.g = m.color[1] * k;
  out.b = m.color[2] * k;
  return true;
}
