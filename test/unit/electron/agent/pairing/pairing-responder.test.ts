import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { decode } from '@msgpack/msgpack';
import { PairingResponder, PAIR_REQUEST_TTL_MS } from '../../../../../electron/agent/pairing/pairing-responder.js';
import { commitment } from '../../../../../electron/agent/pairing/pairing-code.js';
import { encodeFrame } from '../../../../../electron/agent/transport/frame-codec.js';
import { PROTOCOL_VERSION } from '../../../../../shared/protocol/index.js';

class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  sent: { type: string; [k: string]: unknown }[] = [];
  send(bytes: Uint8Array): void {
    this.sent.push(decode(bytes) as { type: string });
  }
  close(): void {
    this.readyState = 3;
  }
  deliver(message: object): void {
    this.emit('message', Buffer.from(encodeFrame(message)), true);
  }
}

const SELF = 'a'.repeat(64);
const PEER = 'b'.repeat(64);
const tls = { exportKeyingMaterial: () => Buffer.alloc(32, 7) };

function responder() {
  const closed: string[] = [];
  const received: string[] = [];
  const r = new PairingResponder({
    selfId: SELF,
    selfName: () => 'self',
    isMember: () => false,
    joinTeam: async () => undefined,
    requestReceived: (req) => received.push(req.code),
    requestClosed: (_id, outcome) => closed.push(outcome),
  });
  return { r, closed, received };
}

async function ask(r: PairingResponder, ws: FakeSocket, nonce = '1'.repeat(64)): Promise<void> {
  const done = r.handle(ws as never, { deviceId: PEER, certPem: '' }, '10.0.0.9', tls as never);
  ws.deliver({ type: 'pair.hello', protocol: PROTOCOL_VERSION, name: 'peer', teamName: 'team', listenPort: 47800, commitment: commitment(nonce, PEER, SELF) });
  await vi.waitFor(() => expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(true));
  ws.deliver({ type: 'pair.reveal', nonce });
  await done;
}

describe('PairingResponder', () => {
  afterEach(() => vi.useRealTimers());

  it('asks the owner with a 6-digit code, and the request expires after 60 s with a clear refusal', async () => {
    vi.useFakeTimers();
    const { r, closed, received } = responder();
    const ws = new FakeSocket();
    await ask(r, ws);
    expect(received[0]).toMatch(/^\d{6}$/);
    expect(r.list()).toHaveLength(1);
    const requestId = r.list()[0]!.requestId;
    await vi.advanceTimersByTimeAsync(PAIR_REQUEST_TTL_MS + 10);
    expect(closed).toEqual(['expired']);
    expect(r.list()).toHaveLength(0);
    expect(ws.sent.find((m) => m.type === 'pair.rejected')).toMatchObject({ code: 'pairing-expired' });
    expect(() => r.reject(requestId)).toThrow(/No pairing request/);
  });

  it('refuses a reveal that does not match the commitment (a tampered handshake)', async () => {
    const { r, received } = responder();
    const ws = new FakeSocket();
    const done = r.handle(ws as never, { deviceId: PEER, certPem: '' }, '10.0.0.9', tls as never);
    ws.deliver({ type: 'pair.hello', protocol: PROTOCOL_VERSION, name: 'peer', teamName: 'team', listenPort: 47800, commitment: commitment('1'.repeat(64), PEER, SELF) });
    await vi.waitFor(() => expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(true));
    ws.deliver({ type: 'pair.reveal', nonce: '2'.repeat(64) });
    await done;
    expect(received).toEqual([]);
    expect(ws.sent.find((m) => m.type === 'pair.rejected')).toMatchObject({ code: 'pairing-code-mismatch' });
  });

  it('keeps at most three requests waiting', async () => {
    const { r } = responder();
    for (let i = 0; i < 3; i++) await ask(r, new FakeSocket(), String(i).repeat(64));
    const fourth = new FakeSocket();
    await r.handle(fourth as never, { deviceId: PEER, certPem: '' }, '10.0.0.10', tls as never);
    expect(fourth.sent[0]).toMatchObject({ type: 'pair.rejected', code: 'pairing-busy' });
  });
});
