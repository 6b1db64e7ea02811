import { afterEach, describe, expect, it, vi } from 'vitest';
import { PairingChannel } from '../../../../../electron/agent/pairing/pairing-channel.js';
import { FakePairSocket } from './fake-pair-socket.js';

const nonce = { type: 'pair.nonce', name: 'peer', nonce: 'a'.repeat(64) };
const tick = () => new Promise((r) => setImmediate(r));

describe('PairingChannel', () => {
  afterEach(() => vi.useRealTimers());

  it('delivers the awaited message', async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    const next = channel.next('pair.nonce', 1000);
    ws.deliver(nonce);
    await expect(next).resolves.toMatchObject({ type: 'pair.nonce' });
  });

  it('keeps nothing: a message nobody awaits ends the pairing, and what follows is not read', async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    ws.deliver(nonce);
    await tick();
    expect(ws.rejection()).toMatchObject({ code: 'bad-frame' });
    for (let i = 0; i < 1000; i++) ws.deliver(nonce);
    expect(ws.paused).toBe(true);
    expect(ws.sent.filter((m) => m.type === 'pair.rejected')).toHaveLength(1);
    await expect(channel.next('pair.nonce', 1000)).rejects.toThrow();
    await vi.waitFor(() => expect(ws.terminated).toBe(true)); // it kept talking: cut, not a polite close
  });

  it('holds one message for the rest of the turn (two frames in one read, the await comes in a microtask)', async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    const both = (async () => {
      const pending = await channel.next('pair.pending', 1000);
      const approved = await channel.next('pair.approved', 1000);
      return [pending.type, approved.type];
    })();
    ws.deliver({ type: 'pair.pending', requestId: 'r1', expiresInMs: 60_000 });
    ws.deliver({ type: 'pair.approved' }); // synchronously after the first, as ws does for one chunk
    await expect(both).resolves.toEqual(['pair.pending', 'pair.approved']);
    expect(ws.rejection()).toBeUndefined();
  });

  it('a second message while one is held ends it at once', () => {
    const ws = new FakePairSocket();
    new PairingChannel(ws as never);
    ws.deliver(nonce);
    ws.deliver(nonce);
    expect(ws.rejection()).toMatchObject({ code: 'bad-frame' });
  });

  it("the peer's refusal while nothing is awaited ends the pairing quietly, with the peer's code", async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    ws.deliver({ type: 'pair.rejected', code: 'pairing-rejected', message: 'declined' });
    await tick();
    expect(ws.rejection()).toBeUndefined(); // no answer to a goodbye
    await expect(channel.next('pair.welcome', 1000)).rejects.toMatchObject({ code: 'pairing-rejected' });
  });

  it('a wrong type or an undecodable frame is refused as bad-frame and stops reading', async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    const next = channel.next('pair.reveal', 1000);
    ws.deliver(nonce);
    await expect(next).rejects.toThrow(/pair.nonce where pair.reveal belongs/);
    expect(ws.rejection()).toMatchObject({ code: 'bad-frame' });

    const ws2 = new FakePairSocket();
    new PairingChannel(ws2 as never);
    ws2.emit('message', Buffer.from([0xc1, 0xc1]), true);
    expect(ws2.rejection()).toMatchObject({ code: 'bad-frame' });
    expect(ws2.paused).toBe(true);
  });

  it('a stream of pings ends the pairing (ws answers each one, and a peer that never reads them fills our send buffer)', () => {
    const ws = new FakePairSocket();
    new PairingChannel(ws as never);
    for (let i = 0; i < 8; i++) ws.emit('ping', Buffer.alloc(0));
    expect(ws.rejection()).toBeUndefined();
    ws.emit('ping', Buffer.alloc(0));
    expect(ws.rejection()).toMatchObject({ code: 'bad-frame' });
    expect(ws.paused).toBe(true);
  });

  it('a refusal is sent once, and the socket is gone soon after even if the peer never finishes the close', async () => {
    vi.useFakeTimers();
    const ws = new FakePairSocket();
    ws.close = () => undefined; // a peer that never answers the close handshake
    const channel = new PairingChannel(ws as never);
    const waiting = channel.next('pair.hello', 60_000);
    waiting.catch(() => undefined);
    channel.refuse('pairing-busy', 'busy');
    channel.refuse('pairing-busy', 'busy again');
    await expect(waiting).rejects.toMatchObject({ code: 'pairing-busy' }); // at once, not at its timeout
    expect(ws.sent.filter((m) => m.type === 'pair.rejected')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2300);
    expect(ws.terminated).toBe(true);
  });

  it('collects a roster sent in several pair.welcome frames, however they are grouped in reads', async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    const batches: number[] = [];
    const done = channel.collect('pair.welcome', 1000, (m) => {
      batches.push(m.ops.length);
      return m.more;
    });
    for (let i = 0; i < 5; i++) ws.deliver({ type: 'pair.welcome', ops: [], more: i < 4 }); // one read: five frames
    await expect(done).resolves.toBeUndefined();
    expect(batches).toEqual([0, 0, 0, 0, 0]);
    expect(ws.rejection()).toBeUndefined();
  });

  it('a collect ends with the peer\'s refusal, or with bad-frame for anything else', async () => {
    const ws = new FakePairSocket();
    const channel = new PairingChannel(ws as never);
    const done = channel.collect('pair.welcome', 1000, () => true);
    ws.deliver({ type: 'pair.welcome', ops: [], more: true });
    ws.deliver(nonce);
    await expect(done).rejects.toThrow(/pair.nonce/);
    expect(ws.rejection()).toMatchObject({ code: 'bad-frame' });
  });
});
