// Owns the one seeded random sequence the project uses where a seed must give the same numbers on
// every machine (a wedge's random variants, simulations, fuzz tests): mulberry32, whose integer
// arithmetic is the same in every JavaScript engine.

/** mulberry32 (Tommy Ettinger): numbers in [0, 1), the same sequence for one seed everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
