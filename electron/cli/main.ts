#!/usr/bin/env node
// Owns the `troupe` command: one line per subcommand, each a thin call to the local agent's
// control API (or, for `agent`, running one). --json prints the API's answer as it is.

import { TroupeError } from '../../shared/errors.js';
import { defaultDataDir } from '../agent/config/agent-config.js';
import { parseArgs, flagString, type ParsedArgs } from './args.js';
import { ControlClient } from './control-client.js';
import { COMMANDS, USAGE } from './commands.js';
import { runAgent } from './run-agent.js';
import { startApp } from './start-app.js';

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const [command, ...rest] = args.positionals;
  if (!command || command === 'help' || args.flags.has('help')) {
    console.log(USAGE);
    return;
  }
  if (command === 'agent') return runAgent(args);
  if (command === 'start') return startApp(args);
  const run = COMMANDS[command];
  if (!run) throw new TroupeError('bad-request', `Unknown command "${command}".\n\n${USAGE}`);
  const client = await ControlClient.open(flagString(args, 'data-dir') ?? defaultDataDir());
  await run(client, rest, args as ParsedArgs);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ error: { code: err instanceof TroupeError ? err.code : 'internal', message } }));
  else console.error(`troupe: ${message}`);
  process.exit(1);
});
