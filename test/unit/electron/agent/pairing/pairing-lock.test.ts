import { describe, expect, it } from 'vitest';
import { PairingLock, type PairingLocked } from '../../../../../electron/agent/pairing/pairing-lock.js';

const MIN = 60_000;

function lockWithClock() {
  let t = 1_000_000;
  const events: PairingLocked[] = [];
  const lock = new PairingLock(
    (l) => events.push(l),
    () => t,
  );
  return { lock, events, advance: (ms: number) => void (t += ms), now: () => t };
}

describe('PairingLock', () => {
  it('honest reveals never count', () => {
    const { lock, events } = lockWithClock();
    for (let i = 0; i < 100; i++) lock.open()!.revealed();
    expect(events).toEqual([]);
    expect(lock.lockedUntil()).toBeNull();
  });

  it('the third abandoned commitment in 10 minutes pauses pairing for 5 minutes and says so', () => {
    const { lock, events, advance, now } = lockWithClock();
    lock.open()!.abandoned();
    advance(4 * MIN);
    lock.open()!.abandoned();
    advance(4 * MIN);
    expect(lock.refusal()).toBeNull();
    lock.open()!.abandoned();
    expect(events).toHaveLength(1);
    expect(events[0]!.untilMs).toBe(now() + 5 * MIN);
    expect(events[0]!.reason).toMatch(/3 pairing attempts in the last 10 minutes were abandoned/);
    expect(lock.open()).toBeNull();
    expect(lock.refusal()).toBe(
      "pairing is paused for 5 minutes after repeated abandoned attempts; if this wasn't you, someone on your network may be trying to pair",
    );
    advance(4 * MIN + 30_000);
    expect(lock.refusal()).toMatch(/paused for 1 minute after/);
    advance(30_000);
    expect(lock.lockedUntil()).toBeNull();
    expect(lock.open()).not.toBeNull();
  });

  it('abandonments older than 10 minutes are forgotten', () => {
    const { lock, events, advance } = lockWithClock();
    lock.open()!.abandoned();
    lock.open()!.abandoned();
    advance(10 * MIN);
    lock.open()!.abandoned();
    lock.open()!.abandoned();
    expect(events).toEqual([]);
  });

  it('counts nonces still out: no more than 3 unrevealed at once, even before any is abandoned', () => {
    const { lock } = lockWithClock();
    const out = [lock.open(), lock.open(), lock.open()];
    expect(out.every(Boolean)).toBe(true);
    expect(lock.open()).toBeNull();
    out[0]!.revealed();
    expect(lock.open()).not.toBeNull();
  });

  it('settles a commitment once', () => {
    const { lock, events } = lockWithClock();
    const c = lock.open()!;
    c.revealed();
    c.abandoned();
    c.abandoned();
    lock.open()!.abandoned();
    lock.open()!.abandoned();
    expect(events).toEqual([]);
  });

  it('bounds a grinder: at most 3 codes while one intercepted code is on screen (70 s), 39 in any hour', () => {
    const { lock, advance, now } = lockWithClock();
    const seenAt: number[] = [];
    const start = now();
    // The greediest grinder: every 100 ms, open as many sessions as we allow and abandon them all.
    while (now() - start < 3 * 60 * MIN) {
      const open = [];
      for (let c = lock.open(); c; c = lock.open()) {
        seenAt.push(now());
        open.push(c);
      }
      for (const c of open) c.abandoned();
      advance(100);
    }
    const most = (spanMs: number) => Math.max(...seenAt.map((t0) => seenAt.filter((t) => t >= t0 && t < t0 + spanMs).length));
    expect(most(70_000)).toBe(3);
    expect(most(60 * MIN)).toBeLessThanOrEqual(39);
    console.log(`grinder: ${most(60 * MIN)} codes in the worst hour, ${most(70_000)} in the worst 70 s (before: ~356,000 an hour)`);
  });
});
