// When a link counts as silent: a peer that stops sending is dropped, but a receiver whose own event
// loop was held up (a busy machine, a long synchronous step) does not drop peers whose heartbeats
// are waiting unread in its sockets. The socket is a stand-in; the clock and timers are vitest's.

import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeFrame } from '../../../../../electron/agent/transport/frame-codec.js';
import { LinkManager } from '../../../../../electron/agent/transport/link-manager.js';
import type { Identity } from '../../../../../electron/agent/identity/identity-store.js';
import { HEARTBEAT_TIMEOUT_MS, PROTOCOL_MINOR, PROTOCOL_VERSION, type LinkMessage } from '../../../../../shared/protocol/index.js';
import type { Capacity } from '../../../../../shared/model/index.js';

const PEER = 'b'.repeat(64);
const CAPACITY: Capacity = { cores: 2, freeCores: 2, memoryBytes: 8e9, freeMemoryBytes: 4e9, load: 0, sharing: { mode: 'on', coreCap: null } };

/** The socket an accepted link reads from: the test puts the peer's frames in it. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  send(): void {}
  close(): void {
    this.terminate();
  }
  terminate(): void {
    this.readyState = 3; // a real socket says 'close' later; the link has already said why it ended
  }
  /** A frame from the peer arrives. */
  frame(message: LinkMessage): void {
    this.emit('message', Buffer.from(encodeFrame(message)), true);
  }
}

const hello: LinkMessage = { type: 'hello', protocol: PROTOCOL_VERSION, minor: PROTOCOL_MINOR, features: [], name: 'beta', listenPort: 47800, capacity: CAPACITY, roster: null };
let seq = 0;
const heartbeat = (): LinkMessage => ({ type: 'heartbeat', seq: seq++, sentAtMs: Date.now(), capacity: CAPACITY, name: 'beta', hasWork: false, roster: null });

describe('link liveness', () => {
  let links: LinkManager;
  let socket: FakeSocket;
  let offline: string[];

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout', 'Date'] });
    links = new LinkManager({
      identity: { deviceId: 'a'.repeat(64) } as Identity,
      listenPort: () => 47800,
      selfName: () => 'alpha',
      capacity: () => CAPACITY,
      hasWork: () => false,
      leasesHeld: () => [],
      teammates: () => [PEER],
      addressesOf: () => [], // never dials: the peer's link is the accepted one
      rosterHeads: () => null,
      log: () => undefined,
    });
    offline = [];
    links.on('offline', (_id, reason) => offline.push(reason));
    socket = new FakeSocket();
    links.accept(socket as unknown as WebSocket, PEER, '10.0.0.2');
    socket.frame(hello);
    expect(links.state(PEER)?.online).toBe(true);
  });

  afterEach(async () => {
    await links.close();
    vi.useRealTimers();
  });

  it('a peer silent for longer than the timeout is offline', () => {
    vi.advanceTimersByTime(HEARTBEAT_TIMEOUT_MS + 300);
    expect(links.state(PEER)?.online).toBe(false);
    expect(offline).toEqual([`no heartbeat for ${HEARTBEAT_TIMEOUT_MS / 1000} s`]);
  });

  it('a peer heartbeating every second stays online', () => {
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(1000);
      socket.frame(heartbeat());
    }
    expect(links.state(PEER)?.online).toBe(true);
  });

  it('our own event loop held up for 3 s does not drop a peer whose heartbeats wait unread in the socket', () => {
    vi.advanceTimersByTime(500);
    socket.frame(heartbeat());
    // Nothing of ours ran for 3 s: the clock moved, no timer fired, no socket was read.
    vi.setSystemTime(Date.now() + 3000);
    // The overdue check fires first, as timers do in Node's event loop; then the socket is read.
    vi.advanceTimersByTime(100);
    socket.frame(heartbeat());
    vi.advanceTimersByTime(300);
    expect(offline).toEqual([]);
    expect(links.state(PEER)?.online).toBe(true);
    // Silence after the stall is still noticed.
    vi.advanceTimersByTime(HEARTBEAT_TIMEOUT_MS + 300);
    expect(links.state(PEER)?.online).toBe(false);
  });

  it('a loop that is late at every check still drops a silent peer: no two checks in a row are skipped', () => {
    for (let i = 0; i < 10 && links.state(PEER)?.online; i++) {
      vi.setSystemTime(Date.now() + 1000); // held up a second before each check
      vi.advanceTimersByTime(100);
    }
    expect(links.state(PEER)?.online).toBe(false);
  });
});
