// Owns the tracer's random numbers. Each (seed, frame, pixel, sample) gets its own stream, hashed
// from those numbers alone, so a pixel comes out the same in any bucket, on any thread.

const INV_2_24 = 1 / 16777216;

/** PCG-RXS-M-XS hash (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020). */
function pcgHash(v: number): number {
  const state = (Math.imul(v, 747796405) + 2891336453) | 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737);
  return ((word >>> 22) ^ word) >>> 0;
}

export class PixelRandom {
  private state = 0;

  /** `x`, `y` are in the full frame, never relative to a bucket. */
  start(seed: number, frame: number, x: number, y: number, sample: number): void {
    const seedLow = seed >>> 0;
    const seedHigh = Math.floor(seed / 4294967296) >>> 0;
    let h = pcgHash(sample ^ pcgHash(y ^ pcgHash(x)));
    h = pcgHash(h ^ pcgHash(frame ^ pcgHash(seedLow ^ pcgHash(seedHigh))));
    this.state = h;
  }

  /** Uniform in [0, 1) with 24 bits. */
  next(): number {
    const state = (Math.imul(this.state, 747796405) + 2891336453) | 0;
    this.state = state;
    const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737);
    return (((word >>> 22) ^ word) >>> 8) * INV_2_24;
  }
}
