// Owns finding this machine's Blender and its version: a configured path first, then PATH, then
// the usual install folders. Each candidate is asked for its version (`-b --factory-startup
// --version`, with a time limit: a broken install must not hang the agent's start), and the answer
// is kept until the executable changes or the owner asks again.

import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { parseBlenderVersion, type BlenderVersion } from './blender-version.js';
import { installCandidates, pathCandidates } from './blender-install-paths.js';

export interface BlenderInstall {
  path: string;
  version: BlenderVersion;
}

export interface BlenderFinderOptions {
  /** The owner's choice (settings); tried first, and the only candidate if `configuredOnly`. */
  configuredPath?: string | null;
  configuredOnly?: boolean;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  probeTimeoutMs?: number;
  /** Runs a candidate with args and gives what it printed; tests replace it. */
  run?: (path: string, args: string[], timeoutMs: number) => Promise<string>;
}

/** Blender prints its version after loading its own settings: about a second; slow disks take longer. */
const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
export const VERSION_ARGS = ['-b', '--factory-startup', '--version'];

/** The finder for the owner's setting: `path` (or TROUPE_BLENDER) alone when given, else the usual places. */
export function configuredBlenderFinder(path: string | null = process.env.TROUPE_BLENDER ?? null): BlenderFinder {
  return new BlenderFinder({ configuredPath: path, configuredOnly: Boolean(path) });
}

export class BlenderFinder {
  private found: Promise<BlenderInstall | null> | null = null;
  /** Versions by path, valid while the executable's size and modification time stay the same. */
  private readonly probed = new Map<string, { stamp: string; version: BlenderVersion | null }>();

  constructor(private readonly options: BlenderFinderOptions = {}) {}

  /** The first candidate that answers with a version; null when there is none. */
  find(): Promise<BlenderInstall | null> {
    this.found ??= this.search();
    return this.found;
  }

  /** Forgets the last search (the owner installed Blender or changed the path). */
  forget(): void {
    this.found = null;
  }

  candidates(): string[] {
    const { configuredPath, configuredOnly, env = process.env, platform = process.platform } = this.options;
    const configured = configuredPath ? [configuredPath] : [];
    if (configuredOnly) return configured;
    return [...new Set([...configured, ...pathCandidates(env, platform), ...installCandidates(env, platform)])];
  }

  /** The version of the Blender at `path`, or null if it is not an executable Blender. */
  async versionOf(path: string): Promise<BlenderVersion | null> {
    let stamp: string;
    try {
      await access(path, constants.X_OK);
      const info = await stat(path);
      if (!info.isFile()) return null;
      stamp = `${info.size}:${info.mtimeMs}`;
    } catch {
      return null;
    }
    const known = this.probed.get(path);
    if (known?.stamp === stamp) return known.version;
    const run = this.options.run ?? runForOutput;
    let version: BlenderVersion | null;
    try {
      version = parseBlenderVersion(await run(path, VERSION_ARGS, this.options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS));
    } catch {
      version = null; // not Blender, crashed, or too slow: not usable either way
    }
    this.probed.set(path, { stamp, version });
    return version;
  }

  private async search(): Promise<BlenderInstall | null> {
    for (const path of this.candidates()) {
      const version = await this.versionOf(path);
      if (version) return { path, version };
    }
    return null;
  }
}

function runForOutput(path: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(path, args, { timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}
