// Owns putting Troupe's Blender add-on into this user's Blender: the app's "Install the Blender
// add-on" button and `troupe blender-addon` run the Blender this machine found with
// assets/blender/install_addon.py, which copies the add-on into Blender's user add-ons folder,
// enables it and saves the preferences. The manual way is in the README.

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../../../../shared/errors.js';
import { blenderAssetsDir } from './blender-assets.js';
import type { BlenderFinder } from './blender-finder.js';

export interface AddonInstalled {
  /** Where the add-on now is (Blender's user add-ons folder). */
  installedTo: string;
  blenderVersion: string;
  blenderPath: string;
}

/** Blender starts with the user's own add-ons here (no factory settings): allow for slow ones. */
const INSTALL_TIMEOUT_MS = 120_000;

export class BlenderAddonInstaller {
  constructor(
    private readonly finder: BlenderFinder,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  async install(): Promise<AddonInstalled> {
    this.finder.forget(); // the owner may have installed Blender since the agent started
    const blender = await this.finder.find();
    if (!blender)
      throw new TroupeError('not-found', 'Blender was not found on this computer. Install Blender, or set its path (TROUPE_BLENDER), then try again.');
    const dir = await mkdtemp(join(tmpdir(), 'troupe-addon-'));
    try {
      const resultPath = join(dir, 'result.json');
      const assets = blenderAssetsDir();
      // --disable-autoexec: the user's startup file may hold scripts; installing must not run them.
      const args = ['-b', '--disable-autoexec', '-noaudio', '--python', join(assets, 'install_addon.py'), '--', join(assets, 'troupe_addon'), resultPath];
      const output = await new Promise<string>((resolve) => {
        execFile(blender.path, args, { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, env: this.env, windowsHide: true }, (err, stdout, stderr) =>
          resolve(err ? `${stdout}\n${stderr}\n${err.message}` : stdout),
        );
      });
      let result: { ok: boolean; installedTo?: string; blenderVersion?: string; error?: string };
      try {
        result = JSON.parse(await readFile(resultPath, 'utf8')) as typeof result;
      } catch {
        const tail = output.trim().split('\n').slice(-3).join(' | ');
        throw new TroupeError('internal', `Blender at ${blender.path} stopped before installing the add-on${tail ? `: ${tail}` : ''}`);
      }
      if (!result.ok) throw new TroupeError('internal', `Blender could not install the add-on: ${result.error ?? 'no reason given'}`);
      return { installedTo: result.installedTo!, blenderVersion: result.blenderVersion!, blenderPath: blender.path };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
