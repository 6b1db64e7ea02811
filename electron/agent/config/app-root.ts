// Owns where this app's own files are: the nearest folder above a module with a package.json (the
// repository, or the installed app). The CLI starts Electron on it; the sandbox lets engines read it.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repo (or installed app) root above `from`: the nearest folder with a package.json, else the filesystem root. */
export function appRoot(from = import.meta.dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
