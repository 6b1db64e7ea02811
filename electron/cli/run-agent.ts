// Owns `troupe agent`: runs an agent in the foreground until Ctrl-C or SIGTERM, printing what
// happens (as JSON lines with --json, which tests and benchmarks read, with a timestamp each).

import { Agent } from '../agent/agent.js';
import { defaultDataDir, DEFAULT_PEER_PORT, DEFAULT_TASK_TIME_LIMIT_MS, parseTimeLimit } from '../agent/config/agent-config.js';
import { formatDeviceId } from '../agent/identity/device-id.js';
import { flagInt, flagString, type ParsedArgs } from './args.js';
import type { ControlEvent } from '../../shared/control-api/index.js';
import { PROTOCOL_FEATURES, PROTOCOL_VERSION } from '../../shared/protocol/index.js';

export async function runAgent(args: ParsedArgs): Promise<void> {
  const json = args.flags.has('json');
  const print = (record: object): void => {
    if (json) process.stdout.write(JSON.stringify({ t: Date.now(), ...record }) + '\n');
  };
  const log = (line: string): void => (json ? print({ type: 'log', line }) : console.error(line));
  const dataDir = flagString(args, 'data-dir') ?? defaultDataDir();
  // Last line of defence for a long-running agent: a missed rejection is logged, not fatal to the team's work.
  process.on('unhandledRejection', (err) => log(`unexpected error (please report): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
  const agent = await Agent.start(
    {
      dataDir,
      uiDir: flagString(args, 'ui-dir'),
      outputDir: flagString(args, 'output-dir'),
      name: flagString(args, 'name'),
      port: flagInt(args, 'port') ?? DEFAULT_PEER_PORT,
      controlPort: flagInt(args, 'control-port') ?? 0,
      interfaceAddress: flagString(args, 'interface') ?? process.env.TROUPE_INTERFACE,
      newIdentity: args.flags.has('new-identity'),
      taskTimeLimitMs: taskTimeLimit(flagString(args, 'task-time-limit'), process.env.TROUPE_TASK_TIME_LIMIT, log),
      futureBuild: args.flags.has('as-future-build')
        ? { major: flagInt(args, 'as-protocol-major') ?? PROTOCOL_VERSION, minor: 99, features: [...PROTOCOL_FEATURES, 'x-future-feature'], extraField: 'xFuture' }
        : undefined,
    },
    log,
  );
  const status = agent.control.status();
  print({ type: 'ready', deviceId: status.deviceId, name: status.name, listenPort: agent.listenPort, controlPort: agent.controlPort });
  if (!json) {
    console.log(`Troupe agent "${status.name}" is running.`);
    console.log(`  device id   ${status.deviceIdDisplay}`);
    console.log(`  peer port   ${agent.listenPort} (teammates connect here)`);
    console.log(`  data        ${dataDir}`);
    console.log(`  team        ${status.team ? `${status.team.name} (${status.team.members} members)` : 'none yet: `troupe pair <machine>`'}`);
  }
  if (args.flags.has('ui')) {
    // The link signs one browser in, once, within minutes; `troupe open` prints another.
    const link = agent.control.loginLink();
    if (json) print({ type: 'loginLink', ...link });
    else console.log(`\nOpen Troupe in your browser (this link works once, for 5 minutes):\n  ${link.url}\n`);
  }
  agent.control.subscribe((event) => (json ? print(event) : describe(event)));
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await agent.stop();
    print({ type: 'stopped' });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

function describe(event: ControlEvent): void {
  switch (event.type) {
    case 'pairRequestReceived': {
      const r = event.request;
      console.log(`\n"${r.name}" (${r.deviceIdDisplay.slice(0, 15)}…) at ${r.address} asks this machine to join "${r.teamName}".`);
      console.log(`  Code: ${r.code}. If it matches the code on that machine: troupe accept ${r.requestId}   (expires in 60 s)`);
      break;
    }
    case 'memberOnline':
      console.log(`teammate ${event.name} is online`);
      break;
    case 'memberOffline':
      console.log(`teammate ${event.name} is offline (${event.reason})`);
      break;
    case 'memberIncompatible':
      console.log(event.reason);
      break;
    case 'pairingLocked':
      console.log(`\nPairing is paused until ${new Date(event.untilMs).toLocaleTimeString()}. ${event.reason}`);
      break;
    case 'pairRequestsRefused':
      console.log(`\n${event.message}`);
      break;
    case 'pairingChanged':
      console.log(`pairing with ${event.pairing.name}: ${event.pairing.state}${event.pairing.error ? ` (${event.pairing.error.message})` : ''}`);
      break;
    case 'teamChanged':
      if (event.team === null) console.log('this machine is on no team now');
      break;
    default:
      break;
  }
}

export { formatDeviceId };

/**
 * --task-time-limit, or else TROUPE_TASK_TIME_LIMIT, as the agent takes it; the default when
 * neither is given. A bad flag stops the start (the person typing it is there to read why); a bad
 * variable (the desktop app's way to set it, read at every start) is logged and the default used.
 */
function taskTimeLimit(flag: string | undefined, variable: string | undefined, log: (line: string) => void): number | null {
  if (flag !== undefined) {
    try {
      return parseTimeLimit(flag);
    } catch (err) {
      throw new Error(`--task-time-limit: ${(err as Error).message}`, { cause: err });
    }
  }
  if (variable === undefined || variable.trim() === '') return DEFAULT_TASK_TIME_LIMIT_MS;
  try {
    return parseTimeLimit(variable);
  } catch (err) {
    log(`TROUPE_TASK_TIME_LIMIT is ignored: ${(err as Error).message}; a teammate's task stops after the default 4 hours`);
    return DEFAULT_TASK_TIME_LIMIT_MS;
  }
}
