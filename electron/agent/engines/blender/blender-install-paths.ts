// Owns where Blender is usually installed on each OS, besides PATH: package managers (Linux),
// the app bundle (macOS), the installer's per-version folders (Windows).

import { readdirSync } from 'node:fs';
import { posix, win32 } from 'node:path';

/** The executable's name on this OS. */
export function blenderExecutableName(platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? 'blender.exe' : 'blender';
}

/** Each folder on PATH joined with the executable's name, in PATH's order. */
export function pathCandidates(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string[] {
  const paths = platform === 'win32' ? win32 : posix;
  return (env.PATH ?? env.Path ?? '')
    .split(paths.delimiter)
    .filter((dir) => dir.length > 0)
    .map((dir) => paths.join(dir, blenderExecutableName(platform)));
}

/** The usual install locations, newest version first where several can coexist. */
export function installCandidates(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  listDir: (dir: string) => string[] = safeReadDir,
): string[] {
  if (platform === 'darwin') {
    const app = 'Blender.app/Contents/MacOS/Blender';
    return [posix.join('/Applications', app), ...(env.HOME ? [posix.join(env.HOME, 'Applications', app)] : [])];
  }
  if (platform === 'win32') {
    const roots = [env.ProgramFiles ?? 'C:\\Program Files', env['ProgramFiles(x86)']].filter((r): r is string => !!r);
    return roots.flatMap((root) => {
      const foundation = win32.join(root, 'Blender Foundation');
      // "Blender 4.2", "Blender 3.6": one folder per installed version.
      return byVersionDescending(listDir(foundation).filter((name) => /^Blender \d+\.\d+/.test(name))).map((name) =>
        win32.join(foundation, name, 'blender.exe'),
      );
    });
  }
  return [
    '/usr/bin/blender',
    '/usr/local/bin/blender',
    '/snap/bin/blender',
    '/var/lib/flatpak/exports/bin/org.blender.Blender',
    '/opt/blender/blender',
  ];
}

function byVersionDescending(names: string[]): string[] {
  const key = (name: string): number[] => (name.match(/\d+/g) ?? []).map(Number);
  return [...names].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    for (let i = 0; i < Math.max(ka.length, kb.length); i++) if ((ka[i] ?? 0) !== (kb[i] ?? 0)) return (kb[i] ?? 0) - (ka[i] ?? 0);
    return 0;
  });
}

function safeReadDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
