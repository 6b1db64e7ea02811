// `npm run bench:cli`: how fast the `troupe` command answers. One agent (in a network namespace);
// each command run 9 times as a user would (a new process each time), the median printed beside
// `node -e 0` in the same namespace: what any Node command costs here before it does anything.
//   status, nearby, team    goal < 300 ms (issue 19: about 1.0-1.1 s before)

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI_PATH as CLI, Testbed } from '../integration/harness/testbed.js';

const run = promisify(execFile);
const REPEATS = 9;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timedMs(argv: string[]): Promise<number> {
  const started = performance.now();
  await run(argv[0]!, argv.slice(1));
  return performance.now() - started;
}

async function main(): Promise<void> {
  const bed = new Testbed();
  try {
    const a = bed.agent(bed.addHost(), 'alpha');
    await a.start();
    const inHost = (args: string[]): string[] => a.host.wrap([process.execPath, ...args]);
    const figures: [string, number][] = [];
    for (const [name, argv] of [
      ['node -e 0', inHost(['-e', '0'])],
      ...(['status', 'nearby', 'team'] as const).map((c) => [`troupe ${c}`, inHost([CLI, c, '--data-dir', a.dataDir])] as const),
    ] as const) {
      await timedMs([...argv]); // warm the file cache
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) times.push(await timedMs([...argv]));
      figures.push([name, median(times)]);
    }
    const node = figures[0]![1];
    for (const [name, ms] of figures) console.log(`${name.padEnd(14)} ${ms.toFixed(0).padStart(5)} ms${name === 'node -e 0' ? '' : `   (${(ms / node).toFixed(1)}x node -e 0; goal < 300 ms)`}`);
  } finally {
    await bed.destroy();
  }
}

await main();
