import { afterEach, describe, expect, it, vi } from 'vitest';
import { PairingResponder, PAIR_REQUEST_TTL_MS } from '../../../../../electron/agent/pairing/pairing-responder.js';
import { commitment } from '../../../../../electron/agent/pairing/pairing-code.js';
import type { PairingLocked } from '../../../../../electron/agent/pairing/pairing-lock.js';
import type { PairRequestsRefused } from '../../../../../electron/agent/pairing/pairing-admission.js';
import { PROTOCOL_VERSION } from '../../../../../shared/protocol/index.js';
import { FakePairSocket } from './fake-pair-socket.js';

const SELF = 'a'.repeat(64);
const tls = { exportKeyingMaterial: () => Buffer.alloc(32, 7) };
const device = (i: number) => (i + 1).toString(16).padStart(64, 'b');
const NONCE = '1'.repeat(64);

function responder() {
  const closed: string[] = [];
  const received: string[] = [];
  const locked: PairingLocked[] = [];
  const floods: PairRequestsRefused[] = [];
  const r = new PairingResponder({
    selfId: SELF,
    selfName: () => 'self',
    isMember: () => false,
    joinTeam: async () => undefined,
    requestReceived: (req) => received.push(req.code),
    requestClosed: (_id, outcome) => closed.push(outcome),
    pairingLocked: (l) => locked.push(l),
    pairRequestsRefused: (n) => floods.push(n),
  });
  const slotsHeld = () => (r as unknown as { admission: { size: number } }).admission.size;
  return { r, closed, received, locked, floods, slotsHeld };
}

function connect(r: PairingResponder, peer = device(0), address = '10.0.0.9'): { ws: FakePairSocket; done: Promise<void> } {
  const ws = new FakePairSocket();
  const done = r.handle(ws as never, { deviceId: peer, certPem: '' }, address, tls as never);
  return { ws, done };
}

function hello(ws: FakePairSocket, peer = device(0), nonce = NONCE): void {
  ws.deliver({
    type: 'pair.hello',
    protocol: PROTOCOL_VERSION,
    name: 'peer',
    teamName: 'team',
    listenPort: 47800,
    commitment: commitment(nonce, peer, SELF),
  });
}

async function ask(r: PairingResponder, peer = device(0), address = '10.0.0.9'): Promise<FakePairSocket> {
  const { ws, done } = connect(r, peer, address);
  hello(ws, peer);
  await vi.waitFor(() => expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(true));
  ws.deliver({ type: 'pair.reveal', nonce: NONCE });
  await done;
  return ws;
}

/** Up to the nonce, then gone: the initiator has seen the code and walks away. */
async function abandon(r: PairingResponder, peer: string, address: string): Promise<FakePairSocket> {
  const { ws, done } = connect(r, peer, address);
  hello(ws, peer);
  await vi.waitFor(() => expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(true));
  ws.hangUp();
  await done;
  return ws;
}

