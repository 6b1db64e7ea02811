// Owns the glTF metallic-roughness BSDF at one hit: Lambert diffuse plus GGX specular with Schlick
// Fresnel, sampled by picking a lobe (GGX by its visible normals, Heitz 2018; diffuse by cosine)
// and weighting with the pdf of both lobes together, so neither lobe's sampling can blow up.
// State lives in fields, not returned objects: the tracer calls this millions of times.

const INV_PI = 1 / Math.PI;
const MIN_ALPHA = 0.002;

export class MetalRoughBsdf {
  // Shading frame: tangent, bitangent, normal.
  private tx = 0;
  private ty = 0;
  private tz = 0;
  private bx = 0;
  private by = 0;
  private bz = 0;
  private nx = 0;
  private ny = 0;
  private nz = 1;
  // Outgoing direction in the local frame.
  private wox = 0;
  private woy = 0;
  private woz = 1;
  private alpha = 1;
  private f0r = 0;
  private f0g = 0;
  private f0b = 0;
  private dr = 0;
  private dg = 0;
  private db = 0;
  private pSpecular = 0.5;
  /** Outputs of eval/sample: BSDF value (eval) or value * cos / pdf (sample), and direction. */
  r = 0;
  g = 0;
  b = 0;
  pdf = 0;
  wix = 0;
  wiy = 0;
  wiz = 0;
  /** Whether the last sample came from the diffuse lobe. */
  sampledDiffuse = false;

  /** n: unit shading normal on the viewer's side; (vx, vy, vz): unit direction to the viewer. */
  setup(nx: number, ny: number, nz: number, vx: number, vy: number, vz: number, baseR: number, baseG: number, baseB: number, metallic: number, roughness: number): void {
    // Orthonormal basis from one vector (Duff et al., "Building an Orthonormal Basis, Revisited", 2017).
    const sign = nz >= 0 ? 1 : -1;
    const a = -1 / (sign + nz);
    const k = nx * ny * a;
    this.tx = 1 + sign * nx * nx * a;
    this.ty = sign * k;
    this.tz = -sign * nx;
    this.bx = k;
    this.by = sign + ny * ny * a;
    this.bz = -ny;
    this.nx = nx;
    this.ny = ny;
    this.nz = nz;
    this.wox = vx * this.tx + vy * this.ty + vz * this.tz;
    this.woy = vx * this.bx + vy * this.by + vz * this.bz;
    this.woz = Math.max(1e-4, vx * nx + vy * ny + vz * nz);
    const r = Math.min(1, Math.max(0, roughness));
    const m = Math.min(1, Math.max(0, metallic));
    this.alpha = Math.max(MIN_ALPHA, r * r);
    this.f0r = 0.04 * (1 - m) + baseR * m;
    this.f0g = 0.04 * (1 - m) + baseG * m;
    this.f0b = 0.04 * (1 - m) + baseB * m;
    this.dr = baseR * (1 - m);
    this.dg = baseG * (1 - m);
    this.db = baseB * (1 - m);
    const fw = Math.pow(1 - this.woz, 5);
    const specular = luminance(this.f0r + (1 - this.f0r) * fw, this.f0g + (1 - this.f0g) * fw, this.f0b + (1 - this.f0b) * fw);
    const diffuse = luminance(this.dr, this.dg, this.db) * (1 - specular);
    this.pSpecular = diffuse <= 0 ? 1 : Math.min(0.9, Math.max(0.1, specular / (specular + diffuse)));
  }

  /** BSDF value into r/g/b and the sampling pdf (solid angle) into pdf, for world direction wi. */
  eval(wx: number, wy: number, wz: number): void {
    this.evalLocal(wx * this.tx + wy * this.ty + wz * this.tz, wx * this.bx + wy * this.by + wz * this.bz, wx * this.nx + wy * this.ny + wz * this.nz);
  }

