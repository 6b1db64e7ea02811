// Owns the rigid-transform arithmetic between glTF nodes and Rapier poses: quaternions, and
// splitting a node's world matrix into pose and scale. Only + - * / and sqrt: those are exactly
// rounded everywhere, so poses fed to the deterministic engine are the same bits on every machine
// (Math.sin or Math.hypot may differ between V8 builds).

import { composeTrs, multiply, type Mat4 } from '../../gltf/mat4.js';
import type { Pose, Quat, Vec3 } from './physics-scene.js';

export { composeTrs, multiply, type Mat4 };

/** Columns this far from orthogonal (relative) mean a sheared matrix: a shape under it is not a shape we can build. */
const SHEAR_TOLERANCE = 1e-4;

export function quatMultiply(a: Quat, b: Quat): Quat {
  const [ax, ay, az, aw] = a;
  const [bx, by, bz, bw] = b;
  return [aw * bx + ax * bw + ay * bz - az * by, aw * by - ax * bz + ay * bw + az * bx, aw * bz + ax * by - ay * bx + az * bw, aw * bw - ax * bx - ay * by - az * bz];
}

export function quatConjugate(q: Quat): Quat {
  return [-q[0], -q[1], -q[2], q[3]];
}

export function quatNormalize(q: Quat): Quat {
  const n = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
  return n > 0 ? [q[0] / n, q[1] / n, q[2] / n, q[3] / n] : [0, 0, 0, 1];
}

export function quatRotate(q: Quat, v: Vec3): Vec3 {
  const [x, y, z, w] = q;
  // v + 2w(q×v) + 2q×(q×v)
  const cx = y * v[2] - z * v[1];
  const cy = z * v[0] - x * v[2];
  const cz = x * v[1] - y * v[0];
  return [v[0] + 2 * (w * cx + y * cz - z * cy), v[1] + 2 * (w * cy + z * cx - x * cz), v[2] + 2 * (w * cz + x * cy - y * cx)];
}

/** The rotation of an orthonormal column-major 3x3 (Shepperd's method: sqrt only). */
export function quatFromBasis(c0: Vec3, c1: Vec3, c2: Vec3): Quat {
  const [m00, m10, m20] = c0;
  const [m01, m11, m21] = c1;
  const [m02, m12, m22] = c2;
  const trace = m00 + m11 + m22;
  let q: Quat;
  if (trace > 0) {
    const s = Math.sqrt(trace + 1) * 2;
    q = [(m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s, s / 4];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [s / 4, (m01 + m10) / s, (m02 + m20) / s, (m21 - m12) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m01 + m10) / s, s / 4, (m12 + m21) / s, (m02 - m20) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m02 + m20) / s, (m12 + m21) / s, s / 4, (m10 - m01) / s];
  }
  return quatNormalize(q);
}

export interface Decomposed extends Pose {
  scale: Vec3;
}

/**
 * Pose and scale of a column-major matrix, or null when it is sheared (a non-uniform scale under
 * a rotation) or has a zero scale: neither is a rigid pose times an axis scale. A mirrored matrix
 * gets its negative scale on X, as other glTF tools do.
 */
export function decompose(m: Mat4): Decomposed | null {
  const col = (i: number): Vec3 => [m[i * 4]!, m[i * 4 + 1]!, m[i * 4 + 2]!];
  const c = [col(0), col(1), col(2)];
  const len = c.map((v) => Math.sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]));
  if (len.some((l) => !(l > 0) || !Number.isFinite(l))) return null;
  const [a, b, d] = c as [Vec3, Vec3, Vec3];
  const det = a[0] * (b[1] * d[2] - b[2] * d[1]) - a[1] * (b[0] * d[2] - b[2] * d[0]) + a[2] * (b[0] * d[1] - b[1] * d[0]);
  const scale: Vec3 = [det < 0 ? -len[0]! : len[0]!, len[1]!, len[2]!];
  const unit = c.map((v, i) => v.map((x) => x / scale[i]!) as Vec3) as [Vec3, Vec3, Vec3];
  const dot = (p: Vec3, q: Vec3): number => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
  if (Math.abs(dot(unit[0], unit[1])) > SHEAR_TOLERANCE || Math.abs(dot(unit[0], unit[2])) > SHEAR_TOLERANCE || Math.abs(dot(unit[1], unit[2])) > SHEAR_TOLERANCE) {
    return null;
  }
  return { translation: [m[12]!, m[13]!, m[14]!], rotation: quatFromBasis(...unit), scale };
}

/** The lengths of a matrix's three axis columns: its scale, unsigned. */
export function columnLengths(m: Mat4): Vec3 {
  const len = (i: number): number => Math.sqrt(m[i]! * m[i]! + m[i + 1]! * m[i + 1]! + m[i + 2]! * m[i + 2]!);
  return [len(0), len(4), len(8)];
}

/** `m` (a node's world matrix) seen from the rigid frame `frame`: frame⁻¹ · m. */
export function relativeTo(frame: Pose, m: Mat4): Mat4 {
  const inv = quatConjugate(frame.rotation);
  const out = new Float64Array(16);
  for (let c = 0; c < 3; c++) {
    const v = quatRotate(inv, [m[c * 4]!, m[c * 4 + 1]!, m[c * 4 + 2]!]);
    out.set([...v, 0], c * 4);
  }
  const t = frame.translation;
  out.set([...quatRotate(inv, [m[12]! - t[0], m[13]! - t[1], m[14]! - t[2]]), 1], 12);
  return out;
}

/** True when |x|, |y| and |z| agree to a part in 10⁵ and are positive. */
export function isUniform(scale: Vec3): boolean {
  const [x, y, z] = scale;
  if (!(x > 0 && y > 0 && z > 0)) return false;
  const max = Math.max(x, y, z);
  return max - Math.min(x, y, z) <= max * 1e-5;
}

/** `pose` composed with a similarity (t, q, uniform s): where the similarity's frame sits in the world. */
export function composeSimilarity(pose: Pose, t: Vec3, q: Quat, s: number): { translation: Vec3; rotation: Quat; scale: number } {
  const moved = quatRotate(pose.rotation, t);
  return {
    translation: [pose.translation[0] + moved[0], pose.translation[1] + moved[1], pose.translation[2] + moved[2]],
    rotation: quatNormalize(quatMultiply(pose.rotation, q)),
    scale: s,
  };
}