describe('PairingResponder', () => {
  afterEach(() => vi.useRealTimers());

  it('asks the owner with a 6-digit code, and the request expires after 60 s with a clear refusal', async () => {
    vi.useFakeTimers();
    const { r, closed, received, slotsHeld } = responder();
    const ws = await ask(r);
    expect(received[0]).toMatch(/^\d{6}$/);
    expect(r.list()).toHaveLength(1);
    const requestId = r.list()[0]!.requestId;
    await vi.advanceTimersByTimeAsync(PAIR_REQUEST_TTL_MS + 10);
    expect(closed).toEqual(['expired']);
    expect(r.list()).toHaveLength(0);
    expect(ws.rejection()).toMatchObject({ code: 'pairing-expired' });
    expect(() => r.reject(requestId)).toThrow(/No pairing request/);
    expect(slotsHeld()).toBe(0);
  });

  it('refuses a reveal that does not match the commitment (a tampered handshake)', async () => {
    const { r, received } = responder();
    const { ws, done } = connect(r);
    hello(ws);
    await vi.waitFor(() => expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(true));
    ws.deliver({ type: 'pair.reveal', nonce: '2'.repeat(64) });
    await done;
    expect(received).toEqual([]);
    expect(ws.rejection()).toMatchObject({ code: 'pairing-code-mismatch' });
  });

  it('takes the slot at connect: of five simultaneous requests three go on, two are refused at once', async () => {
    const { r, floods } = responder();
    const conns = [0, 1, 2, 3, 4].map((i) => connect(r, device(i), `10.0.0.${i + 1}`));
    // Before any of them has said a word (no await yet), the last two are already turned away.
    expect(conns.map((c) => c.ws.rejection()?.code)).toEqual([undefined, undefined, undefined, 'pairing-busy', 'pairing-busy']);
    for (const [i, c] of conns.slice(0, 3).entries()) hello(c.ws, device(i));
    await vi.waitFor(() => expect(conns.slice(0, 3).every((c) => c.ws.sent.some((m) => m.type === 'pair.nonce'))).toBe(true));
    for (const c of conns.slice(0, 3)) c.ws.deliver({ type: 'pair.reveal', nonce: NONCE });
    await Promise.all(conns.map((c) => c.done));
    expect(r.list()).toHaveLength(3);
    expect(floods).toEqual([]); // two refusals are not a flood
  });

  it('one waiting request per address; the same device asking again replaces its older request', async () => {
    const { r, closed } = responder();
    const first = await ask(r, device(0), '10.0.0.1');
    const other = connect(r, device(1), '10.0.0.1');
    expect(other.ws.rejection()).toMatchObject({ code: 'pairing-busy' });
    const again = await ask(r, device(0), '10.0.0.2');
    expect(first.rejection()).toMatchObject({ code: 'pairing-failed', message: expect.stringMatching(/newer pairing request/) });
    expect(closed).toEqual(['cancelled']);
    expect(r.list()).toHaveLength(1);
    expect(again.sent.some((m) => m.type === 'pair.pending')).toBe(true);
  });

  it('releases the slot on every way out', async () => {
    vi.useFakeTimers();
    const { r, slotsHeld } = responder();
    /** Lets fake time run until the handler is done (closes arrive on a later turn, as in ws). */
    const settle = async (p: Promise<unknown>): Promise<void> => {
      let finished = false;
      void p.finally(() => (finished = true)).catch(() => undefined);
      for (let i = 0; !finished && i < 100; i++) await vi.advanceTimersByTimeAsync(5);
      expect(finished).toBe(true);
    };
    const ways: [string, () => Promise<void>][] = [
      [
        'no hello in time',
        async () => {
          const { done } = connect(r);
          await vi.advanceTimersByTimeAsync(10_001);
          await settle(done);
        },
      ],
      [
        'a bad frame',
        async () => {
          const { ws, done } = connect(r);
          ws.emit('message', Buffer.from([0xc1]), true);
          await settle(done);
        },
      ],
      [
        'hung up in the handshake',
        async () => {
          const { ws, done } = connect(r);
          ws.hangUp();
          await settle(done);
        },
      ],
      [
        'another protocol',
        async () => {
          const { ws, done } = connect(r);
          ws.deliver({
            type: 'pair.hello',
            protocol: PROTOCOL_VERSION + 1,
            name: 'p',
            teamName: 't',
            listenPort: 1,
            commitment: '0'.repeat(64),
          });
          await settle(done);
        },
      ],
      [
        'rejected by the owner',
        async () => {
          await ask(r);
          r.reject(r.list()[0]!.requestId);
        },
      ],
      [
        'hung up while waiting for the owner',
        async () => {
          const ws = await ask(r);
          ws.hangUp();
          await vi.advanceTimersByTimeAsync(1);
        },
      ],
      [
        'accepted, welcome came',
        async () => {
          const ws = await ask(r);
          const accepted = r.accept(r.list()[0]!.requestId);
          ws.deliver({ type: 'pair.welcome', ops: [] });
          await settle(accepted);
        },
      ],
      [
        'accepted, no welcome',
        async () => {
          await ask(r);
          const accepted = r.accept(r.list()[0]!.requestId);
          accepted.catch(() => undefined);
          await vi.advanceTimersByTimeAsync(PAIR_REQUEST_TTL_MS + 1);
          await expect(accepted).rejects.toThrow();
        },
      ],
    ];
    for (const [i, [what, run]] of ways.entries()) {
      await run();
      expect(slotsHeld(), what).toBe(0);
      await vi.advanceTimersByTimeAsync(61_000 * (i % 2)); // keep the per-address rate out of it
    }
  });

  it('while waiting for the owner, a message nobody asked for ends the request (nothing is queued)', async () => {
    const { r, closed } = responder();
    const ws = await ask(r);
    for (let i = 0; i < 10_000; i++) ws.deliver({ type: 'pair.nonce', name: 'flood', nonce: 'c'.repeat(64) });
    expect(ws.paused).toBe(true);
    expect(ws.rejection()).toMatchObject({ code: 'bad-frame' });
    await vi.waitFor(() => expect(closed).toEqual(['cancelled']));
    expect(r.list()).toEqual([]);
  });

  it('three abandoned commitments from anywhere pause pairing, tell the owner, and refuse with words', async () => {
    const { r, locked, received } = responder();
    for (let i = 0; i < 3; i++) await abandon(r, device(i), `10.0.${i}.1`);
    expect(locked).toHaveLength(1);
    expect(locked[0]!.untilMs).toBeGreaterThan(Date.now() + 4.9 * 60_000);
    expect(r.lockedUntil()).toBe(locked[0]!.untilMs);
    const { ws, done } = connect(r, device(9), '10.0.9.1');
    hello(ws, device(9));
    await done;
    expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(false);
    expect(ws.rejection()).toEqual({
      type: 'pair.rejected',
      code: 'pairing-rate-limited',
      message:
        "pairing is paused for 5 minutes after repeated abandoned attempts; if this wasn't you, someone on your network may be trying to pair",
    });
    expect(received).toEqual([]);
  });

  it('tampered reveals count as abandoned too', async () => {
    const { r, locked } = responder();
    for (let i = 0; i < 3; i++) {
      const { ws, done } = connect(r, device(i), `10.0.${i}.1`);
      hello(ws, device(i));
      await vi.waitFor(() => expect(ws.sent.some((m) => m.type === 'pair.nonce')).toBe(true));
      ws.deliver({ type: 'pair.reveal', nonce: '2'.repeat(64) });
      await done;
    }
    expect(locked).toHaveLength(1);
  });

  it('a flood of refused connections is one notice for the owner', async () => {
    const { r, floods } = responder();
    await ask(r, device(0), '10.0.0.1');
    for (let i = 1; i <= 20; i++) connect(r, device(i), '10.0.0.1');
    expect(floods).toHaveLength(1);
    expect(floods[0]!.message).toMatch(/refused in the last minute/);
  });
});
