// Owns the little 4x4 matrix arithmetic the scene graph needs: column-major, in doubles.

/** A point or direction, glTF's axes. */
export type Vec3 = [number, number, number];
/** A rotation as glTF stores it: x, y, z, w. */
export type Quat = [number, number, number, number];

export type Mat4 = Float64Array;

export function identity(): Mat4 {
  return new Float64Array([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
}

export function composeTrs(t: Vec3, q: Quat, s: Vec3): Mat4 {
  const [x, y, z, w] = q;
  const [sx, sy, sz] = s;
  const xx = x * x, yy = y * y, zz = z * z, xy = x * y, xz = x * z, yz = y * z, wx = w * x, wy = w * y, wz = w * z;
  return new Float64Array([
    (1 - 2 * (yy + zz)) * sx, 2 * (xy + wz) * sx, 2 * (xz - wy) * sx, 0,
    2 * (xy - wz) * sy, (1 - 2 * (xx + zz)) * sy, 2 * (yz + wx) * sy, 0,
    2 * (xz + wy) * sz, 2 * (yz - wx) * sz, (1 - 2 * (xx + yy)) * sz, 0,
    t[0], t[1], t[2], 1,
  ]);
}

export function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Float64Array(16);
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      out[c * 4 + r] = a[r]! * b[c * 4]! + a[4 + r]! * b[c * 4 + 1]! + a[8 + r]! * b[c * 4 + 2]! + a[12 + r]! * b[c * 4 + 3]!;
    }
  }
  return out;
}

/** Inverse transpose of the upper 3x3 (column-major 3x3), for transforming normals. */
export function normalMatrix(m: Mat4): Float64Array {
  const a = m[0]!, b = m[1]!, c = m[2]!, d = m[4]!, e = m[5]!, f = m[6]!, g = m[8]!, h = m[9]!, i = m[10]!;
  const c0 = e * i - f * h, c1 = f * g - d * i, c2 = d * h - e * g;
  const det = a * c0 + b * c1 + c * c2;
  const inv = det !== 0 ? 1 / det : 0;
  // The cofactor matrix over the determinant is the inverse transpose; stored column by column.
  return new Float64Array([
    c0 * inv, c1 * inv, c2 * inv,
    (c * h - b * i) * inv, (a * i - c * g) * inv, (b * g - a * h) * inv,
    (b * f - c * e) * inv, (c * d - a * f) * inv, (a * e - b * d) * inv,
  ]);
}
