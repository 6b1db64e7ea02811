// The local control API and pairing refusals, against real agents in this process: real HTTP on
// 127.0.0.1, real TLS between the agents, mDNS bound to loopback.

import { mkdtempSync, rmSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../electron/agent/agent.js';
import type { ControlEvent, Pairing } from '../../shared/control-api/index.js';

const root = mkdtempSync(join(os.tmpdir(), 'troupe-control-'));
const config = (name: string) => ({ dataDir: join(root, name), name, port: 0, controlPort: 0, interfaceAddress: '127.0.0.1', newIdentity: false });
let a: Agent, b: Agent;
let token: string;

async function call(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${a.controlPort}${path}`, init);
  return { status: res.status, body: await res.json() };
}
const auth = () => ({ authorization: `Bearer ${token}` });

describe('local control API', () => {
  beforeAll(async () => {
    a = await Agent.start(config('alpha'));
    b = await Agent.start(config('beta'));
    token = readFileSync(join(root, 'alpha', 'control-token'), 'utf8').trim();
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps its token file readable by the owner only', () => {
    const mode = statSync(join(root, 'alpha', 'control-token')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('refuses requests without the token (401), for another host (403) or from a foreign origin (403)', async () => {
    expect((await call('/api/status')).status).toBe(401);
    expect((await call('/api/status', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    const foreign = await call('/api/status', { headers: { ...auth(), origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.code).toBe('forbidden-origin');
    const ok = await call('/api/status', { headers: auth() });
    expect(ok.status).toBe(200);
    expect(ok.body.deviceId).toBe(a.identity.deviceId);
  });

  it('refuses a rebinding attack: the Host header must be ours', async () => {
    const http = await import('node:http');
    const status = await new Promise<number>((resolve) =>
      http.get({ host: '127.0.0.1', port: a.controlPort, path: '/api/status', headers: { ...auth(), host: 'attacker.example:80' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      }),
    );
    expect(status).toBe(403);
  });

  it('streams events only to a client with the token', async () => {
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${a.controlPort}/api/events`);
      ws.on('unexpected-response', (_q, res) => resolve(String(res.statusCode)));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('error'));
    });
    expect(refused).toBe('401');
    const ws = new WebSocket(`ws://127.0.0.1:${a.controlPort}/api/events`, [`troupe-token.${token}`]);
    await new Promise((r) => ws.on('open', r));
    const next = new Promise<ControlEvent>((r) => ws.once('message', (d) => r(JSON.parse(String(d)))));
    await call('/api/sharing', { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify({ mode: 'idle', coreCap: 1 }) });
    const event = await next;
    expect(event.type).toBe('statusChanged');
    ws.close();
  });

  it('answers bad bodies with a clear 400', async () => {
    const r = await call('/api/sharing', { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: '{"mode":"sometimes"}' });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/mode/);
  });

  it('a declined pairing reports "rejected" on the machine that asked', async () => {
    const requested = new Promise<string>((r) => b.control.subscribe((e) => e.type === 'pairRequestReceived' && r(e.request.requestId)));
    const done = new Promise<Pairing>((r) => a.control.subscribe((e) => e.type === 'pairingChanged' && r(e.pairing)));
    await a.control.startPairing(`127.0.0.1:${b.listenPort}`);
    b.control.rejectRequest(await requested);
    const outcome = await done;
    expect(outcome.state).toBe('rejected');
    expect(outcome.error?.message).toMatch(/declined/);
    expect(a.control.team()).toBeNull();
  });

  it('the machine that asked must confirm the code too: declining there pairs nothing, even after approval', async () => {
    const requested = new Promise<string>((r) => b.control.subscribe((e) => e.type === 'pairRequestReceived' && r(e.request.requestId)));
    const pairing = await a.control.startPairing(`127.0.0.1:${b.listenPort}`);
    const approval = b.control.acceptRequest(await requested);
    approval.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 200)); // B has approved; A still has the say
    expect(a.control.pairing(pairing.pairingId)!.state).toBe('awaiting-approval');
    a.control.declinePairing(pairing.pairingId);
    await expect(approval).rejects.toThrow(/declined/);
    expect(a.control.team()).toBeNull();
    expect(b.control.team()).toBeNull();
  });

  it('a decline still counts after a confirm, until the other machine is admitted', async () => {
    const requested = new Promise<string>((r) => b.control.subscribe((e) => e.type === 'pairRequestReceived' && r(e.request.requestId)));
    const done = new Promise<Pairing>((r) => a.control.subscribe((e) => e.type === 'pairingChanged' && r(e.pairing)));
    const pairing = await a.control.startPairing(`127.0.0.1:${b.listenPort}`);
    await requested;
    a.control.confirmPairing(pairing.pairingId);
    a.control.declinePairing(pairing.pairingId);
    expect((await done).state).toBe('rejected');
    expect(a.control.team()).toBeNull();
  });

  it('rate-limits repeated pairing attempts from one address', async () => {
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      try {
        await a.control.startPairing(`127.0.0.1:${b.listenPort}`);
        results.push('started');
      } catch (err) {
        results.push((err as { code: string }).code);
      }
    }
    for (const r of b.control.pairRequests()) b.control.rejectRequest(r.requestId);
    expect(results).toContain('pairing-rate-limited');
  });
});
