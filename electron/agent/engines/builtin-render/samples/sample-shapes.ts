// Owns the procedural geometry of the sample scene: a studio backdrop, a torus knot, a lathed
// vase, a sphere, a cylinder and a flat strip, each with normals, UVs and counter-clockwise winding.

export interface Shape {
  positions: number[];
  normals: number[];
  uvs: number[];
  indices: number[];
}

type V3 = [number, number, number];

/** A (cols+1) x (rows+1) vertex grid from a function of (u, v) in [0, 1]^2. */
function grid(cols: number, rows: number, at: (u: number, v: number) => { p: V3; n: V3; uv?: [number, number] }, flip = false): Shape {
  const shape: Shape = { positions: [], normals: [], uvs: [], indices: [] };
  for (let j = 0; j <= rows; j++) {
    for (let i = 0; i <= cols; i++) {
      const u = i / cols;
      const v = j / rows;
      const { p, n, uv } = at(u, v);
      shape.positions.push(...p);
      shape.normals.push(...normalize(n));
      shape.uvs.push(...(uv ?? [u, v]));
    }
  }
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const a = j * (cols + 1) + i;
      const b = a + 1;
      const c = a + cols + 1;
      const d = c + 1;
      if (flip) shape.indices.push(a, b, c, b, d, c);
      else shape.indices.push(a, c, b, b, c, d);
    }
  }
  return shape;
}

export function normalize(v: V3): V3 {
  const l = Math.hypot(...v) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}

function cross(a: V3, b: V3): V3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** Floor running into a quarter-round cove and up a back wall (a photographer's sweep). */
export function studioSweep(width: number, floorFront: number, wallZ: number, coveRadius: number, wallTop: number): Shape {
  const floorLen = floorFront - (wallZ + coveRadius);
  const coveLen = (Math.PI / 2) * coveRadius;
  const wallLen = wallTop - coveRadius;
  const total = floorLen + coveLen + wallLen;
  return grid(24, 64, (u, v) => {
    const s = v * total;
    const x = (u - 0.5) * width;
    let p: V3;
    let n: V3;
    if (s <= floorLen) {
      p = [x, 0, floorFront - s];
      n = [0, 1, 0];
    } else if (s <= floorLen + coveLen) {
      const a = (s - floorLen) / coveRadius;
      p = [x, coveRadius - coveRadius * Math.cos(a), wallZ + coveRadius - coveRadius * Math.sin(a)];
      n = [0, Math.cos(a), Math.sin(a)];
    } else {
      p = [x, coveRadius + (s - floorLen - coveLen), wallZ];
      n = [0, 0, 1];
    }
    return { p, n, uv: [x / 2, s / 2] };
  }, true);
}

/** Torus knot (p, q) around the Y axis, standing in the XY plane. */
export function torusKnot(radius: number, tube: number, p: number, q: number, segments: number, sides: number): Shape {
  const curve = (t: number): V3 => {
    const a = t * p * Math.PI * 2;
    const r = radius * (2 + Math.cos((q / p) * a)) * 0.5;
    return [r * Math.cos(a), r * Math.sin(a), radius * Math.sin((q / p) * a) * 0.5];
  };
  return grid(sides, segments, (u, v) => {
    const c = curve(v);
    const ahead = curve(v + 1e-4);
    const tangent = normalize([ahead[0] - c[0], ahead[1] - c[1], ahead[2] - c[2]]);
    const sum: V3 = [ahead[0] + c[0], ahead[1] + c[1], ahead[2] + c[2]];
    const binormal = normalize(cross(tangent, sum));
    const normal = cross(binormal, tangent);
    const a = u * Math.PI * 2;
    const n: V3 = [
      Math.cos(a) * normal[0] + Math.sin(a) * binormal[0],
      Math.cos(a) * normal[1] + Math.sin(a) * binormal[1],
      Math.cos(a) * normal[2] + Math.sin(a) * binormal[2],
    ];
    return { p: [c[0] + tube * n[0], c[1] + tube * n[1], c[2] + tube * n[2]], n };
  }, true);
}

/** Surface of revolution about +Y from a profile of (radius, height) points. */
export function lathe(profile: [number, number][], segments: number): Shape {
  const rows = profile.length - 1;
  return grid(segments, rows, (u, v) => {
    const j = Math.round(v * rows);
    const [r, y] = profile[j]!;
    const [r0, y0] = profile[Math.max(0, j - 1)]!;
    const [r1, y1] = profile[Math.min(rows, j + 1)]!;
    // The profile's outward normal: its tangent (dr, dy) turned a quarter.
    const dr = r1 - r0;
    const dy = y1 - y0;
    const a = u * Math.PI * 2;
    return { p: [r * Math.cos(a), y, -r * Math.sin(a)], n: [dy * Math.cos(a), -dr, -dy * Math.sin(a)] };
  }, true);
}

export function sphere(radius: number, segments: number, rings: number): Shape {
  return grid(segments, rings, (u, v) => {
    const theta = v * Math.PI;
    const phi = u * Math.PI * 2;
    const n: V3 = [Math.sin(theta) * Math.cos(phi), Math.cos(theta), -Math.sin(theta) * Math.sin(phi)];
    return { p: [n[0] * radius, n[1] * radius, n[2] * radius], n };
  });
}

/** Closed cylinder standing on y = 0: side plus two capped fans. */
export function cylinder(radius: number, height: number, segments: number): Shape {
  const side = grid(segments, 1, (u, v) => {
    const a = u * Math.PI * 2;
    return { p: [radius * Math.cos(a), v * height, -radius * Math.sin(a)], n: [Math.cos(a), 0, -Math.sin(a)], uv: [u * 3, v * 0.5] };
  }, true);
  for (const [y, ny] of [[height, 1], [0, -1]] as const) {
    const base = side.positions.length / 3;
    side.positions.push(0, y, 0);
    side.normals.push(0, ny, 0);
    side.uvs.push(0.5, 0.5);
    for (let i = 0; i <= segments; i++) {
      const a = (i / segments) * Math.PI * 2;
      side.positions.push(radius * Math.cos(a), y, -radius * Math.sin(a));
      side.normals.push(0, ny, 0);
      side.uvs.push(0.5 + 0.5 * Math.cos(a), 0.5 + 0.5 * Math.sin(a));
    }
    for (let i = 0; i < segments; i++) {
      if (ny > 0) side.indices.push(base, base + 1 + i, base + 2 + i);
      else side.indices.push(base, base + 2 + i, base + 1 + i);
    }
  }
  return side;
}

/** A flat rectangle centred at `center`, facing `target` (front face towards it). */
export function facingStrip(center: V3, target: V3, width: number, height: number): Shape {
  const n = normalize([target[0] - center[0], target[1] - center[1], target[2] - center[2]]);
  const u = normalize(cross(n, [0, 1, 0]));
  const v = cross(n, u);
  const corner = (a: number, b: number): V3 => [center[0] + u[0] * a + v[0] * b, center[1] + u[1] * a + v[1] * b, center[2] + u[2] * a + v[2] * b];
  const w = width / 2;
  const h = height / 2;
  // u x v = n, so going +u then +v winds counter-clockwise seen from the front.
  const cornersCcw = [corner(-w, -h), corner(w, -h), corner(w, h), corner(-w, h)];
  return { positions: cornersCcw.flat(), normals: Array(4).fill(n).flat(), uvs: [0, 0, 1, 0, 1, 1, 0, 1], indices: [0, 1, 2, 0, 2, 3] };
}
