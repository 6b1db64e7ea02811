// bench:ui — the app's figures, measured in Debian's Chromium against real agents in network
// namespaces (loopback when not root). Prints:
//   open to board     a login link opened to the team board showing every teammate    goal < 1 s
//   bucket to pixels  a bucket's done event arriving to its tile on screen (median)  goal < 100 ms
//   bundle            the renderer's JavaScript, gzipped                               goal < 500 kB
//   page memory       JS heap and DOM nodes with 10 machines and a 500-frame job     (reported)
// Ten agents and a browser share this machine's cores, so times are upper bounds of a real LAN's.

import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { browserOn, chromiumMissing, openApp, renderFromUi } from '../e2e/support/app-browser.js';
import { pair } from '../integration/harness/team-helpers.js';
import { REPO_ROOT, Testbed, type AgentProcess } from '../integration/harness/testbed.js';

const MACHINES = 10;
const OPEN_REPEATS = 5;
const SCENE = join(REPO_ROOT, 'assets/sample-scene.glb');

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const p95 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))] ?? NaN;

function report(name: string, value: string, goal: string, ok: boolean | null, detail = ''): void {
  console.log(`${name.padEnd(18)} ${value.padEnd(22)} goal ${goal.padEnd(10)} ${ok === null ? '' : ok ? 'ok' : 'MISSED'}  ${detail}`);
}

function bundleSizes(): { jsGzip: number; cssGzip: number } {
  const dir = join(REPO_ROOT, 'dist/renderer/assets');
  let jsGzip = 0;
  let cssGzip = 0;
  for (const f of readdirSync(dir)) {
    const size = gzipSync(readFileSync(join(dir, f)), { level: 9 }).byteLength;
    if (f.endsWith('.js')) jsGzip += size;
    if (f.endsWith('.css')) cssGzip += size;
  }
  return { jsGzip, cssGzip };
}

/** How long the page's tile fetches took (resource timing), for the breakdown. */
async function tileFetchMs(page: Page): Promise<number[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((e) => e.name.includes('/tasks/') && e.name.endsWith('/image'))
      .map((e) => e.duration),
  );
}

/** Milliseconds from each bucket's done event to its tile on screen, from the page's performance marks. */
async function bucketLatencies(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const marks = performance.getEntriesByType('mark');
    // A done task is told again when a later attempt of it ends (a speculative copy cancelled): the first tells.
    const done = new Map<string, number>();
    for (const m of marks) if (m.name.startsWith('troupe:task-done:') && !done.has(m.name.slice(17))) done.set(m.name.slice(17), m.startTime);
    return marks.filter((m) => m.name.startsWith('troupe:task-painted:')).flatMap((m) => {
      const t = done.get(m.name.slice(20));
      return t === undefined ? [] : [m.startTime - t];
    });
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(`bench:ui needs ${missing}`);
  console.log(`Troupe UI benchmark: ${MACHINES} agents, ${os.cpus().length} cores, node ${process.version}`);
  const { jsGzip, cssGzip } = bundleSizes();
  report('bundle', `${(jsGzip / 1024).toFixed(1)} kB JS`, '< 500 kB', jsGzip < 500 * 1024, `(+ ${(cssGzip / 1024).toFixed(1)} kB CSS, gzip -9)`);

  const bed = new Testbed();
  try {
    const agents: AgentProcess[] = [];
    for (let i = 0; i < MACHINES; i++) agents.push(bed.agent(bed.addHost(), `m${i + 1}`));
    await Promise.all(agents.map((a) => a.start(['--ui', '--output-dir', join(a.dataDir, 'renders')])));
    const [first, ...rest] = agents as [AgentProcess, ...AgentProcess[]];
    for (const a of rest) await pair(first, a, a.deviceId);
    const browser = await browserOn(first.host, bed.root);

    // Opening the app: a fresh login link each time, to the board listing every teammate.
    const opens: number[] = [];
    for (let i = 0; i < OPEN_REPEATS; i++) {
      const link = (await first.cli<{ url: string }>(['open'])).url;
      const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(link);
      await page.getByRole('list', { name: 'Team members' }).getByRole('listitem').nth(MACHINES - 1).waitFor({ timeout: 30_000 });
      opens.push(performance.now() - t0);
      await context.close();
    }
    report('open to board', `${median(opens).toFixed(0)} ms`, '< 1 s', median(opens) < 1000, `(median of ${OPEN_REPEATS}; max ${Math.max(...opens).toFixed(0)} ms; ${MACHINES} members)`);

    // A still across the team: every bucket's event to its pixels.
    const page = await openApp(browser, first);
    await page.getByRole('list', { name: 'Team members' }).getByRole('listitem').nth(MACHINES - 1).waitFor({ timeout: 30_000 });
    await renderFromUi(page, SCENE, { name: 'bench-still', firstFrame: 1, lastFrame: 1, width: 640, height: 360, samples: 8 });
    await waitUntil('the still', async () => (await first.cli<{ submission: { name: string }; state: string }[]>(['jobs'])).some((j) => j.submission.name === 'bench-still' && j.state === 'done'), 300_000);
    await new Promise((r) => setTimeout(r, 500));
    const latencies = await bucketLatencies(page);
    const fetches = await tileFetchMs(page);
    report(
      'bucket to pixels',
      `${median(latencies).toFixed(1)} ms`,
      '< 100 ms',
      median(latencies) < 100,
      `(median of ${latencies.length} buckets; p95 ${p95(latencies).toFixed(1)} ms; of which the tile's fetch ${median(fetches).toFixed(1)} ms; ${MACHINES} agents rendering on this machine's cores)`,
    );

    // Page memory with every machine on the board and a 500-frame job's grid filled in.
    await page.getByRole('button', { name: 'Choose another scene' }).click().catch(() => undefined);
    await renderFromUi(page, SCENE, { name: 'bench-500', firstFrame: 1, lastFrame: 500, width: 32, height: 18, samples: 1 });
    await waitUntil('the 500-frame job', async () => (await first.cli<{ submission: { name: string }; state: string }[]>(['jobs'])).some((j) => j.submission.name === 'bench-500' && j.state === 'done'), 600_000);
    await new Promise((r) => setTimeout(r, 2000));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? NaN;
    report('page memory', `${(metric('JSHeapUsedSize') / 2 ** 20).toFixed(1)} MB JS heap`, '(report)', null, `(${metric('Nodes')} DOM nodes; ${MACHINES} machines, 500-frame job done)`);
    await browser.close();
  } finally {
    await bed.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
