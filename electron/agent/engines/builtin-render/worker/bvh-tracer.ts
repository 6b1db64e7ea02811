// Owns ray queries against a three-mesh-bvh tree, walked directly over its packed node buffer.
// The library's raycastFirst allocates an Intersection per hit and recurses; a path tracer
// needs millions of queries per second, so this is one allocation-free loop.
//
// Node layout (three-mesh-bvh 0.9, src/core/utils/nodeBufferUtils.js), 32 bytes per node:
//   float32[n32 + 0..5]  bounds min xyz, max xyz
//   uint32 [n32 + 6]     leaf: first triangle (BVH order); inner: right child offset in nodes
//   uint32 [n32 + 7]     inner: split axis;  leaf: uint16[n16 + 14] count, uint16[n16 + 15] 0xFFFF
// The left child of an inner node directly follows it.
//
// Möller–Trumbore is written out in both query loops on purpose: as one shared function it measured
// about 5 % fewer rays/s (tracer-bench, 2026-11-25), and these loops are the renderer's hot path.

const LEAF_FLAG = 0xffff;
const NODE_U32 = 8;

export class BvhTracer {
  /** Results of the last closestHit: distance, barycentrics of v1 and v2, triangle (BVH order). */
  hitT = 0;
  hitU = 0;
  hitV = 0;
  hitTri = -1;
  private readonly stackNode = new Int32Array(256);
  private readonly stackT = new Float64Array(256);
  private readonly f32: Float32Array;
  private readonly u32: Uint32Array;
  private readonly u16: Uint16Array;

  /**
   * @param root one of MeshBVH._roots
   * @param tris per triangle in BVH order: v0 xyz, edge v1-v0, edge v2-v0 (9 floats)
   */
  constructor(
    root: ArrayBufferLike,
    readonly tris: Float32Array,
  ) {
    this.f32 = new Float32Array(root);
    this.u32 = new Uint32Array(root);
    this.u16 = new Uint16Array(root);
  }

  /** Nearest hit with 0 < t < tMax; fills hitT/hitU/hitV/hitTri. Triangles are two-sided. */
  closestHit(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, tMax: number): boolean {
    const f = this.f32;
    const u32 = this.u32;
    const u16 = this.u16;
    const tri = this.tris;
    const stackNode = this.stackNode;
    const stackT = this.stackT;
    // A zero component would make 0 * Infinity = NaN in the slab test; a tiny one cannot.
    const ix = 1 / (dx !== 0 ? dx : 1e-30);
    const iy = 1 / (dy !== 0 ? dy : 1e-30);
    const iz = 1 / (dz !== 0 ? dz : 1e-30);
    let closest = tMax;
    let hitTri = -1;
    let hitU = 0;
    let hitV = 0;
    const tRoot = slab(f, 0, ox, oy, oz, ix, iy, iz);
    if (!(tRoot < closest)) return false;
    stackNode[0] = 0;
    stackT[0] = tRoot;
    let sp = 1;
    while (sp > 0) {
      sp--;
      if (stackT[sp]! >= closest) continue;
      let n = stackNode[sp]!;
      for (;;) {
        const n16 = n * 2;
        if (u16[n16 + 15] === LEAF_FLAG) {
          const first = u32[n + 6]!;
          const end = first + u16[n16 + 14]!;
          for (let i = first; i < end; i++) {
            const b = i * 9;
            const e1x = tri[b + 3]!;
            const e1y = tri[b + 4]!;
            const e1z = tri[b + 5]!;
            const e2x = tri[b + 6]!;
            const e2y = tri[b + 7]!;
            const e2z = tri[b + 8]!;
            const px = dy * e2z - dz * e2y;
            const py = dz * e2x - dx * e2z;
            const pz = dx * e2y - dy * e2x;
            const det = e1x * px + e1y * py + e1z * pz;
            if (det === 0) continue;
            const inv = 1 / det;
            const tx = ox - tri[b]!;
            const ty = oy - tri[b + 1]!;
            const tz = oz - tri[b + 2]!;
            const u = (tx * px + ty * py + tz * pz) * inv;
            if (u < 0 || u > 1) continue;
            const qx = ty * e1z - tz * e1y;
            const qy = tz * e1x - tx * e1z;
            const qz = tx * e1y - ty * e1x;
            const v = (dx * qx + dy * qy + dz * qz) * inv;
            if (v < 0 || u + v > 1) continue;
            const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
            if (t > 0 && t < closest) {
              closest = t;
              hitTri = i;
              hitU = u;
              hitV = v;
            }
          }
          break;
        }
        const left = n + NODE_U32;
        const right = n + u32[n + 6]! * NODE_U32;
        const tl = slab(f, left, ox, oy, oz, ix, iy, iz);
        const tr = slab(f, right, ox, oy, oz, ix, iy, iz);
        if (tl < closest) {
          if (tr < closest) {
            // Visit the nearer child now; the farther one waits with its entry distance so it
            // can be skipped if a closer hit turns up first.
            if (tl <= tr) {
              stackNode[sp] = right;
              stackT[sp++] = tr;
              n = left;
            } else {
              stackNode[sp] = left;
              stackT[sp++] = tl;
              n = right;
            }
          } else n = left;
        } else if (tr < closest) n = right;
        else break;
      }
    }
    if (hitTri < 0) return false;
    this.hitT = closest;
    this.hitU = hitU;
    this.hitV = hitV;
    this.hitTri = hitTri;
    return true;
  }

