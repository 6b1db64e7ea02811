// Owns what each `troupe` subcommand asks the agent and how it prints the answer for people.

import { TroupeError } from '../../shared/errors.js';
import type { Pairing } from '../../shared/control-api/index.js';
import type { SharingSetting, TeamView } from '../../shared/model/index.js';
import { formatDeviceId } from '../agent/identity/device-id.js';
import { flagInt, type ParsedArgs } from './args.js';
import type { ControlClient } from './control-client.js';
import { JOB_COMMANDS } from './job-commands.js';

type Command = (client: ControlClient, rest: string[], args: ParsedArgs) => Promise<void>;

export const USAGE = `Usage: troupe <command> [--data-dir DIR] [--json]

  start [--browser]          the desktop app (or, without a display, the agent and its UI in your browser)
  agent [--name NAME] [--port N] [--interface ADDR] [--ui]   run the agent in the foreground
                             (--ui: print a link that opens its UI in a browser;
                             --task-time-limit 4h: the longest a teammate's task may run here, or none)
  open                       a one-time link that opens this machine's Troupe in a browser
  status                     this machine, its team and the team's capacity
  nearby                     machines found on the network
  add <host:port>            add a machine by address (where multicast is blocked)
  team                       the team's members, online or not
  pair <name|id|host:port>   add a machine to your team; shows the code to compare and asks you
                             to confirm it (--yes: you vouch you compared; or: troupe confirm <pairing>)
  confirm|decline <pairing>  the codes match (or not), for a pairing started without a terminal
  requests                   pairing requests waiting for your approval
  accept <request>           approve a pairing request (compare the code first)
  reject <request>           decline a pairing request
  remove <member>            remove a member from the team (everywhere)
  share on|off|idle          share this machine with the team, or not, or only when idle
  share --cores N            give the team at most N cores (0: no cap)
  rename <name>              rename this machine
  render <scene.glb> [--frames a-b] [--size WxH] [--samples N] [--out DIR] [--exr] [--seed N] [--no-wait]
                             render on the team, with a progress bar
  render <scene.blend> [--frames a-b] [--out DIR] [--any-blender] [--no-wait]
         [--project DIR] [--allow-file FILE]... [--allow-missing] [--no-denoise]
         [--device cpu|gpu|any] [--whole | --regions] [--list-files]
                             render a .blend with teammates' Blender (its own size, samples, output;
                             one frame: whole when it denoises, else in regions, stitched). Only
                             files under the .blend's folder (or --project) are sent;
                             --list-files shows them with their sizes and sends nothing
  bake <scene.blend> [--out FILE.blend]
                             bake its physics on a teammate; <name>.baked.blend comes back beside it
  simulate <scene.glb> [--steps N | --seconds S] [--dt S] [--substeps N] [--gravity x,y,z] [--fps N]
           [--wedge 'friction=0.2:0.8:4,ball.vx=1:5:3' | --random N --seed S] [--chunk-steps N] [--out DIR]
           [--then-render [--size WxH] [--samples N]]
                             rigid bodies (glTF KHR_physics_rigid_bodies) on the team: a bake in time
                             chunks (<name>.baked.glb), or one run per wedge variant (a table);
                             --then-render renders each baked frame as soon as it is baked
  table <job id> [table] [--sort column|-column]
                             a job's result table (a wedge's variants: --sort -maxSpeed)
  variants <job id> [--sort maxSpeed|-contacts|restSeconds|index]
                             the same as: table <job id> variants
  blender-addon              install and enable the "Render on team" add-on in this machine's Blender
                             (an action of the Blender engine; the app: This machine)
  jobs                       jobs this machine coordinates
  job <id>                   one job: its tasks, who ran them, how long they took
  cancel|pause|resume <id>   stop a job, hold it, or let it go on
  priority <id> <n>          re-prioritise a job (-100..100, higher first)`;

