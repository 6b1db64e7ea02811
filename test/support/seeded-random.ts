// Seeded randomness for fuzz tests: a run prints its seed, and FUZZ_SEED=<n> replays it.

import { mulberry32 } from '../../shared/seeded-random.js';

/** The same sequence on every machine for one seed (mulberry32). */
export function seededRandom(seed: number) {
  const rnd = mulberry32(seed);
  return {
    rnd,
    int: (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!,
    chance: (p: number): boolean => rnd() < p,
  };
}

export function fuzzSeed(): number {
  return Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
}
