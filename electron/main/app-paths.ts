// Owns where the app's parts are on disk, relative to the compiled main process
// (dist/electron/main/): the built renderer, the bundled preload and the CLI entry the agent
// runs from. The same layout holds inside the packaged app.asar.

import { join } from 'node:path';

export interface AppPaths {
  /** Vite's build of the UI (index.html and its assets). */
  rendererRoot: string;
  /** The CommonJS preload bundle (a sandboxed preload cannot be an ES module). */
  preload: string;
  /** `troupe`'s entry; `agent` as its first argument runs the agent. */
  cliEntry: string;
}

export function appPaths(mainDir: string): AppPaths {
  return {
    rendererRoot: join(mainDir, '..', '..', 'renderer'),
    preload: join(mainDir, '..', 'preload', 'preload.cjs'),
    cliEntry: join(mainDir, '..', 'cli', 'main.js'),
  };
}
