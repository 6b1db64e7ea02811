// The event stream's socket comes back by itself with backoff, and says 'closed' at once.
import { describe, expect, it } from 'vitest';
import { reconnectingEvents } from '../../../renderer/src/api/reconnecting-events.js';

class FakeSocket {
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  closed = false;
  constructor(readonly url: string) {}
  close() {
    this.closed = true;
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const open = reconnectingEvents('ws://127.0.0.1:1/api/events', {
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s as unknown as WebSocket;
    },
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => undefined,
  });
  const messages: string[] = [];
  const states: string[] = [];
  const stop = open(
    (m) => messages.push(m),
    (s) => states.push(s),
  );
  return { sockets, timers, messages, states, stop };
}

describe('reconnecting event stream', () => {
  it('passes messages on and reports open', () => {
    const h = harness();
    expect(h.states).toEqual(['connecting']);
    h.sockets[0]!.onopen?.();
    h.sockets[0]!.onmessage?.({ data: '{"type":"x"}' });
    expect(h.states).toEqual(['connecting', 'open']);
    expect(h.messages).toEqual(['{"type":"x"}']);
  });

  it('reports closed on a drop and retries with a doubling delay, reset once open', () => {
    const h = harness();
    h.sockets[0]!.onclose?.();
    expect(h.states.at(-1)).toBe('closed');
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    h.timers[0]!.fn();
    h.sockets[1]!.onclose?.();
    h.timers[1]!.fn();
    h.sockets[2]!.onclose?.();
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000, 2000]);
    // Still 'closed' while retrying: the banner stays up until a socket opens.
    expect(h.states).toEqual(['connecting', 'closed']);
    h.timers[2]!.fn();
    h.sockets[3]!.onopen?.();
    expect(h.states.at(-1)).toBe('open');
    h.sockets[3]!.onclose?.();
    expect(h.timers.at(-1)!.ms).toBe(500);
  });

  it('stops for good when closed by the caller', () => {
    const h = harness();
    h.stop();
    expect(h.sockets[0]!.closed).toBe(true);
    h.sockets[0]!.onclose?.();
    expect(h.timers).toEqual([]);
  });
});
