// Owns what this machine's Blender can do beyond its version: whether its Cycles was built with
// OpenImageDenoise, and which GPUs Cycles sees (CUDA, OptiX, HIP, Metal, oneAPI). Asked once per
// install, in the background (a Blender start takes a few seconds), and advertised to the team as
// engine features: `oidn`, and `gpu:<TYPE>` per device type, so a coordinator leases a denoised
// scene or a GPU job only to machines that can run it.

import { execFile } from 'node:child_process';
import { blenderAssetsDir } from './blender-assets.js';

export interface BlenderCapabilities {
  openImageDenoise: boolean;
  /** Device names by Cycles device type, for types with at least one GPU. */
  gpus: Record<string, string[]>;
}

/** The feature a job needs when its scene denoises with OpenImageDenoise. */
export const OIDN_FEATURE = 'oidn';
export const GPU_FEATURE_PREFIX = 'gpu:';
const PROBE_TIMEOUT_MS = 120_000;
const MARKER = 'TROUPE-CAPABILITIES ';

export function capabilityFeatures(caps: BlenderCapabilities): string[] {
  return [...(caps.openImageDenoise ? [OIDN_FEATURE] : []), ...Object.keys(caps.gpus).slice(0, 8).map((type) => `${GPU_FEATURE_PREFIX}${type}`)];
}

/** The capabilities line Blender printed, or null when there is none (not our script, a crash). */
export function parseCapabilities(output: string): BlenderCapabilities | null {
  const line = output.split('\n').find((l) => l.startsWith(MARKER));
  if (!line) return null;
  try {
    const parsed = JSON.parse(line.slice(MARKER.length)) as Partial<BlenderCapabilities>;
    const gpus: Record<string, string[]> = {};
    for (const [type, names] of Object.entries(parsed.gpus ?? {}))
      if (/^[A-Z]{2,16}$/.test(type) && Array.isArray(names)) gpus[type] = names.filter((n): n is string => typeof n === 'string').slice(0, 16);
    return { openImageDenoise: parsed.openImageDenoise === true, gpus };
  } catch {
    return null;
  }
}

/** Asks the Blender at `path` (factory settings, no scene, scripts of files never run: there is no file). */
export function probeCapabilities(path: string): Promise<BlenderCapabilities | null> {
  const code = `import sys; sys.dont_write_bytecode = True; sys.path.insert(0, ${JSON.stringify(blenderAssetsDir())}); from troupe_session.devices import print_capabilities; print_capabilities()`;
  return new Promise((resolve) => {
    execFile(path, ['-b', '--factory-startup', '-noaudio', '--python-expr', code], { timeout: PROBE_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true }, (_err, stdout) =>
      resolve(parseCapabilities(String(stdout ?? ''))),
    );
  });
}
