// `npm start` (troupe start) where the desktop app cannot open: no display, or a display without
// Electron's binary. It must run the agent with its UI for a browser, print a working one-time
// link, and never start Electron or fetch it.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI_PATH } from './harness/testbed.js';
import { eventually } from './harness/team-helpers.js';
import { rawRequest, sessionOfLoginAnswer } from '../support/raw-http.js';
import { electronBinary } from '../../electron/cli/electron-binary.js';

const running: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const p of running.splice(0)) await new Promise((r) => (p.exitCode !== null ? r(null) : (p.once('exit', r), p.kill('SIGTERM'))));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function start(env: NodeJS.ProcessEnv): { proc: ChildProcess; out: () => string } {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'troupe-start-'));
  dirs.push(dataDir);
  const { DISPLAY: _d, WAYLAND_DISPLAY: _w, ...rest } = process.env;
  const proc = spawn(process.execPath, [CLI_PATH, 'start', '--data-dir', dataDir, '--port', '0', '--interface', '127.0.0.1'], {
    env: { ...rest, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(proc);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, out: () => out };
}

async function followLink(out: () => string): Promise<void> {
  const url = await eventually(() => /http:\/\/127\.0\.0\.1:\d+\/login\?code=\S+/.exec(out())?.[0], 20_000, 'the login link');
  const link = new URL(url);
  sessionOfLoginAnswer(await rawRequest(Number(link.port), link.pathname + link.search));
  const page = await rawRequest(Number(link.port), '/');
  expect(page.status).toBe(200);
  expect(page.body.toString()).toContain('<title>Troupe</title>');
}

describe('npm start without the desktop app', () => {
  it('on a machine without a display: the agent, and a link that opens its UI in a browser', async () => {
    const { out } = start({});
    await followLink(out);
    expect(out()).toContain('There is no display here, so Troupe runs in your browser.');
  });

  it.skipIf(electronBinary() !== null)('with a display but no Electron binary: says how to get it, and runs in the browser meanwhile', async () => {
    const { out } = start({ DISPLAY: ':99' });
    await followLink(out);
    expect(out()).toContain("Electron's binary is not installed");
    expect(out()).not.toMatch(/Downloading|electron@/i);
  });
});
