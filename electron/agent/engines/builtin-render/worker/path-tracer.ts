// Owns the light transport: unidirectional path tracing with next-event estimation to every
// punctual light and to one emissive triangle per bounce (MIS-weighted against BSDF hits),
// Russian roulette after the third bounce. One pixel at a time, in full-frame coordinates.

import type { FrameScene } from '../reading/frame-scene.js';
import { MetalRoughBsdf } from './metal-rough-bsdf.js';
import { PixelRandom } from './pixel-random.js';
import { sampleEmitterPoint, shadeHit, type HitShading } from './hit-shading.js';
import { punctualLight, type LightSample } from './light-sample.js';

export interface TraceSettings {
  width: number;
  height: number;
  samplesPerPixel: number;
  maxBounces: number;
  seed: number;
  frame: number;
}

const ROULETTE_AFTER = 3;
// Light arriving after a bounce is clamped per sample: rare caustic paths through glossy
// surfaces otherwise leave isolated white pixels that 16 samples cannot average away.
const INDIRECT_CLAMP = 4;
// Path regularisation: a glossy surface reached after a rough bounce is shaded at least this
// fraction as rough as the roughest bounce so far. Diffuse -> mirror -> small light paths
// (caustics) otherwise come out as sparkles all over diffuse walls; what the camera sees
// directly is unchanged.
const ROUGHEN_AFTER_BOUNCE = 0.75;

export class PathTracer {
  private readonly rng = new PixelRandom();
  private readonly bsdf = new MetalRoughBsdf();
  private readonly hit: HitShading = { px: 0, py: 0, pz: 0, gx: 0, gy: 0, gz: 0, nx: 0, ny: 0, nz: 0, frontFacing: true, r: 0, g: 0, b: 0, metallic: 0, roughness: 1, er: 0, eg: 0, eb: 0, doubleSided: false };
  private readonly light: LightSample = { wx: 0, wy: 0, wz: 0, distance: 0, r: 0, g: 0, b: 0, pdf: 0 };
  private readonly tanY: number;
  private readonly aspect: number;
  // Radiance of the current path, gathered by addLight.
  private lr = 0;
  private lg = 0;
  private lb = 0;

  constructor(
    private readonly scene: FrameScene,
    private readonly settings: TraceSettings,
  ) {
    this.aspect = settings.width / settings.height;
    this.tanY = Math.tan(scene.camera.model.yfov / 2);
  }

  /** Mean linear RGB of pixel (x, y) of the full frame into out[o..o+3] (alpha 1). */
  renderPixel(x: number, y: number, out: Float32Array, o: number): void {
    const { seed, frame, samplesPerPixel, width, height } = this.settings;
    const cam = this.scene.camera;
    let sr = 0;
    let sg = 0;
    let sb = 0;
    for (let s = 0; s < samplesPerPixel; s++) {
      this.rng.start(seed, frame, x, y, s);
      const fx = (2 * (x + this.rng.next())) / width - 1;
      const fy = 1 - (2 * (y + this.rng.next())) / height;
      let ox = cam.position[0];
      let oy = cam.position[1];
      let oz = cam.position[2];
      let dx = cam.forward[0];
      let dy = cam.forward[1];
      let dz = cam.forward[2];
      if (cam.model.type === 'orthographic') {
        const mx = fx * cam.model.ymag * this.aspect;
        const my = fy * cam.model.ymag;
        ox += cam.right[0] * mx + cam.up[0] * my;
        oy += cam.right[1] * mx + cam.up[1] * my;
        oz += cam.right[2] * mx + cam.up[2] * my;
      } else {
        const mx = fx * this.tanY * this.aspect;
        const my = fy * this.tanY;
        dx += cam.right[0] * mx + cam.up[0] * my;
        dy += cam.right[1] * mx + cam.up[1] * my;
        dz += cam.right[2] * mx + cam.up[2] * my;
        const len = Math.hypot(dx, dy, dz);
        dx /= len;
        dy /= len;
        dz /= len;
      }
      this.tracePath(ox, oy, oz, dx, dy, dz);
      // A NaN from a degenerate triangle would poison the whole pixel; drop that one sample.
      if (Number.isFinite(this.lr + this.lg + this.lb)) {
        sr += this.lr;
        sg += this.lg;
        sb += this.lb;
      }
    }
    out[o] = sr / samplesPerPixel;
    out[o + 1] = sg / samplesPerPixel;
    out[o + 2] = sb / samplesPerPixel;
    out[o + 3] = 1;
  }

