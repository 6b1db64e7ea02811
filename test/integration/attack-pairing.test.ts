// Hostile pairing against a real agent over real TLS: /pair takes any certificate, so everything a
// stranger on the LAN can try there is tried here. Each case performs an attack that worked on
// an earlier build and checks that it now fails:
//   1. a flood of frames (and of pings) from a connection that reached "pending", to grow memory;
//   2. concurrent requests that overfill the approval queue, so a real pairing gets "busy";
//   3. code grinding: learn the code, abort before the reveal, repeat from 80 source addresses.
// Runs on loopback (the attacker binds 127.0.0.x source addresses); the victim is an agent
// process from dist/, so its memory is read from /proc. Grinding runs last: it pauses pairing.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, type AgentEvent, type AgentProcess } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { newIdentities, PairConnection, type Received } from './harness/pair-attacker.js';
import type { Identity } from '../../electron/agent/identity/identity-store.js';
import { decodeFrame, encodeFrame } from '../../electron/agent/transport/frame-codec.js';
import { MAX_FRAME_BYTES, pairMessageSchema } from '../../shared/protocol/index.js';
import { rssMb, alive } from '../support/process-stats.js';

process.env.TROUPE_TEST_LOOPBACK = '1'; // read when the Testbed is constructed, below
const bed = new Testbed();
let victim: AgentProcess, friend: AgentProcess;
let port: number;
let ids: Identity[];
const MiB = 1024 * 1024;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Samples the victim's RSS every 20 ms until stopped; returns the peak. */
function rssPeak(pid: number): { stop: () => number } {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    if (alive(pid)) peak = Math.max(peak, rssMb(pid));
  });
  return {
    stop: () => {
      clearInterval(timer);
      return alive(pid) ? Math.max(peak, rssMb(pid)) : peak;
    },
  };
}
const outcomeOf = (r: Received): string => (r.type === 'pair.rejected' ? r.code : r.type);

/**
 * The biggest frame the victim's pairing schema accepts, so only its order can refuse it (the
 * flood the review ran was of valid frames, queued unread). Schemas that ignore unknown fields
 * take a padded one near the frame limit; strict ones a long refusal text.
 */
function floodFrame(): Uint8Array {
  const candidates = [
    { type: 'pair.nonce', name: 'flood', nonce: 'a'.repeat(64), pad: 'x'.repeat(MAX_FRAME_BYTES - 4096) },
    { type: 'pair.nonce', name: 'flood'.repeat(12), nonce: 'a'.repeat(64) },
  ];
  for (const c of candidates) {
    const bytes = encodeFrame(c);
    try {
      decodeFrame(pairMessageSchema, bytes, true);
      return bytes;
    } catch {
      /* the next one */
    }
  }
  throw new Error('no valid pairing frame to flood with');
}

async function pending(identity: Identity, from: string): Promise<PairConnection> {
  const conn = await PairConnection.open(port, identity, from);
  const { outcome } = await conn.handshake();
  expect(outcomeOf(outcome)).toBe('pair.pending');
  return conn;
}

