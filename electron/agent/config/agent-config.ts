// Owns where an agent keeps its state and how it is reached: the per-user data directory (or
// --data-dir / TROUPE_HOME), the peer port, and the one network interface it may use.

import os from 'node:os';
import { join } from 'node:path';

/** The peer port a user types after a host name when adding a machine by address. */
export const DEFAULT_PEER_PORT = 47800;

export interface AgentConfig {
  dataDir: string;
  name?: string;
  /** Peer (TLS) port; 0 picks a free one. */
  port: number;
  /** The only interface mDNS may use, by IPv4 address or name (eth0); undefined = every interface. */
  interfaceAddress?: string;
  controlPort: number;
  /** Start over as a new device even though state from an old identity exists. */
  newIdentity: boolean;
  /** Origins besides the agent's own pages that may call the control API (the Electron shell). */
  extraOrigins?: string[];
  /** The built UI served to browsers on the control port; default: dist/renderer beside this build. */
  uiDir?: string;
  /** Where the app suggests a job's images go; default: "Troupe Renders" in the home folder (or TROUPE_OUTPUT_DIR). */
  outputDir?: string;
  /**
   * Makes this agent behave like a later build of the same major version: a higher minor, extra
   * features in its hello, and an extra field in every message and roster op it signs. Only the
   * mixed-version tests set it (`--as-future-build`), to show today's agents work with tomorrow's.
   */
  futureBuild?: FutureBuild;
  /**
   * The longest a teammate's task may run here before it is stopped and failed in words
   * (--task-time-limit, TROUPE_TASK_TIME_LIMIT); null: no limit. The owner's own jobs have none.
   */
  taskTimeLimitMs?: number | null;
}

export interface FutureBuild {
  /** A different major version makes this agent incompatible with today's (for that test). */
  major: number;
  minor: number;
  features: string[];
  /** Name of a field today's schemas do not know, added to every frame and signed roster op. */
  extraField: string;
}

/**
 * A teammate's task stops after this long by default: longer than any frame a small studio's
 * machine should spend on someone else's scene, short enough that a scene built never to finish
 * (a billion samples, an endless simulation) gives the machine back the same day.
 */
export const DEFAULT_TASK_TIME_LIMIT_MS = 4 * 3600_000;

/**
 * "4h", "90m", "1h30m", "45s" (a bare number is minutes) to milliseconds; "0" or "none" is no
 * limit (null). Throws in words on anything else.
 */
export function parseTimeLimit(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (t === 'none') return null;
  const bad = (): Error => new Error(`a time limit is written like "4h", "90m" or "1h30m" (or "none"), at most ${MAX_TIME_LIMIT_HOURS}h, not "${text}"`);
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(t)) ms = Math.round(Number(t) * 60_000);
  else {
    const parts = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(t);
    if (!parts || t === '') throw bad();
    const [h, m, s] = parts.slice(1).map((p) => Number(p ?? 0));
    ms = (h! * 3600 + m! * 60 + s!) * 1000;
  }
  if (ms === 0) return null; // "0", "0m": no limit, as documented
  if (ms > MAX_TIME_LIMIT_HOURS * 3600_000) throw bad(); // a timer cannot wait longer (it would fire at once)
  return ms;
}

/** The longest limit a timer can hold (2^31 - 1 ms is 596 h): say "none" for more. */
export const MAX_TIME_LIMIT_HOURS = 500;

/** The OS's per-user application data folder, as each platform's users expect to find it. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.TROUPE_HOME) return env.TROUPE_HOME;
  const home = os.homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Troupe');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Troupe');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'troupe');
}

export function isLoopback(address: string | undefined): boolean {
  return address !== undefined && /^127\./.test(address);
}

/** Where the app suggests a job's images go, unless the user picks another folder. */
export function defaultOutputDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.TROUPE_OUTPUT_DIR || join(os.homedir(), 'Troupe Renders');
}
