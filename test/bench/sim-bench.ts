// The scheduler on a virtual clock: makespan / lower bound over 20 seeds for our scheduler and
// two baselines, all in one run. Part of `npm run bench:jobs`; runs alone too.

import { pathToFileURL } from 'node:url';
import { lowerBoundMs, makeWorkload, simulateFixedChunks, simulatePullScheduler, simulateStaticSplit } from '../sim/discrete-event-sim.js';

export function benchSimulation(seeds = 20): { name: string; median: number; worst: number }[] {
  const ratios: Record<string, number[]> = { 'pull scheduler (ours)': [], 'static equal split': [], 'fixed chunks of 4': [], 'first-come, 1 frame': [] };
  for (let seed = 1; seed <= seeds; seed++) {
    const lb = lowerBoundMs(makeWorkload(seed));
    ratios['pull scheduler (ours)']!.push(simulatePullScheduler(makeWorkload(seed)) / lb);
    ratios['static equal split']!.push(simulateStaticSplit(makeWorkload(seed)) / lb);
    ratios['fixed chunks of 4']!.push(simulateFixedChunks(makeWorkload(seed)) / lb);
    ratios['first-come, 1 frame']!.push(simulateFixedChunks(makeWorkload(seed), 1) / lb);
  }
  return Object.entries(ratios).map(([name, xs]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { name, median: s[Math.floor(s.length / 2)]!, worst: s[s.length - 1]! };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = performance.now();
  for (const r of benchSimulation()) console.log(`${r.name.padEnd(24)} makespan/lower bound: median ${r.median.toFixed(3)}, worst ${r.worst.toFixed(3)}`);
  console.log(`(20 seeds, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}
