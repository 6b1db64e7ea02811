// `npm run test:repeat -- FILE [N] [--quiet-only | --hog-only]`: the flake guard. Runs one test file
// N times on a quiet machine, then N times with a CPU hog on every core beside it, and reports each
// failure (which run, which test, the first line of its error). A test that fails only under the hog
// asserts a timing or hides a race: fix it before it reaches CI.
//
// The hog is Debian's stress-ng where it is installed (`stress-ng --cpu <cores>`, as CI's check
// uses), otherwise one busy Node process per core.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { REPO_ROOT } from '../integration/harness/testbed.js';

interface Failure {
  run: string;
  test: string;
  error: string;
}

interface RunResult {
  passed: number;
  failed: number;
  seconds: number;
  failures: Failure[];
}

interface VitestJson {
  numPassedTests?: number;
  numFailedTests?: number;
  testResults?: { name: string; message?: string; assertionResults?: { fullName: string; status: string; failureMessages?: string[] }[] }[];
}

function usage(): never {
  console.error('usage: npm run test:repeat -- FILE [N] [--quiet-only | --hog-only]');
  process.exit(2);
}

function parse(argv: string[]): { file: string; n: number; quiet: boolean; hog: boolean } {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const [file, count] = argv.filter((a) => !a.startsWith('--'));
  if (!file) usage();
  const n = count === undefined ? 5 : Number(count);
  if (!Number.isInteger(n) || n < 1) usage();
  return { file: relative(REPO_ROOT, resolve(process.cwd(), file)), n, quiet: !flags.has('--hog-only'), hog: !flags.has('--quiet-only') };
}

/** A CPU hog on every core until stopped. */
function startHog(): { what: string; stop: () => void } {
  const cores = os.availableParallelism();
  const hasStress = spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
  const procs: ChildProcess[] = hasStress
    ? [spawn('stress-ng', ['--cpu', String(cores), '--quiet'], { stdio: 'ignore', detached: true })]
    : Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore', detached: true }));
  return {
    what: hasStress ? `stress-ng --cpu ${cores}` : `${cores} busy node processes`,
    stop: () => {
      for (const p of procs) {
        try {
          process.kill(-p.pid!, 'SIGKILL'); // the whole group: stress-ng forks its workers
        } catch {
          /* already gone */
        }
      }
    },
  };
}

/** One vitest run of the file; its JSON report says what passed and what failed, and how. */
function runOnce(file: string, label: string, scratch: string): Promise<RunResult> {
  const report = join(scratch, `${label.replace(/\W+/g, '-')}.json`);
  const started = Date.now();
  const vitest = join(REPO_ROOT, 'node_modules/.bin/vitest');
  const child = spawn(vitest, ['run', file, '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`], { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  return new Promise((resolvePromise) => {
    child.on('exit', (code) => {
      const seconds = (Date.now() - started) / 1000;
      let json: VitestJson;
      try {
        json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
      } catch {
        const error = stderr.trim().split('\n').slice(-3).join(' ') || `vitest exited with ${code}`;
        return resolvePromise({ passed: 0, failed: 1, seconds, failures: [{ run: label, test: '(the file did not run)', error }] });
      }
      const failures: Failure[] = [];
      for (const f of json.testResults ?? []) {
        for (const t of f.assertionResults ?? []) {
          if (t.status === 'failed') failures.push({ run: label, test: t.fullName, error: (t.failureMessages?.[0] ?? '').split('\n')[0]!.slice(0, 400) });
        }
        // A failing hook or import fails the file with no failed test of its own.
        if (f.message && !(f.assertionResults ?? []).some((t) => t.status === 'failed')) failures.push({ run: label, test: '(the file)', error: f.message.split('\n')[0]!.slice(0, 400) });
      }
      resolvePromise({ passed: json.numPassedTests ?? 0, failed: Math.max(json.numFailedTests ?? 0, failures.length), seconds, failures });
    });
  });
}

/** The hog running now: stopped on Ctrl-C too, as it runs detached and would outlive us. */
let activeHog: { stop: () => void } | null = null;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    activeHog?.stop();
    process.exit(130);
  });
}

async function series(file: string, n: number, mode: 'quiet' | 'hog', scratch: string): Promise<Failure[]> {
  const hog = mode === 'hog' ? startHog() : null;
  activeHog = hog;
  if (hog) console.log(`\n${file}, ${n} runs beside ${hog.what}`);
  else console.log(`\n${file}, ${n} runs on a quiet machine`);
  const failures: Failure[] = [];
  try {
    for (let i = 1; i <= n; i++) {
      const label = `${mode} ${i}/${n}`;
      const r = await runOnce(file, label, scratch);
      console.log(`  ${label}: ${r.passed} passed, ${r.failed} failed in ${r.seconds.toFixed(1)} s`);
      for (const f of r.failures) console.log(`    FAILED ${f.test}: ${f.error}`);
      failures.push(...r.failures);
    }
  } finally {
    hog?.stop();
    activeHog = null;
  }
  return failures;
}

async function main(): Promise<void> {
  const { file, n, quiet, hog } = parse(process.argv.slice(2));
  const scratch = mkdtempSync(join(os.tmpdir(), 'troupe-repeat-'));
  const failures: Failure[] = [];
  try {
    if (quiet) failures.push(...(await series(file, n, 'quiet', scratch)));
    if (hog) failures.push(...(await series(file, n, 'hog', scratch)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  console.log(`\n${file}: ${failures.length === 0 ? 'no failures' : `${failures.length} failure(s)`}`);
  const byTest = new Map<string, string[]>();
  for (const f of failures) byTest.set(f.test, [...(byTest.get(f.test) ?? []), f.run]);
  for (const [test, runs] of byTest) console.log(`  ${test}: failed in ${runs.join(', ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

void main();
