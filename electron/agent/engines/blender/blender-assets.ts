// Owns finding the Python files Troupe hands to Blender (assets/blender: the session server, the
// test-scene generator, the add-on). Blender reads them by path, so they must be real files: in the
// repo they sit at its root; in the packaged app electron-builder must ship assets/blender outside
// app.asar (asarUnpack), where this looks too.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MARKER = join('assets', 'blender', 'session_server.py');

/** The folder holding session_server.py and its package, searched upwards from this module. */
export function blenderAssetsDir(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    for (const root of [dir, dir.replace(/app\.asar(?=$|[\\/])/, 'app.asar.unpacked')]) {
      if (existsSync(join(root, MARKER))) return join(root, 'assets', 'blender');
    }
    if (dirname(dir) === dir) throw new Error(`Troupe's Blender scripts (${MARKER}) are missing from this installation`);
  }
}

export function sessionServerScript(): string {
  return join(blenderAssetsDir(), 'session_server.py');
}
