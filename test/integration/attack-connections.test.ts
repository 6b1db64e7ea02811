// Connections from a stranger on the LAN, held open against a real agent: 2,000 from one address,
// then 2,000 from sixteen, raw TCP that never speaks, TLS without a certificate and TLS with the
// stranger's own certificate that never sends a request. The agent may hold only so many, per
// address and in all, and none longer than 10 s without a request; its memory stays flat; its
// teammates link and pair all the while (from addresses of their own).
//
// With root the agents and the attacker each have a network namespace (the attacker gets sixteen
// addresses on its interface). Without, everything is on loopback and the attacker sends from
// 127.0.0.2 and up, which Linux routes to the agents on 127.0.0.1: the addresses still differ.

import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONNECTION_LIMITS } from '../../electron/agent/transport/tls-listener.js';
import { REPO_ROOT, Testbed, type AgentProcess, type Host } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { rssMb } from '../support/process-stats.js';

const FLOOD = join(REPO_ROOT, 'dist/test/integration/harness/connection-flood.js');
const { maxConnections, maxPerAddress, headersTimeoutMs } = DEFAULT_CONNECTION_LIMITS;
/**
 * The longest a connection may have been held, a bound that only catches a server that does not
 * cut idle connections. The stranger never closes one itself (connection-flood.ts waits until the
 * agent has closed every one), so an agent that holds them as long as the stranger likes never
 * lets the flood end. One that cuts them at its 10 s header timeout does so late on a busy
 * machine: a connection waits in the kernel's accept queue, timers fire late, the stranger (another
 * process) notices late. Beside stress-ng one was held 18.2 s. The figure is printed, not judged.
 */
const HELD_BOUND_MS = 3 * headersTimeoutMs;
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess, c: AgentProcess;
let attacker: Host;

interface FloodReport {
  type: 'status' | 'done';
  t: number;
  /** Connections open a second or more now, and from the busiest source address. */
  held: number;
  busiestAddress: number;
  maxHeld: number;
  maxBusiestAddress: number;
  maxHeldMs: number;
  opened: number;
  closedFast: number;
}

/** `n` source addresses for the attacker, none of them a teammate's. */
function attackerAddresses(n: number): string[] {
  if (!attacker.ns) return Array.from({ length: n }, (_, i) => `127.0.0.${i + 2}`);
  const prefix = attacker.address.split('.').slice(0, 3).join('.');
  const list = [attacker.address, ...Array.from({ length: n - 1 }, (_, i) => `${prefix}.${100 + i}`)];
  for (const address of list.slice(1)) execFileSync('ip', ['-n', attacker.ns, 'addr', 'replace', `${address}/24`, 'dev', 'eth0']);
  return list;
}

const listenAddress = (x: AgentProcess) => `${x.host.address}:${x.events.filter((e) => e.type === 'ready').at(-1)!.listenPort as number}`;

/** Runs the flood inside the attacker's host and samples the agent's memory meanwhile. */
async function flood(
  addresses: string[],
  durationMs: number,
  retryRefusedMs = 10_000,
  fill: { untilHeld?: number; untilMs?: number } = {},
): Promise<{ done: FloodReport; rssPeakMb: number; statuses: FloodReport[]; rss: { atMs: number; mb: number }[] }> {
  // Held connections are opened again as soon as the agent closes them, so the stranger keeps all
  // it can; refused ones are tried again after `retryRefusedMs`.
  const plan = {
    target: listenAddress(a),
    count: 2000,
    addresses,
    durationMs,
    retryMs: 200,
    retryRefusedMs,
    identityDir: join(bed.root, 'stranger'),
    ...fill,
  };
  const argv = attacker.wrap([process.execPath, FLOOD, JSON.stringify(plan)]);
  const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  const statuses: FloodReport[] = [];
  const rss: { atMs: number; mb: number }[] = [];
  const sampler = setInterval(() => rss.push({ atMs: Date.now(), mb: rssMb(a.pid!) }), 100);
  let buffer = '';
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = await new Promise<FloodReport>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      buffer += d.toString();
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const report = JSON.parse(buffer.slice(0, nl)) as FloodReport;
        buffer = buffer.slice(nl + 1);
        statuses.push(report);
        if (report.type === 'done') resolve(report);
      }
    });
    proc.on('exit', (code) => code !== 0 && reject(new Error(`flood exited ${code}: ${stderr.slice(-500)}`)));
  }).finally(() => clearInterval(sampler));
  return { done, rssPeakMb: Math.max(...rss.map((r) => r.mb)), statuses, rss };
}

