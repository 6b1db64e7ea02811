// The listener's connection budget on real loopback sockets, with small limits: what one address
// and everyone together may hold, and for how long without a request.

import { mkdtemp, rm } from 'node:fs/promises';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../../../../../electron/agent/identity/identity-store.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';
import { addressKey, TlsListener } from '../../../../../electron/agent/transport/tls-listener.js';

let dir: string;
let server: Identity, member: Identity;
let listener: TlsListener;
let port: number;
/**
 * Small budgets, and a header deadline long enough that no connection reaches it while a budget is
 * counted, however busy the machine (the deadline has a listener of its own, below).
 */
const LIMITS = { maxConnections: 5, maxPerAddress: 3, headersTimeoutMs: 60_000 };
const SHORT_DEADLINE_MS = 600;

function listenerWith(limits: typeof LIMITS): TlsListener {
  return new TlsListener(
    server,
    { isMember: (id) => id === member.deviceId, isRevoked: () => false, publicInfo: () => ({ hello: 1 }), onLink: () => undefined, onPair: () => undefined, onRoster: () => undefined, blobs: new BlobStore(join(dir, 'blobs')) },
    limits,
  );
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-listener-'));
  server = await loadOrCreateIdentity(join(dir, 's'), { allowNew: true, hasTeam: false });
  member = await loadOrCreateIdentity(join(dir, 'm'), { allowNew: true, hasTeam: false });
  listener = listenerWith(LIMITS);
  port = await listener.listen(0, '127.0.0.1');
});

/** Polls until `check` holds; the deadline only catches a hang. */
async function until(check: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
afterAll(async () => {
  await listener.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Raw TCP connections that never speak, `n` from each address, once the listener has taken each one
 * in: kept (counted) or closed (and the client has heard so). Resolves with how many stay open from each.
 */
async function idle(froms: string[], n: number): Promise<{ open: number[]; sockets: net.Socket[] }> {
  const groups = froms.map((from) =>
    Array.from({ length: n }, () => {
      const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
      s.on('error', () => undefined);
      return s;
    }),
  );
  const sockets = groups.flat();
  const open = () => sockets.filter((s) => !s.closed).length;
  await until(() => sockets.every((s) => !s.connecting) && open() === listener.connectionCounts().total, `the listener to take in the connections from ${froms.join(', ')}`);
  return { open: groups.map((g) => g.filter((s) => !s.closed).length), sockets };
}
const closeAll = (sockets: net.Socket[]) => sockets.forEach((s) => s.destroy());

/** Each test starts with nothing held (the listener hears of closes a moment after the client). */
afterEach(async () => {
  await until(() => listener.connectionCounts().total === 0, 'the listener to hear of the closes');
});

function info(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/info', cert: member.certPem, key: member.keyPem, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

describe('TlsListener connection budget', () => {
  it('holds at most maxPerAddress from one address and closes the rest at once; another address still gets in', async () => {
    const first = await idle(['127.0.0.2'], 6);
    expect(first.open).toEqual([LIMITS.maxPerAddress]);
    expect(listener.connectionCounts()).toEqual({ total: 3, busiestAddress: 3 });
    expect(await info()).toBe(200); // from 127.0.0.1
    closeAll(first.sockets);
  });

  it('holds at most maxConnections from everyone together', async () => {
    const all = await idle(['127.0.0.3', '127.0.0.4', '127.0.0.5'], 3);
    expect(all.open.reduce((n, x) => n + x, 0)).toBe(LIMITS.maxConnections);
    closeAll(all.sockets);
  });

  it('closes a connection that sends no request within the deadline, never before it, and counts it no more', async () => {
    const short = listenerWith({ ...LIMITS, headersTimeoutMs: SHORT_DEADLINE_MS });
    const shortPort = await short.listen(0, '127.0.0.1');
    try {
      const openedAt = Date.now();
      const closedAt: number[] = [];
      const sockets = Array.from({ length: 2 }, () => {
        const s = net.connect({ host: '127.0.0.1', port: shortPort, localAddress: '127.0.0.6' });
        s.on('error', () => undefined);
        s.on('close', () => closedAt.push(Date.now()));
        return s;
      });
      await until(() => closedAt.length === 2, 'the deadline to close both');
      // A busy machine closes them later, never sooner.
      for (const t of closedAt) expect(t - openedAt).toBeGreaterThanOrEqual(SHORT_DEADLINE_MS - 50);
      expect(sockets.every((s) => s.closed)).toBe(true);
      await until(() => short.connectionCounts().total === 0, 'the listener to count them no more');
    } finally {
      await short.close();
    }
  });

  it('a request in time is answered, on a connection of its own', async () => {
    expect(await Promise.all(Array.from({ length: LIMITS.maxPerAddress }, () => info()))).toEqual([200, 200, 200]);
    // Connection: close, so the address has its share back.
    await until(() => listener.connectionCounts().total === 0, 'the answered connections to be closed');
    expect(await info()).toBe(200);
  });
});

describe('addressKey', () => {
  it('counts IPv4 addresses one by one and IPv6 by /64', () => {
    expect(addressKey('10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('::ffff:10.0.0.7')).toBe('10.0.0.7');
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:0db8:0001:0002:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
