// Owns "Open output folder": the desktop's own file manager, started detached. Where there is no
// desktop (a server reached through the browser UI) it says so and gives the path instead.

import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import type { OpenedFolder } from '../../../shared/control-api/index.js';

function opener(): string | null {
  if (process.platform === 'darwin') return 'open';
  if (process.platform === 'win32') return 'explorer';
  // Linux and the BSDs: a desktop session sets one of these; a server or an ssh session does not.
  return process.env.DISPLAY || process.env.WAYLAND_DISPLAY ? 'xdg-open' : null;
}

export async function openFolder(path: string): Promise<OpenedFolder> {
  const info = await stat(path).catch(() => null);
  if (!info?.isDirectory()) return { opened: false, path, message: `The folder ${path} does not exist yet: no image has been written to it.` };
  const command = opener();
  if (!command) return { opened: false, path, message: `This machine has no desktop session to open the folder in. The images are in ${path}` };
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn(command, [path], { detached: true, stdio: 'ignore' });
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
    child.unref();
  });
  return ok ? { opened: true, path, message: null } : { opened: false, path, message: `${command} could not be started. The images are in ${path}` };
}
