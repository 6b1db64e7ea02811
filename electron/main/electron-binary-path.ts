// Owns finding the Electron binary the `electron` package installed, without loading that
// package: from version 42 on, requiring it in plain Node starts a download, which fails (and
// hangs) on machines that cannot reach the network. The package writes the executable's path,
// relative to its dist/ folder, into path.txt once its binary is there. The CLI's start command
// and the Electron smoke test use this.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ElectronBinary = { found: true; path: string } | { found: false; reason: string };

/** Where the `electron` package's binary is, searching node_modules upwards from `fromDir`. */
export function findElectronBinary(fromDir: string, env: NodeJS.ProcessEnv = process.env): ElectronBinary {
  const packageDir = findPackageDir(fromDir);
  if (!packageDir) return { found: false, reason: 'the electron package is not installed (npm install)' };
  const pathFile = join(packageDir, 'path.txt');
  const named = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (named !== null && (named === '' || named.includes('\0'))) return { found: false, reason: `${pathFile} does not name a binary` };
  // The package honours this override (a binary put there by hand), path.txt or not; so do we.
  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!override && named === null) return { found: false, reason: `no Electron binary was downloaded (${pathFile} is missing)` };
  const path = override ? join(override, named ?? 'electron') : join(packageDir, 'dist', named!);
  return existsSync(path) ? { found: true, path } : { found: false, reason: `the Electron binary ${path} is missing` };
}

function findPackageDir(fromDir: string): string | null {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'electron');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}