function need(rest: string[], what: string): string {
  if (!rest[0]) throw new TroupeError('bad-request', `Missing ${what}. See \`troupe help\`.`);
  return rest[0];
}

const out = (args: ParsedArgs, value: unknown, human: () => void): void =>
  args.flags.has('json') ? console.log(JSON.stringify(value, null, 2)) : human();

const gb = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(1)} GB`;
const short = (id: string): string => formatDeviceId(id).slice(0, 15);

function printTeam(team: TeamView | null): void {
  if (!team) return console.log('This machine is on no team yet. Add one with `troupe pair <machine>`.');
  console.log(`Team "${team.name}" (${team.members.length} members)`);
  for (const m of team.members) {
    const cap = m.capacity ? `${m.capacity.freeCores}/${m.capacity.cores} cores free, ${m.capacity.sharing.mode}` : '';
    console.log(
      `  ${m.online ? 'online ' : 'offline'}  ${m.name.padEnd(20)} ${short(m.deviceId)}  ${m.self ? '(this machine) ' : ''}${cap}`,
    );
  }
}

async function ask(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

async function waitForPairing(client: ControlClient, pairing: Pairing, args: ParsedArgs): Promise<Pairing> {
  let current = pairing;
  while (current.state === 'awaiting-approval') {
    await new Promise((r) => setTimeout(r, 200));
    current = await client.call('pairing', { pairingId: pairing.pairingId });
  }
  out(args, current, () => {
    if (current.state === 'paired') console.log(`Paired: "${current.name}" is on your team now.`);
    else console.log(`Not paired (${current.state}): ${current.error?.message ?? ''}`);
  });
  if (current.state !== 'paired') process.exitCode = 1;
  return current;
}

export const COMMANDS: Record<string, Command> = {
  ...JOB_COMMANDS,
  async open(client, _rest, args) {
    const link = await client.call('loginLink');
    out(args, link, () => console.log(`Open Troupe in your browser (this link works once, for 5 minutes):\n  ${link.url}`));
  },
  async status(client, _rest, args) {
    const s = await client.call('status');
    out(args, s, () => {
      console.log(`${s.name}  ${s.deviceIdDisplay}`);
      console.log(`  peer port ${s.listenPort}, addresses ${s.addresses.join(', ') || 'none'}`);
      console.log(
        `  sharing ${s.sharing.mode}${s.sharing.coreCap ? `, at most ${s.sharing.coreCap} cores` : ''}; ${s.capacity.freeCores}/${s.capacity.cores} cores free`,
      );
      console.log(
        s.team
          ? `  team "${s.team.name}": ${s.team.online}/${s.team.members} online, ${s.teamFreeCores}/${s.teamCores} cores free`
          : '  no team yet',
      );
      if (s.pairingLockedUntilMs)
        console.log(
          `  pairing paused until ${new Date(s.pairingLockedUntilMs).toLocaleTimeString()}: repeated abandoned attempts (someone on your network may be trying to pair)`,
        );
    });
  },
  async nearby(client, _rest, args) {
    const list = await client.call('nearby');
    out(args, list, () => {
      if (list.length === 0)
        console.log('No machines found nearby. Is Troupe running on them? Add one by address with `troupe add host:port`.');
      for (const n of list)
        console.log(
          `  ${n.name.padEnd(20)} ${short(n.deviceId)}  ${n.addresses[0] ?? '?'}:${n.port}  ${n.cores} cores ${gb(n.memoryBytes)}  ${n.member ? 'teammate' : ''}`,
        );
    });
  },
  async add(client, rest, args) {
    const n = await client.call('addNearby', { address: need(rest, 'an address (host:port)') });
    out(args, n, () => console.log(`Found "${n.name}" (${short(n.deviceId)}). Pair it with \`troupe pair ${n.name}\`.`));
  },
  async team(client, _rest, args) {
    const team = await client.call('team');
    out(args, team, () => printTeam(team));
  },
  async pair(client, rest, args) {
    const pairing = await client.call('startPairing', { target: need(rest, 'which machine to pair (name, id or host:port)') });
    const json = args.flags.has('json');
    if (!json) {
      console.log(`Pairing with "${pairing.name}" (${short(pairing.deviceId)}).`);
      console.log(`Code: ${pairing.code}`);
      console.log('Its owner approves there (the prompt, or `troupe accept`) after checking the same code shows.');
    } else
      console.log(JSON.stringify({ pairingId: pairing.pairingId, code: pairing.code, deviceId: pairing.deviceId, state: pairing.state }));
    if (args.flags.has('yes')) {
      // Scripted pairing: whoever passes --yes vouches that they compared the codes.
      await client.call('confirmPairing', { pairingId: pairing.pairingId });
    } else if (process.stdin.isTTY && !json) {
      const same = await ask(`Does "${pairing.name}" show the code ${pairing.code}? [y/N] `);
      await client.call(same ? 'confirmPairing' : 'declinePairing', { pairingId: pairing.pairingId });
    } else if (!json) {
      console.log(`When the codes match, confirm here with: troupe confirm ${pairing.pairingId}`);
    }
    if (!args.flags.has('no-wait')) await waitForPairing(client, pairing, args);
  },
  async confirm(client, rest, args) {
    const p = await client.call('confirmPairing', { pairingId: need(rest, 'the pairing id (printed by `troupe pair`)') });
    out(args, p, () => console.log(`Confirmed: "${p.name}" joins as soon as its owner approves.`));
  },
  async decline(client, rest, args) {
    const r = await client.call('declinePairing', { pairingId: need(rest, 'the pairing id (printed by `troupe pair`)') });
    out(args, r, () => console.log('Declined: nothing was paired.'));
  },
  async requests(client, _rest, args) {
    const list = await client.call('pairRequests');
    out(args, list, () => {
      if (list.length === 0) console.log('No pairing requests are waiting.');
      for (const r of list)
        console.log(
          `  ${r.requestId}  "${r.name}" ${short(r.deviceId)} at ${r.address} wants this machine in "${r.teamName}"  code ${r.code}  (${Math.max(0, Math.round((r.expiresAtMs - Date.now()) / 1000))} s left)`,
        );
    });
  },
  async accept(client, rest, args) {
    const id = need(rest, 'the request id (see `troupe requests`)');
    const r = await client.call('acceptRequest', { requestId: id });
    out(args, r, () => console.log('Accepted: this machine is on the team now.'));
  },
  async reject(client, rest, args) {
    const id = need(rest, 'the request id (see `troupe requests`)');
    const r = await client.call('rejectRequest', { requestId: id });
    out(args, r, () => console.log('Declined.'));
  },
  async remove(client, rest, args) {
    const member = need(rest, 'which member to remove (name or id)');
    const r = await client.call('removeMember', { member });
    out(args, r, () => console.log(`Removed ${member} from the team; every teammate will refuse it from now on.`));
  },
  async share(client, rest, args) {
    const change: Partial<SharingSetting> = {};
    const cores = flagInt(args, 'cores');
    if (cores !== undefined) change.coreCap = cores === 0 ? null : cores;
    if (rest[0]) {
      if (!['on', 'off', 'idle'].includes(rest[0]))
        throw new TroupeError('bad-request', 'Use `troupe share on`, `off`, `idle` or `--cores N`');
      change.mode = rest[0] as SharingSetting['mode'];
    }
    if (Object.keys(change).length === 0) throw new TroupeError('bad-request', 'Use `troupe share on`, `off`, `idle` or `--cores N`');
    const s = await client.call('setSharing', change);
    out(args, s, () => console.log(`Sharing ${s.sharing.mode}${s.sharing.coreCap ? `, at most ${s.sharing.coreCap} cores` : ''}.`));
  },
  async rename(client, rest, args) {
    const s = await client.call('rename', { name: need(rest, 'the new name') });
    out(args, s, () => console.log(`This machine is now "${s.name}".`));
  },
};
