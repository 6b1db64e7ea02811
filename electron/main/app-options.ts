// Owns the app's own command line: which data directory (so the app and `troupe --data-dir`
// reach the same agent), which network interface and peer port a started agent uses, and whether to start
// with the window hidden (at login). Electron and Chromium switches are left alone.

import { defaultDataDir } from '../agent/config/agent-config.js';

export interface AppOptions {
  dataDir: string;
  /** Passed to the agent as --interface; undefined: the agent's default (or TROUPE_INTERFACE). */
  interfaceAddress: string | undefined;
  /** Passed to the agent as --port (0: any free port, for tests); undefined: the default peer port. */
  peerPort: string | undefined;
  /** Start in the tray without opening the window. */
  hidden: boolean;
}

/** Flag that the login item passes, so a start at login stays in the tray. */
export const HIDDEN_FLAG = '--hidden';

export function parseAppOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, platform = process.platform): AppOptions {
  return {
    dataDir: flagValue(argv, '--data-dir') ?? defaultDataDir(env, platform),
    interfaceAddress: flagValue(argv, '--interface'),
    peerPort: flagValue(argv, '--port'),
    hidden: argv.includes(HIDDEN_FLAG),
  };
}

/** `--name value` or `--name=value`; the last one wins. */
function flagValue(argv: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  argv.forEach((arg, i) => {
    if (arg.startsWith(name + '=')) value = arg.slice(name.length + 1);
    else if (arg === name && i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) value = argv[i + 1];
  });
  return value === '' ? undefined : value;
}

/** The agent's command line (after the CLI entry) for these options. */
export function agentArgs(options: AppOptions): string[] {
  const args = ['agent', '--data-dir', options.dataDir];
  if (options.interfaceAddress) args.push('--interface', options.interfaceAddress);
  if (options.peerPort && /^\d{1,5}$/.test(options.peerPort)) args.push('--port', options.peerPort);
  return args;
}