describe('pairing under attack', () => {
  beforeAll(async () => {
    const host = bed.addHost();
    victim = bed.agent(host, 'victim');
    friend = bed.agent(host, 'friend');
    const [ready] = await Promise.all([victim.start(), friend.start()]);
    port = ready.listenPort as number;
    ids = await newIdentities(bed.root, 24);
  });
  afterAll(() => bed.destroy());

  it('a connection that reached "pending" cannot grow memory with frames or pings', async () => {
    expect(bed.mode).toBe('loopback');
    const pid = victim.pid!;
    const conn = await pending(ids[0]!, '127.0.0.2');
    const request = (await victim.waitFor((e) => e.type === 'pairRequestReceived')).request as { code: string; requestId: string };
    await sleep(1000); // let the handshake's garbage settle before the baseline
    const before = rssMb(pid);
    const peak = rssPeak(pid);
    const frame = floodFrame();
    const FLOOD_BYTES = 400 * MiB;
    let sent = 0;
    let stalledMs = 0;
    while (sent < FLOOD_BYTES && !conn.closed && stalledMs < 5000) {
      if (conn.ws.bufferedAmount > 8 * MiB) {
        await sleep(10); // the victim is not reading: that is a fine answer too
        stalledMs += 10;
        continue;
      }
      stalledMs = 0;
      conn.ws.send(frame);
      sent += frame.byteLength;
      if (sent % (32 * MiB) < frame.byteLength) await sleep(0);
    }
    const closedBy = Date.now() + 30_000; // only a hang
    while (!conn.closed && Date.now() < closedBy) await sleep(20);
    await sleep(500);
    const growthMb = peak.stop() - before;
    console.log(
      `flood: attacker pushed ${(sent / MiB).toFixed(0)} MiB (${(conn.ws.bufferedAmount / MiB).toFixed(1)} MiB still in its own buffer), ` +
        `victim closed the connection: ${conn.closed}; victim RSS ${before.toFixed(1)} MB, peak growth ${growthMb.toFixed(1)} MB`,
    );
    expect(alive(pid), victim.stderr.slice(-2000)).toBe(true);
    expect(conn.closed).toBe(true);
    expect(growthMb).toBeLessThan(20);
    await victim.waitFor((e) => e.type === 'pairRequestClosed' && e.requestId === request.requestId, 5000);
    expect(await victim.cli<unknown[]>(['requests'])).toEqual([]);

    // Pings: the WebSocket layer answers each with a pong; a peer that never reads them would pile
    // them up in the victim's send buffer.
    const pinger = await pending(ids[1]!, '127.0.0.2');
    await sleep(1000);
    const beforePing = rssMb(pid);
    const pingPeak = rssPeak(pid);
    pinger.ws.pause(); // never read a pong
    let pings = 0;
    const payload = Buffer.alloc(125, 0x70);
    while (pings < 400_000 && !pinger.closed && pinger.ws.readyState === pinger.ws.OPEN) {
      if (pinger.ws.bufferedAmount > 8 * MiB) {
        await sleep(10);
        continue;
      }
      pinger.ws.ping(payload);
      pings++;
      if (pings % 20_000 === 0) await sleep(0);
    }
    pinger.ws.resume();
    const pingClosedBy = Date.now() + 30_000; // only a hang
    while (!pinger.closed && Date.now() < pingClosedBy) await sleep(20);
    await sleep(500);
    const pingGrowthMb = pingPeak.stop() - beforePing;
    console.log(
      `ping flood: ${pings} pings sent (${((pings * 131) / MiB).toFixed(0)} MiB), closed: ${pinger.closed}, victim RSS peak growth ${pingGrowthMb.toFixed(1)} MB`,
    );
    expect(alive(pid)).toBe(true);
    expect(pinger.closed).toBe(true);
    expect(pingGrowthMb).toBeLessThan(20);
  });

  it('concurrent requests cannot overfill the approval queue; a real pairing still gets through; the owner sees one flood notice', async () => {
    const mark = victim.events.length;
    // Five certificates from one address at once: one may wait, the rest are refused at connect.
    const burst = await Promise.all(ids.slice(2, 7).map((id) => PairConnection.open(port, id, '127.0.0.3')));
    const outcomes = await Promise.all(burst.map(async (c) => outcomeOf((await c.handshake()).outcome)));
    console.log(`burst from one address: ${JSON.stringify(outcomes)}`);
    expect(outcomes.filter((o) => o === 'pair.pending')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'pairing-busy')).toHaveLength(4);

    // A real pairing from another address, while the attacker's request waits (its prompt seen first,
    // so that pair() picks out the friend's).
    await victim.waitFor((e) => e.type === 'pairRequestReceived', 5000, mark);
    await pair(friend, victim, `127.0.0.1:${port}`);

    // Six certificates from six addresses at once: never more than three waiting in all.
    const spread = await Promise.all(ids.slice(7, 13).map((id, i) => PairConnection.open(port, id, `127.0.0.${4 + i}`)));
    const spreadOutcomes = await Promise.all(spread.map(async (c) => outcomeOf((await c.handshake()).outcome)));
    console.log(`burst from six addresses: ${JSON.stringify(spreadOutcomes)}`);
    expect(spreadOutcomes.filter((o) => o === 'pair.pending')).toHaveLength(2);
    expect(spreadOutcomes.filter((o) => o === 'pairing-busy')).toHaveLength(4);
    expect(await victim.cli<unknown[]>(['requests'])).toHaveLength(3);

    try {
      const notice = await victim.waitFor((e) => e.type === 'pairRequestsRefused', 5000, mark);
      console.log(`flood notice: ${JSON.stringify(notice)}`);
      expect(notice.message).toMatch(/refused/);
      await sleep(500); // events arrive over the agent's stdout: let the last prompts in
      const prompts = victim.events.slice(mark).filter((e) => e.type === 'pairRequestReceived');
      expect(prompts).toHaveLength(4); // 1 + the friend + 2, not 12
      expect(victim.events.slice(mark).filter((e) => e.type === 'pairRequestsRefused')).toHaveLength(1);
    } finally {
      for (const c of [...burst, ...spread]) c.terminate();
    }
    await eventually(async () => (await victim.cli<unknown[]>(['requests'])).length === 0, 5000, 'the requests to close with their connections');
  });

  it('code grinding from 80 addresses learns at most 3 codes, then pairing pauses and the owner is told', { timeout: 60_000 }, async () => {
    const mark = victim.events.length;
    const addresses = Array.from({ length: 80 }, (_, i) => `127.0.0.${10 + i}`);
    const learned = new Set<string>();
    const refusals: Record<string, number> = {};
    let lockMessage = '';
    let attempts = 0;
    const start = Date.now();
    const queue = addresses.flatMap((a) => Array.from({ length: 5 }, () => a)); // the per-address limit
    const worker = async (identity: Identity): Promise<void> => {
      for (let from = queue.shift(); from && Date.now() - start < 4000; from = queue.shift()) {
        attempts++;
        let conn: PairConnection;
        try {
          conn = await PairConnection.open(port, identity, from);
        } catch {
          continue;
        }
        conn.hello();
        const reply = await conn.next(5000);
        if (reply.type === 'pair.nonce')
          learned.add(conn.code(reply.nonce)); // the code, before we reveal anything
        else {
          refusals[outcomeOf(reply)] = (refusals[outcomeOf(reply)] ?? 0) + 1;
          if (reply.type === 'pair.rejected' && /paused/.test(reply.message)) lockMessage = reply.message;
        }
        conn.terminate(); // quietly abort: the code did not match what we wanted
      }
    };
    await Promise.all(ids.slice(13, 21).map(worker));
    const seconds = (Date.now() - start) / 1000;
    console.log(
      `grinding: ${attempts} attempts in ${seconds.toFixed(1)} s from ${addresses.length} addresses; ` +
        `${learned.size} codes learned; refusals ${JSON.stringify(refusals)}; message: ${lockMessage}`,
    );
    expect(learned.size).toBeLessThanOrEqual(3);
    expect(lockMessage).toMatch(
      /pairing is paused for [45] minutes after repeated abandoned attempts; if this wasn't you, someone on your network may be trying to pair/,
    );

    const locked = await victim.waitFor((e) => e.type === 'pairingLocked', 5000, mark);
    console.log(`owner told: ${JSON.stringify(locked)}`);
    expect(locked.untilMs as number).toBeGreaterThan(Date.now() + 4 * 60_000);
    expect(locked.untilMs as number).toBeLessThanOrEqual(Date.now() + 5 * 60_000);
    expect(locked.reason).toMatch(/abandoned/);
    expect((await victim.cli<{ pairingLockedUntilMs: number | null }>(['status'])).pairingLockedUntilMs).toBe(locked.untilMs);

    // While paused, even a complete and honest handshake is refused with words the person can act on.
    const honest = await PairConnection.open(port, ids[21]!, '127.0.0.200');
    const { outcome } = await honest.handshake();
    expect(outcomeOf(outcome)).toBe('pairing-rate-limited');
    expect((outcome as { message: string }).message).toMatch(/paused for [45] minutes/);
    expect(victim.events.slice(mark).filter((e: AgentEvent) => e.type === 'pairRequestReceived')).toEqual([]);
    expect(alive(victim.pid!)).toBe(true);
  });
});
