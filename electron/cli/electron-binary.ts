// Owns finding the Electron binary without asking the `electron` package for it: from version 42
// on, requiring `electron` in plain Node starts a download, which must never happen at run time.
// The package records where its binary is (path.txt, relative to its dist folder) once installed.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { appRoot } from '../agent/config/app-root.js';

export { appRoot };

/** The Electron binary's path, if the package and its binary are installed; null otherwise. */
export function electronBinary(root = appRoot()): string | null {
  const pkg = join(root, 'node_modules', 'electron');
  try {
    const relative = readFileSync(join(pkg, 'path.txt'), 'utf8').trim();
    const binary = join(pkg, 'dist', relative);
    return relative && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Whether windows can be shown here: always on macOS and Windows; on Linux, a display server is set. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env, platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  return !!(env.DISPLAY || env.WAYLAND_DISPLAY);
}
