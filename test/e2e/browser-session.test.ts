// The browser session of the real app (the built UI, served by a real agent in this process) in
// Debian's Chromium with a profile on disk, as a person's browser keeps one: the session secret
// ends up in no URL and so in no history file, and another page cannot replace it (a forced
// sign-out) by linking to the app with a session of its own or a made-up login code.

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../electron/agent/agent.js';
import { ControlClient } from '../../electron/cli/control-client.js';
import { REPO_ROOT } from '../integration/harness/testbed.js';
import { startUiAgent } from '../support/ui-agent.js';
import { CHROMIUM, chromiumMissing } from './support/app-browser.js';

const missing = chromiumMissing();
const root = mkdtempSync(join(os.tmpdir(), 'troupe-browser-session-'));
let agent: Agent;
let client: ControlClient;

/** Every file under `dir`, recursively (a Chromium profile: History, its journal, caches). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const s = statSync(path, { throwIfNoEntry: false });
    return !s ? [] : s.isDirectory() ? filesUnder(path) : [path];
  });
}

describe.skipIf(missing)('the browser session of the real app in Chromium', () => {
  beforeAll(async () => {
    agent = await startUiAgent(root, join(REPO_ROOT, 'dist/renderer'));
    client = await ControlClient.open(join(root, 'alpha'));
  });
  afterAll(async () => {
    await agent?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('is in no URL, so in no file of the browser profile, and no other page can replace it', async () => {
    const profile = join(root, 'profile');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-sync'],
    });
    const A = `http://127.0.0.1:${agent.controlPort}`;
    const site = http.createServer((req, res) => {
      const target = req.url === '/fragment' ? `${A}/#session=${'x'.repeat(43)}` : `${A}/login?code=made-up`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<a id=go href="${target}">Troupe</a><script>document.getElementById('go').click()</script>`);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const sitePort = (site.address() as AddressInfo).port;
    let session = '';
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(60_000);
      await page.goto((await client.call('loginLink')).url);
      await page.waitForURL((url) => url.pathname === '/' && url.search === '');
      await page.getByRole('heading', { name: 'This machine' }).waitFor();
      session = ((await page.evaluate("localStorage.getItem('troupe.session')")) as string | null) ?? '';
      expect(session).toMatch(/^[A-Za-z0-9_-]{20,100}$/);
      expect(await page.locator('meta[name="troupe-session"]').count()).toBe(0); // moved out of the page too

      // A page elsewhere sends the browser to the app with a session of its own in the fragment,
      // then to a made-up login link: the app keeps its session and stays signed in.
      for (const path of ['/fragment', '/login']) {
        await page.goto(`http://localhost:${sitePort}${path}`);
        await page.waitForURL((url) => url.port === String(agent.controlPort));
        await page.goto(`${A}/`);
        await page.getByRole('heading', { name: 'This machine' }).waitFor();
        expect(await page.evaluate("localStorage.getItem('troupe.session')")).toBe(session);
      }
    } finally {
      await context.close(); // History and the rest written out
      site.close();
    }
    const holding = filesUnder(profile).filter((f) => readFileSync(f).includes(session));
    // Local Storage holds it, as it must (origin-scoped); nothing else may: not History, not a cache.
    expect(holding.filter((f) => !f.includes(`${join('Default', 'Local Storage')}`))).toEqual([]);
    expect(holding.length).toBeGreaterThan(0);
  });
});
