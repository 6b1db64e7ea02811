// Owns the browsers of the end-to-end tests: Debian's Chromium (never a downloaded one), driven by
// playwright-core, started inside a test host's network namespace so that its 127.0.0.1 is that
// host's, where its agent serves the UI. Each host gets its own browser, as each machine has its
// own screen. Screenshots go to test/artifacts/e2e/ for people to look at.

import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AgentProcess, Host } from '../../integration/harness/testbed.js';
import { REPO_ROOT } from '../../integration/harness/testbed.js';

export const CHROMIUM = '/usr/bin/chromium';
/**
 * How long a page may take to show what a test waits for before it counts as hung: as the
 * harness's waits (hangDeadline), never a measure of speed. Beside stress-ng the render form once
 * took over 60 s to open (the scene check ran below normal priority; it no longer does).
 */
export const UI_HANG_MS = 180_000;
export const ARTIFACTS = join(REPO_ROOT, 'test/artifacts/e2e');
/** The handbook's flags for Chromium on these machines (TESTBED.md). */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumMissing(): string | false {
  if (!existsSync(CHROMIUM)) return 'Debian Chromium is not installed (apt-get install --no-install-recommends chromium; .ci/run does it)';
  if (!existsSync(join(REPO_ROOT, 'dist/renderer/index.html'))) return 'the UI is not built (npm run build)';
  return false;
}

/** A Chromium whose network is `host`'s: a wrapper runs it under `ip netns exec` (the pipe to Playwright survives the exec). */
export async function browserOn(host: Host, scratch: string): Promise<Browser> {
  let executablePath = CHROMIUM;
  if (host.ns) {
    executablePath = join(scratch, `chromium-${host.ns}.sh`);
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${host.ns} ${CHROMIUM} "$@"\n`);
    chmodSync(executablePath, 0o755);
  }
  return chromium.launch({ executablePath, headless: true, args: ARGS, timeout: UI_HANG_MS });
}

/** Opens the agent's UI through the one-time login link it printed (`--ui`), at the smallest size. */
export async function openApp(browser: Browser, agent: AgentProcess): Promise<Page> {
  const link = (await agent.waitFor((e) => e.type === 'loginLink', 10_000)).url as string;
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, colorScheme: 'dark' });
  const page = await context.newPage();
  page.setDefaultTimeout(UI_HANG_MS);
  await page.goto(link);
  // The page moves the session it was handed into its origin's storage, and leaves the spent link.
  await page.waitForURL((url) => url.pathname === '/', { timeout: UI_HANG_MS });
  return page;
}

let shot = 0;
/** Saves a screenshot of this step (numbered, so they read in order; a new run starts a clean folder). */
export async function snap(page: Page, name: string): Promise<string> {
  if (shot === 0) rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path });
  return path;
}

export interface RenderOptions {
  name: string;
  firstFrame: number;
  lastFrame: number;
  width: number;
  height: number;
  samples: number;
}

/** Picks the scene file and fills the render form's options as a person would; presses "Render on team". */
export async function renderFromUi(page: Page, scenePath: string, o: RenderOptions): Promise<void> {
  await page.getByLabel('Choose scene file').setInputFiles(scenePath);
  const form = page.getByRole('form', { name: /^Render / });
  await form.waitFor();
  await form.getByText('Options').click();
  await form.getByLabel('Job name').fill(o.name);
  await form.getByLabel('First frame').fill(String(o.firstFrame));
  await form.getByLabel('Last frame').fill(String(o.lastFrame));
  await form.getByLabel('Width (px)').fill(String(o.width));
  await form.getByLabel('Height (px)').fill(String(o.height));
  await form.getByLabel('Samples per pixel').fill(String(o.samples));
  await form.getByRole('button', { name: 'Render on team' }).click();
}
