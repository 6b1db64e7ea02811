#!/usr/bin/env node
// Owns the `troupe` command: one line per subcommand, each a thin call to the local agent's
// control API (or, for `agent`, running one). --json prints the API's answer as it is.

import { TroupeError } from '../../shared/errors.js';
import { defaultDataDir } from '../agent/config/agent-config.js';
import { parseArgs, flagString, type ParsedArgs } from './args.js';
import { ControlClient } from './control-client.js';
import { COMMANDS, USAGE } from './commands.js';

async function main(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const [command, ...rest] = args.positionals;
  if (!command || command === 'help' || args.flags.has('help')) {
    console.log(USAGE);
    return;
  }
  // The agent and the app load on demand: every other command only talks to a running agent, and
  // loading the whole agent (storage, engines, TLS) cost each of them most of its second.
  if (command === 'agent') return (await import('./run-agent.js')).runAgent(args);
  if (command === 'start') return (await import('./start-app.js')).startApp(args);
  const run = COMMANDS[command];
  const unknown = new TroupeError('bad-request', `Unknown command "${command}".\n\n${USAGE}`);
  // Not one of ours: perhaps an action an engine offers (`troupe blender-addon`), which only a running agent knows.
  const client = await ControlClient.open(flagString(args, 'data-dir') ?? defaultDataDir()).catch((err: unknown) => {
    throw run ? err : unknown;
  });
  if (run) return run(client, rest, args as ParsedArgs);
  const action = (await client.call('engineActions')).find((a) => a.command === command);
  if (!action) throw unknown;
  const done = await client.call('runEngineAction', { engine: action.engine, action: action.action });
  if (args.flags.has('json')) console.log(JSON.stringify(done));
  else console.log(done.message);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ error: { code: err instanceof TroupeError ? err.code : 'internal', message } }));
  else console.error(`troupe: ${message}`);
  process.exit(1);
});