  private tracePath(ox: number, oy: number, oz: number, dx: number, dy: number, dz: number): void {
    const { scene, rng, bsdf, hit, light } = this;
    const { tracer, emitters, epsilon } = scene;
    this.lr = this.lg = this.lb = 0;
    let tr = 1;
    let tg = 1;
    let tb = 1;
    let lastPdf = 0;
    let pathRoughness = 0;
    for (let bounce = 0; ; bounce++) {
      if (!tracer.closestHit(ox, oy, oz, dx, dy, dz, Infinity)) {
        const env = scene.environment;
        this.addLight(tr * env[0], tg * env[1], tb * env[2], bounce - 1);
        return;
      }
      const tri = tracer.hitTri;
      const t = tracer.hitT;
      shadeHit(scene, tri, tracer.hitU, tracer.hitV, dx, dy, dz, hit);
      if ((hit.er > 0 || hit.eg > 0 || hit.eb > 0) && (hit.frontFacing || hit.doubleSided)) {
        let w = 1;
        const pdfArea = emitters.pdfArea[tri]!;
        if (bounce > 0 && pdfArea > 0) {
          const cosLight = Math.abs(hit.gx * dx + hit.gy * dy + hit.gz * dz);
          const pdfLight = (pdfArea * t * t) / Math.max(cosLight, 1e-8);
          w = (lastPdf * lastPdf) / (lastPdf * lastPdf + pdfLight * pdfLight);
        }
        this.addLight(tr * hit.er * w, tg * hit.eg * w, tb * hit.eb * w, bounce - 1);
      }
      if (bounce >= this.settings.maxBounces) return;
      const roughness = Math.max(hit.roughness, pathRoughness * ROUGHEN_AFTER_BOUNCE);
      bsdf.setup(hit.nx, hit.ny, hit.nz, -dx, -dy, -dz, hit.r, hit.g, hit.b, hit.metallic, roughness);
      const sx = hit.px + hit.gx * epsilon;
      const sy = hit.py + hit.gy * epsilon;
      const sz = hit.pz + hit.gz * epsilon;
      for (const l of scene.lights) {
        if (!punctualLight(l, hit.px, hit.py, hit.pz, light)) continue;
        this.addDirect(sx, sy, sz, 1, bounce, tr, tg, tb);
      }
      if (emitters.triangles.length > 0) this.sampleEmitter(sx, sy, sz, bounce, tr, tg, tb);
      if (!bsdf.sample(rng.next(), rng.next(), rng.next())) return;
      // A direction under the true surface (possible with bent shading normals) is absorbed.
      if (bsdf.wix * hit.gx + bsdf.wiy * hit.gy + bsdf.wiz * hit.gz <= 0) return;
      tr *= bsdf.r;
      tg *= bsdf.g;
      tb *= bsdf.b;
      lastPdf = bsdf.pdf;
      pathRoughness = Math.max(pathRoughness, bsdf.sampledDiffuse ? 1 : roughness);
      if (bounce >= ROULETTE_AFTER) {
        const q = Math.min(0.95, Math.max(tr, tg, tb));
        if (rng.next() >= q) return;
        tr /= q;
        tg /= q;
        tb /= q;
      }
      ox = sx;
      oy = sy;
      oz = sz;
      dx = bsdf.wix;
      dy = bsdf.wiy;
      dz = bsdf.wiz;
    }
  }

  /** Shadow-tests the light sample in this.light and adds its weighted contribution. */
  private addDirect(sx: number, sy: number, sz: number, weight: number, bounce: number, tr: number, tg: number, tb: number): void {
    const { hit, light, bsdf } = this;
    const cos = hit.nx * light.wx + hit.ny * light.wy + hit.nz * light.wz;
    if (cos <= 0 || hit.gx * light.wx + hit.gy * light.wy + hit.gz * light.wz <= 0) return;
    bsdf.eval(light.wx, light.wy, light.wz);
    const k = cos * weight;
    const cr = tr * bsdf.r * light.r * k;
    const cg = tg * bsdf.g * light.g * k;
    const cb = tb * bsdf.b * light.b * k;
    if (cr + cg + cb <= 0) return;
    if (this.scene.tracer.anyHit(sx, sy, sz, light.wx, light.wy, light.wz, light.distance)) return;
    this.addLight(cr, cg, cb, bounce);
  }

  /** Next-event estimation towards one emissive triangle, picked by power. */
  private sampleEmitter(sx: number, sy: number, sz: number, bounce: number, tr: number, tg: number, tb: number): void {
    const { scene, rng, hit, light, bsdf } = this;
    const { emitters } = scene;
    const u = rng.next();
    const u1 = rng.next();
    const u2 = rng.next();
    const cdf = emitters.cdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! <= u) lo = mid + 1;
      else hi = mid;
    }
    const tri = emitters.triangles[lo]!;
    const su = Math.sqrt(u1);
    if (!sampleEmitterPoint(scene, tri, (1 - u2) * su, u2 * su, hit.px, hit.py, hit.pz, light)) return;
    bsdf.eval(light.wx, light.wy, light.wz);
    const pl = light.pdf;
    const pb = bsdf.pdf;
    this.addDirect(sx, sy, sz, (pl * pl) / (pl * pl + pb * pb), bounce, tr, tg, tb);
  }

  /** `indirectBounces`: surfaces the light met before the one seen from the camera. */
  private addLight(r: number, g: number, b: number, indirectBounces: number): void {
    if (indirectBounces > 0) {
      const m = Math.max(r, g, b);
      if (m > INDIRECT_CLAMP) {
        const k = INDIRECT_CLAMP / m;
        r *= k;
        g *= k;
        b *= k;
      }
    }
    this.lr += r;
    this.lg += g;
    this.lb += b;
  }
}