describe(`connections held by a stranger (${bed.mode})`, () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost(), bed.addHost(), bed.addHost()];
    [a, b, c] = [bed.agent(hosts[0]!, 'alpha'), bed.agent(hosts[1]!, 'beta'), bed.agent(hosts[2]!, 'gamma')];
    attacker = hosts[3]!;
    await Promise.all([a.start(), b.start(), c.start()]);
    await pair(a, b, listenAddress(b));
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 10_000);
  });
  afterAll(() => bed.destroy());

  it('2,000 from one address: 32 held at most, none past 10 s; a teammate relinks and a newcomer pairs meanwhile', async () => {
    await new Promise((r) => setTimeout(r, 2000)); // let the agent settle before measuring
    const rssBefore = rssMb(a.pid!);
    const attack = flood(attackerAddresses(1), 25_000);
    await new Promise((r) => setTimeout(r, 8000));
    // Beta's link is cut and made again, and gamma pairs, while the stranger holds its share.
    const teammatesFromMs = Date.now();
    const mark = a.events.length;
    await b.kill('SIGKILL');
    await a.waitFor((e) => e.type === 'memberOffline' && e.deviceId === b.deviceId, 30_000, mark);
    await b.start();
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 30_000, mark);
    await pair(a, c, listenAddress(c));
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === c.deviceId, 30_000, mark);
    const { done, rssPeakMb, statuses, rss } = await attack;
    // The stranger alone, before pairing (which has costs of its own) starts.
    const attackPeakMb = Math.max(...rss.filter((r) => r.atMs < teammatesFromMs).map((r) => r.mb));
    const duringAttack = statuses.filter((s) => s.t > 2000 && s.t < 25_000).map((s) => s.held);
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssMb(a.pid!);
    console.log(
      `one address, 2,000 connections for 25 s: ${done.opened} opened, at most ${done.maxHeld} held at once (on average ${Math.round(duringAttack.reduce((x, y) => x + y, 0) / duringAttack.length)}), ` +
        `${done.closedFast} closed within 1 s, longest held ${done.maxHeldMs} ms; agent RSS ${rssBefore.toFixed(1)} -> peak ${attackPeakMb.toFixed(1)} ` +
        `(${rssPeakMb.toFixed(1)} with a relink and a pairing) -> ${rssAfter.toFixed(1)} MB`,
    );
    expect(done.maxHeld).toBeLessThanOrEqual(maxPerAddress);
    expect(done.maxHeld).toBeGreaterThan(maxPerAddress / 2); // the attack did fill its share
    expect(done.maxHeldMs).toBeLessThan(HELD_BOUND_MS);
    expect(attackPeakMb - rssBefore).toBeLessThan(20);
  });

  it('2,000 from sixteen addresses: 192 held at most, memory under 20 MB more, the teammates stay linked', async () => {
    const rssBefore = rssMb(a.pid!);
    const mark = a.events.length;
    // Until it has held more than half the cap once: beside a busy owner the stranger is slow too.
    const { done, rssPeakMb } = await flood(attackerAddresses(16), 12_000, 10_000, { untilHeld: maxConnections / 2 + 1, untilMs: 180_000 });
    await new Promise((r) => setTimeout(r, 3000));
    const rssAfter = rssMb(a.pid!);
    console.log(
      `sixteen addresses, 2,000 connections for 12 s: ${done.opened} opened, at most ${done.maxHeld} held at once (${done.maxBusiestAddress} from one address), ` +
        `longest held ${done.maxHeldMs} ms; agent RSS ${rssBefore.toFixed(1)} -> peak ${rssPeakMb.toFixed(1)} -> ${rssAfter.toFixed(1)} MB`,
    );
    expect(done.maxHeld).toBeLessThanOrEqual(maxConnections);
    expect(done.maxBusiestAddress).toBeLessThanOrEqual(maxPerAddress);
    expect(done.maxHeld).toBeGreaterThan(maxConnections / 2);
    expect(done.maxHeldMs).toBeLessThan(HELD_BOUND_MS);
    expect(rssPeakMb - rssBefore).toBeLessThan(20);
    // Links made before the attack are not the stranger's to take.
    expect(a.events.slice(mark).filter((e) => e.type === 'memberOffline')).toEqual([]);
    await eventually(
      async () => (await a.cli<{ members: { online: boolean }[] }>(['team'])).members.every((m) => m.online),
      30_000,
      'the whole team online',
    );
  });

  it('a reconnect storm from one address (each refused connection again after 50 ms): the caps hold and the team stays linked', async () => {
    const rssBefore = rssMb(a.pid!);
    const mark = a.events.length;
    const { done, rssPeakMb } = await flood(attackerAddresses(1), 15_000, 50);
    const answeredMs = await (async () => {
      const t0 = Date.now();
      await a.cli(['status']);
      return Date.now() - t0;
    })();
    await new Promise((r) => setTimeout(r, 3000));
    console.log(
      `reconnect storm from one address for 15 s: ${done.opened + done.closedFast} connection attempts, at most ${done.maxHeld} held at once, longest held ${done.maxHeldMs} ms; ` +
        `agent RSS ${rssBefore.toFixed(1)} -> peak ${rssPeakMb.toFixed(1)} -> ${rssMb(a.pid!).toFixed(1)} MB; status answered in ${answeredMs} ms after`,
    );
    expect(done.maxHeld).toBeLessThanOrEqual(maxPerAddress);
    expect(done.maxHeldMs).toBeLessThan(HELD_BOUND_MS);
    expect(a.events.slice(mark).filter((e) => e.type === 'memberOffline')).toEqual([]);
  });
});