  /** True if anything lies at 0 < t < tMax (shadow rays): stops at the first hit found. */
  anyHit(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number, tMax: number): boolean {
    const f = this.f32;
    const u32 = this.u32;
    const u16 = this.u16;
    const tri = this.tris;
    const stackNode = this.stackNode;
    const ix = 1 / (dx !== 0 ? dx : 1e-30);
    const iy = 1 / (dy !== 0 ? dy : 1e-30);
    const iz = 1 / (dz !== 0 ? dz : 1e-30);
    if (!(slab(f, 0, ox, oy, oz, ix, iy, iz) < tMax)) return false;
    stackNode[0] = 0;
    let sp = 1;
    while (sp > 0) {
      const n = stackNode[--sp]!;
      const n16 = n * 2;
      if (u16[n16 + 15] === LEAF_FLAG) {
        const first = u32[n + 6]!;
        const end = first + u16[n16 + 14]!;
        for (let i = first; i < end; i++) {
          const b = i * 9;
          const e1x = tri[b + 3]!;
          const e1y = tri[b + 4]!;
          const e1z = tri[b + 5]!;
          const e2x = tri[b + 6]!;
          const e2y = tri[b + 7]!;
          const e2z = tri[b + 8]!;
          const px = dy * e2z - dz * e2y;
          const py = dz * e2x - dx * e2z;
          const pz = dx * e2y - dy * e2x;
          const det = e1x * px + e1y * py + e1z * pz;
          if (det === 0) continue;
          const inv = 1 / det;
          const tx = ox - tri[b]!;
          const ty = oy - tri[b + 1]!;
          const tz = oz - tri[b + 2]!;
          const u = (tx * px + ty * py + tz * pz) * inv;
          if (u < 0 || u > 1) continue;
          const qx = ty * e1z - tz * e1y;
          const qy = tz * e1x - tx * e1z;
          const qz = tx * e1y - ty * e1x;
          const v = (dx * qx + dy * qy + dz * qz) * inv;
          if (v < 0 || u + v > 1) continue;
          const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
          if (t > 0 && t < tMax) return true;
        }
        continue;
      }
      const left = n + NODE_U32;
      const right = n + u32[n + 6]! * NODE_U32;
      if (slab(f, right, ox, oy, oz, ix, iy, iz) < tMax) stackNode[sp++] = right;
      if (slab(f, left, ox, oy, oz, ix, iy, iz) < tMax) stackNode[sp++] = left;
    }
    return false;
  }
}

/** Entry distance of the ray into node n's box (clamped to 0), or Infinity on a miss. */
function slab(f: Float32Array, n: number, ox: number, oy: number, oz: number, ix: number, iy: number, iz: number): number {
  let t0 = (f[n]! - ox) * ix;
  let t1 = (f[n + 3]! - ox) * ix;
  let near = t0 < t1 ? t0 : t1;
  let far = t0 < t1 ? t1 : t0;
  t0 = (f[n + 1]! - oy) * iy;
  t1 = (f[n + 4]! - oy) * iy;
  if (t0 > t1) {
    const swap = t0;
    t0 = t1;
    t1 = swap;
  }
  if (t0 > near) near = t0;
  if (t1 < far) far = t1;
  t0 = (f[n + 2]! - oz) * iz;
  t1 = (f[n + 5]! - oz) * iz;
  if (t0 > t1) {
    const swap = t0;
    t0 = t1;
    t1 = swap;
  }
  if (t0 > near) near = t0;
  if (t1 < far) far = t1;
  if (near < 0) near = 0;
  // three-mesh-bvh pads every box by a float32 epsilon, so a flat box still has thickness here.
  return near <= far ? near : Infinity;
}
