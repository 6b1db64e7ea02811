// Owns what a surface looks like where a ray hit it: position, facing normals, and the material
// with its textures applied; and where an emissive triangle sends light from when sampled.

import type { FrameScene } from '../reading/frame-scene.js';
import type { LightSample } from './light-sample.js';
import { sampleTexture } from '../reading/texture-images.js';

export interface HitShading {
  px: number;
  py: number;
  pz: number;
  /** Geometric normal, turned towards the incoming ray. */
  gx: number;
  gy: number;
  gz: number;
  /** Interpolated shading normal, on the same side as the geometric one. */
  nx: number;
  ny: number;
  nz: number;
  frontFacing: boolean;
  r: number;
  g: number;
  b: number;
  metallic: number;
  roughness: number;
  er: number;
  eg: number;
  eb: number;
  doubleSided: boolean;
}

const texel = new Float64Array(4);

export function shadeHit(scene: FrameScene, tri: number, u: number, v: number, dx: number, dy: number, dz: number, out: HitShading): void {
  const t = scene.tracer.tris;
  const b = tri * 9;
  const e1x = t[b + 3]!;
  const e1y = t[b + 4]!;
  const e1z = t[b + 5]!;
  const e2x = t[b + 6]!;
  const e2y = t[b + 7]!;
  const e2z = t[b + 8]!;
  out.px = t[b]! + u * e1x + v * e2x;
  out.py = t[b + 1]! + u * e1y + v * e2y;
  out.pz = t[b + 2]! + u * e1z + v * e2z;
  let gx = e1y * e2z - e1z * e2y;
  let gy = e1z * e2x - e1x * e2z;
  let gz = e1x * e2y - e1y * e2x;
  const gl = Math.hypot(gx, gy, gz) || 1;
  const front = gx * dx + gy * dy + gz * dz < 0;
  const flip = front ? 1 / gl : -1 / gl;
  gx *= flip;
  gy *= flip;
  gz *= flip;
  const w = 1 - u - v;
  const n = scene.normals;
  let nx = w * n[b]! + u * n[b + 3]! + v * n[b + 6]!;
  let ny = w * n[b + 1]! + u * n[b + 4]! + v * n[b + 7]!;
  let nz = w * n[b + 2]! + u * n[b + 5]! + v * n[b + 8]!;
  // Vertex normals are turned to the side the ray arrived on, whatever the winding says.
  const side = nx * gx + ny * gy + nz * gz < 0 ? -1 : 1;
  nx *= side;
  ny *= side;
  nz *= side;
  const nl = Math.hypot(nx, ny, nz);
  // A shading normal facing away from the viewer would shade black; use the true normal there.
  if (nl === 0 || nx * dx + ny * dy + nz * dz >= 0) {
    nx = gx;
    ny = gy;
    nz = gz;
  } else {
    nx /= nl;
    ny /= nl;
    nz /= nl;
  }
  out.gx = gx;
  out.gy = gy;
  out.gz = gz;
  out.nx = nx;
  out.ny = ny;
  out.nz = nz;
  out.frontFacing = front;
  const m = scene.materials[scene.materialOf[tri]!]!;
  const uvs = scene.uvs;
  const ub = tri * 6;
  const tu = w * uvs[ub]! + u * uvs[ub + 2]! + v * uvs[ub + 4]!;
  const tv = w * uvs[ub + 1]! + u * uvs[ub + 3]! + v * uvs[ub + 5]!;
  out.r = m.baseColor[0];
  out.g = m.baseColor[1];
  out.b = m.baseColor[2];
  if (m.baseColorTexture) {
    sampleTexture(m.baseColorTexture, tu, tv, texel);
    out.r *= texel[0]!;
    out.g *= texel[1]!;
    out.b *= texel[2]!;
  }
  out.metallic = m.metallic;
  out.roughness = m.roughness;
  if (m.metallicRoughnessTexture) {
    sampleTexture(m.metallicRoughnessTexture, tu, tv, texel);
    out.roughness *= texel[1]!;
    out.metallic *= texel[2]!;
  }
  out.er = m.emissive[0];
  out.eg = m.emissive[1];
  out.eb = m.emissive[2];
  if (m.emissiveTexture && out.er + out.eg + out.eb > 0) {
    sampleTexture(m.emissiveTexture, tu, tv, texel);
    out.er *= texel[0]!;
    out.eg *= texel[1]!;
    out.eb *= texel[2]!;
  }
  out.doubleSided = m.doubleSided;
}

/**
 * The point at barycentrics (b1, b2) of emissive triangle `tri`, seen from (px, py, pz): its
 * direction, shadow-ray length, radiance over the solid-angle pdf, and that pdf.
 */
export function sampleEmitterPoint(scene: FrameScene, tri: number, b1: number, b2: number, px: number, py: number, pz: number, out: LightSample): boolean {
  const t = scene.tracer.tris;
  const b = tri * 9;
  const e1x = t[b + 3]!;
  const e1y = t[b + 4]!;
  const e1z = t[b + 5]!;
  const e2x = t[b + 6]!;
  const e2y = t[b + 7]!;
  const e2z = t[b + 8]!;
  const lx = t[b]! + b1 * e1x + b2 * e2x - px;
  const ly = t[b + 1]! + b1 * e1y + b2 * e2y - py;
  const lz = t[b + 2]! + b1 * e1z + b2 * e2z - pz;
  const d2 = lx * lx + ly * ly + lz * lz;
  const d = Math.sqrt(d2);
  if (!(d > 0)) return false;
  const cx = e1y * e2z - e1z * e2y;
  const cy = e1z * e2x - e1x * e2z;
  const cz = e1x * e2y - e1y * e2x;
  const m = scene.materials[scene.materialOf[tri]!]!;
  // Light leaves the front face (counter-clockwise winding) towards us: against (lx, ly, lz).
  let cosLight = -(cx * lx + cy * ly + cz * lz) / (Math.hypot(cx, cy, cz) * d);
  if (!m.doubleSided && cosLight <= 0) return false;
  cosLight = Math.abs(cosLight);
  if (cosLight < 1e-8) return false;
  let er = m.emissive[0];
  let eg = m.emissive[1];
  let eb = m.emissive[2];
  if (m.emissiveTexture) {
    const uvs = scene.uvs;
    const ub = tri * 6;
    const w = 1 - b1 - b2;
    sampleTexture(m.emissiveTexture, w * uvs[ub]! + b1 * uvs[ub + 2]! + b2 * uvs[ub + 4]!, w * uvs[ub + 1]! + b1 * uvs[ub + 3]! + b2 * uvs[ub + 5]!, texel);
    er *= texel[0]!;
    eg *= texel[1]!;
    eb *= texel[2]!;
  }
  const pdf = (scene.emitters.pdfArea[tri]! * d2) / cosLight;
  if (!(pdf > 0)) return false;
  out.wx = lx / d;
  out.wy = ly / d;
  out.wz = lz / d;
  out.distance = d * (1 - 1e-4) - scene.epsilon;
  out.r = er / pdf;
  out.g = eg / pdf;
  out.b = eb / pdf;
  out.pdf = pdf;
  return true;
}