  /** Draws wi; r/g/b become f * cos / pdf. Returns false when the sample is below the surface. */
  sample(u0: number, u1: number, u2: number): boolean {
    let lx: number;
    let ly: number;
    let lz: number;
    this.sampledDiffuse = u0 >= this.pSpecular;
    if (!this.sampledDiffuse) {
      const a = this.alpha;
      // Visible normal sampling: stretch, sample the projected hemisphere, unstretch.
      let vhx = a * this.wox;
      let vhy = a * this.woy;
      let vhz = this.woz;
      const vl = Math.hypot(vhx, vhy, vhz);
      vhx /= vl;
      vhy /= vl;
      vhz /= vl;
      const lensq = vhx * vhx + vhy * vhy;
      let t1x = 1;
      let t1y = 0;
      if (lensq > 0) {
        const il = 1 / Math.sqrt(lensq);
        t1x = -vhy * il;
        t1y = vhx * il;
      }
      const t2x = -vhz * t1y;
      const t2y = vhz * t1x;
      const t2z = vhx * t1y - vhy * t1x;
      const rr = Math.sqrt(u1);
      const phi = 2 * Math.PI * u2;
      const p1 = rr * Math.cos(phi);
      const s = 0.5 * (1 + vhz);
      const p2 = (1 - s) * Math.sqrt(Math.max(0, 1 - p1 * p1)) + s * rr * Math.sin(phi);
      const pz = Math.sqrt(Math.max(0, 1 - p1 * p1 - p2 * p2));
      let hx = a * (p1 * t1x + p2 * t2x + pz * vhx);
      let hy = a * (p1 * t1y + p2 * t2y + pz * vhy);
      let hz = Math.max(1e-6, p2 * t2z + pz * vhz);
      const hl = Math.hypot(hx, hy, hz);
      hx /= hl;
      hy /= hl;
      hz /= hl;
      const d = 2 * (this.wox * hx + this.woy * hy + this.woz * hz);
      lx = d * hx - this.wox;
      ly = d * hy - this.woy;
      lz = d * hz - this.woz;
    } else {
      const rr = Math.sqrt(u1);
      const phi = 2 * Math.PI * u2;
      lx = rr * Math.cos(phi);
      ly = rr * Math.sin(phi);
      lz = Math.sqrt(Math.max(0, 1 - u1));
    }
    if (lz <= 0) return false;
    this.evalLocal(lx, ly, lz);
    if (!(this.pdf > 0)) return false;
    const w = lz / this.pdf;
    this.r *= w;
    this.g *= w;
    this.b *= w;
    this.wix = lx * this.tx + ly * this.bx + lz * this.nx;
    this.wiy = lx * this.ty + ly * this.by + lz * this.ny;
    this.wiz = lx * this.tz + ly * this.bz + lz * this.nz;
    return true;
  }

  private evalLocal(lx: number, ly: number, lz: number): void {
    if (lz <= 0) {
      this.r = this.g = this.b = this.pdf = 0;
      return;
    }
    const ox = this.wox;
    const oy = this.woy;
    const oz = this.woz;
    let hx = lx + ox;
    let hy = ly + oy;
    let hz = lz + oz;
    const hl = Math.hypot(hx, hy, hz) || 1;
    hx /= hl;
    hy /= hl;
    hz /= hl;
    const voh = Math.max(0, ox * hx + oy * hy + oz * hz);
    const a2 = this.alpha * this.alpha;
    const dd = hz * hz * (a2 - 1) + 1;
    const D = a2 / (Math.PI * dd * dd);
    const lambdaO = lambda(oz, a2);
    const lambdaL = lambda(lz, a2);
    const G2 = 1 / (1 + lambdaO + lambdaL);
    const fw = Math.pow(1 - voh, 5);
    const fr = this.f0r + (1 - this.f0r) * fw;
    const fg = this.f0g + (1 - this.f0g) * fw;
    const fb = this.f0b + (1 - this.f0b) * fw;
    const spec = (D * G2) / (4 * oz * lz);
    this.r = this.dr * (1 - fr) * INV_PI + spec * fr;
    this.g = this.dg * (1 - fg) * INV_PI + spec * fg;
    this.b = this.db * (1 - fb) * INV_PI + spec * fb;
    const pdfSpecular = hz > 0 ? (D / (1 + lambdaO)) / (4 * oz) : 0;
    this.pdf = this.pSpecular * pdfSpecular + (1 - this.pSpecular) * lz * INV_PI;
  }
}

/** Smith Lambda for GGX, from the cosine to the normal. */
function lambda(cos: number, a2: number): number {
  const c2 = cos * cos;
  return (Math.sqrt(1 + (a2 * (1 - c2)) / c2) - 1) / 2;
}

function luminance(r: number, g: number, b: number): number {
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
