// `npm run bench:checks`: result checks against colluding teammates, modelled on the real
// ResultChecks (test/sim/collusion-sim.ts): the share of wrong results still in a job at its end,
// for teams of 3 and 5 teammates (the coordinator not sharing), 0 to 50 % of them colluding, at 2 %
// and 10 % sampling, with the coordinator drawing who checks (today) and the first to ask taking it
// (before), and 2 of 3 (past half) as the issue asks. 100 seeds of a 500-task job each; the mean is printed.

import { simulateCollusion } from '../sim/collusion-sim.js';

const SEEDS = Number(process.env.BENCH_SEEDS ?? 100);
const TASKS = 500;

console.log('team  colluders  rate   wrong results surviving: drawn (today) | first to ask (before)   honest blamed (today)');
for (const machines of [3, 5]) {
  for (let colluders = 0; colluders <= Math.max(2, Math.floor(machines / 2)); colluders++) {
    for (const rate of [0.02, 0.1]) {
      const mean = (policy: 'drawn' | 'first-come') => {
        let share = 0;
        let blamed = 0;
        for (let seed = 1; seed <= SEEDS; seed++) {
          const o = simulateCollusion({ machines, colluders, rate, policy, tasks: TASKS, seed });
          share += o.survivingShare;
          blamed += o.honestBlamed;
        }
        return { share: share / SEEDS, blamed: blamed / SEEDS };
      };
      const today = mean('drawn');
      const before = mean('first-come');
      const pct = (x: number) => `${(x * 100).toFixed(1).padStart(5)} %`;
      console.log(
        `${String(machines).padStart(4)}  ${`${colluders} (${Math.round((colluders / machines) * 100)} %)`.padEnd(9)}  ${String(rate * 100).padStart(2)} %   ${pct(today.share)} | ${pct(before.share)}${' '.repeat(29)}${today.blamed.toFixed(2)}`,
      );
    }
  }
}
