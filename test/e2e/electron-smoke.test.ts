// The desktop app end to end: Electron starts the main process, which starts (or finds) the agent,
// serves the UI on app:// and opens the window. Runs only where the Electron binary exists: it
// cannot be downloaded on every machine, and it is looked for without loading the `electron`
// package (which would try to download it). Elsewhere the suite reports itself skipped, and why.

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { _electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findElectronBinary } from '../../electron/main/electron-binary-path.js';

const REPO = resolve(import.meta.dirname, '../..');
const electronBinary = findElectronBinary(REPO);
const BUILT = ['dist/electron/main/main.js', 'dist/electron/preload/preload.cjs', 'dist/renderer/index.html', 'dist/electron/cli/main.js'];

describe.skipIf(!electronBinary.found)(
  `Electron app${electronBinary.found ? '' : ` (skipped: ${electronBinary.reason})`}`,
  () => {
    let app: ElectronApplication;
    let dataDir: string;

    beforeAll(async () => {
      const missing = BUILT.filter((f) => !existsSync(join(REPO, f)));
      if (missing.length > 0) throw new Error(`Build the app first (npm run build): missing ${missing.join(', ')}`);
      dataDir = await mkdtemp(join(tmpdir(), 'troupe-electron-smoke-'));
      app = await _electron.launch({
        executablePath: (electronBinary as { path: string }).path,
        // The repository is the app (package.json "main"); its agent keeps to loopback and any free port.
        args: [
          ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
          REPO,
          '--data-dir',
          dataDir,
          '--interface',
          '127.0.0.1',
          '--port',
          '0',
        ],
        env: { ...process.env, TROUPE_HOME: dataDir },
        timeout: 60_000,
      });
    });

    afterAll(async () => {
      await app?.close();
      if (dataDir) await rm(dataDir, { recursive: true, force: true });
    });

    it('opens the window titled Troupe with the board visible', async () => {
      const page = await app.firstWindow();
      expect(page.url()).toBe('app://troupe/index.html');
      const title = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle());
      expect(title).toBe('Troupe');
      await expect(page.title()).resolves.toBe('Troupe');
      await page.getByRole('region', { name: 'My team' }).waitFor({ state: 'visible', timeout: 30_000 });
    });

    it('gives the page the bridge and nothing of Node', async () => {
      const page = await app.firstWindow();
      // Runs in the page; the root tsconfig has no DOM types, so the page's globals are read untyped.
      const seen = await page.evaluate(() => {
        const page = globalThis as unknown as { troupe?: object; require?: unknown; process?: unknown };
        return { bridge: Object.keys(page.troupe ?? {}).sort(), require: typeof page.require, process: typeof page.process };
      });
      expect(seen).toEqual({ bridge: ['bytes', 'events', 'pathForFile', 'request'], require: 'undefined', process: 'undefined' });
    });

    it('refuses navigation away from app://', async () => {
      const page = await app.firstWindow();
      await page.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(page.url()).toBe('app://troupe/index.html');
    });
  },
);
