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
const LIMITS = { maxConnections: 5, maxPerAddress: 3, headersTimeoutMs: 600 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-listener-'));
  server = await loadOrCreateIdentity(join(dir, 's'), { allowNew: true, hasTeam: false });
  member = await loadOrCreateIdentity(join(dir, 'm'), { allowNew: true, hasTeam: false });
  listener = new TlsListener(
    server,
    { isMember: (id) => id === member.deviceId, isRevoked: () => false, publicInfo: () => ({ hello: 1 }), onLink: () => undefined, onPair: () => undefined, onRoster: () => undefined, blobs: new BlobStore(join(dir, 'blobs')) },
    LIMITS,
  );
  port = await listener.listen(0, '127.0.0.1');
});
afterAll(async () => {
  await listener.close();
  await rm(dir, { recursive: true, force: true });
});

/** Raw TCP connections that never speak, from `from`; resolves with each one's fate after `waitMs`. */
async function idle(from: string, n: number, waitMs: number): Promise<{ open: number; sockets: net.Socket[] }> {
  const sockets = Array.from({ length: n }, () => {
    const s = net.connect({ host: '127.0.0.1', port, localAddress: from });
    s.on('error', () => undefined);
    return s;
  });
  await new Promise((r) => setTimeout(r, waitMs));
  return { open: sockets.filter((s) => !s.closed).length, sockets };
}
const closeAll = (sockets: net.Socket[]) => sockets.forEach((s) => s.destroy());

/** Each test starts with nothing held (the listener hears of closes a moment after the client). */
afterEach(async () => {
  for (let i = 0; i < 100 && listener.connectionCounts().total > 0; i++) await new Promise((r) => setTimeout(r, 10));
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
    const first = await idle('127.0.0.2', 6, 150);
    expect(first.open).toBe(LIMITS.maxPerAddress);
    expect(listener.connectionCounts()).toEqual({ total: 3, busiestAddress: 3 });
    expect(await info()).toBe(200); // from 127.0.0.1
    closeAll(first.sockets);
  });

  it('holds at most maxConnections from everyone together', async () => {
    const parts = await Promise.all(['127.0.0.3', '127.0.0.4', '127.0.0.5'].map((a) => idle(a, 3, 150)));
    expect(parts.reduce((n, p) => n + p.open, 0)).toBe(LIMITS.maxConnections);
    parts.forEach((p) => closeAll(p.sockets));
  });

  it('closes a connection that sends no request within the deadline, and counts it no more', async () => {
    const { sockets } = await idle('127.0.0.6', 2, 100);
    expect(sockets.every((s) => !s.closed)).toBe(true);
    await new Promise((r) => setTimeout(r, LIMITS.headersTimeoutMs + 200));
    expect(sockets.every((s) => s.closed)).toBe(true);
    expect(listener.connectionCounts().total).toBe(0);
  });

  it('a request in time is answered, on a connection of its own', async () => {
    expect(await Promise.all(Array.from({ length: LIMITS.maxPerAddress }, () => info()))).toEqual([200, 200, 200]);
    await new Promise((r) => setTimeout(r, 100));
    expect(listener.connectionCounts().total).toBe(0); // Connection: close, so the address has its share back
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
