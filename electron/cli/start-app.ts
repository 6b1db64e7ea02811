// Owns `npm start` (`troupe start`): the desktop app where there is a display and Electron's
// binary, else the agent with the same UI served on 127.0.0.1 behind a one-time login link. It
// never fetches Electron: a machine without a display never needs it, and one with a display is
// told how to get it once.

import { spawn } from 'node:child_process';
import type { ParsedArgs } from './args.js';
import { appRoot, electronBinary, hasDisplay } from './electron-binary.js';
import { runAgent } from './run-agent.js';

export async function startApp(args: ParsedArgs): Promise<void> {
  const binary = electronBinary();
  if (hasDisplay() && binary && !args.flags.has('browser')) {
    // The app's main process starts (or finds) the agent itself; flags such as --data-dir pass through.
    const child = spawn(binary, [appRoot(), ...process.argv.slice(3)], { stdio: 'inherit' });
    await new Promise<void>((resolve) => child.once('exit', (code) => ((process.exitCode = code ?? 0), resolve())));
    return;
  }
  const why = !hasDisplay()
    ? 'There is no display here, so Troupe runs in your browser.'
    : binary
      ? 'Troupe runs in your browser (--browser).'
      : "Electron's binary is not installed, so Troupe runs in your browser. For the desktop app, run `npx electron --version` once (it downloads Electron), then `npm start` again.";
  args.flags.set('ui', true);
  console.log(why);
  await runAgent(args);
}
