// The shell's logic is tested in plain Node, which only works while those modules never import
// `electron` (in plain Node that starts a download of the binary). This pins which modules may.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, '../../../../electron/main');
/** The adapters: each holds one Electron API and as little logic as it can. */
const ELECTRON_FACING = new Set([
  'main.ts',
  'app-protocol.ts',
  'main-window.ts',
  'web-contents-guard.ts',
  'ipc-bridge.ts',
  'agent-process.ts',
  'capacity-tray.ts',
  'desktop-notifications.ts',
  'login-item.ts',
]);

describe('electron/main', () => {
  it('imports electron only in its adapters', () => {
    const importsElectron = readdirSync(MAIN)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) => /from\s+['"]electron['"]|import\(\s*['"]electron['"]|require\(\s*['"]electron['"]/.test(readFileSync(join(MAIN, f), 'utf8')));
    for (const f of importsElectron) expect(ELECTRON_FACING, `${f} imports electron`).toContain(f);
  });
});
