import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../../../electron/agent/pairing/rate-limiter.js';

function fakeClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('RateLimiter', () => {
  it('allows up to the limit within the window, then refuses', () => {
    const clock = fakeClock();
    const rl = new RateLimiter(3, 60_000, clock.now);
    expect(rl.tryAcquire('10.0.0.5')).toBe(true);
    expect(rl.tryAcquire('10.0.0.5')).toBe(true);
    expect(rl.tryAcquire('10.0.0.5')).toBe(true);
    expect(rl.tryAcquire('10.0.0.5')).toBe(false);
    clock.advance(59_999);
    expect(rl.tryAcquire('10.0.0.5')).toBe(false);
  });

  it('keeps keys apart', () => {
    const rl = new RateLimiter(1, 1000, fakeClock().now);
    expect(rl.tryAcquire('a')).toBe(true);
    expect(rl.tryAcquire('a')).toBe(false);
    expect(rl.tryAcquire('b')).toBe(true);
  });

  it('slides: each attempt frees its slot one window after it was made', () => {
    const clock = fakeClock();
    const rl = new RateLimiter(2, 1000, clock.now);
    expect(rl.tryAcquire('k')).toBe(true); // t=0
    clock.advance(400);
    expect(rl.tryAcquire('k')).toBe(true); // t=400
    expect(rl.tryAcquire('k')).toBe(false);
    clock.advance(600); // t=1000: the first attempt has left the window
    expect(rl.tryAcquire('k')).toBe(true);
    expect(rl.tryAcquire('k')).toBe(false);
    clock.advance(399); // t=1399: the t=400 attempt is still in
    expect(rl.tryAcquire('k')).toBe(false);
    clock.advance(1); // t=1400
    expect(rl.tryAcquire('k')).toBe(true);
  });

  it('does not count refused attempts, so hammering does not extend the lockout', () => {
    const clock = fakeClock();
    const rl = new RateLimiter(1, 1000, clock.now);
    expect(rl.tryAcquire('k')).toBe(true);
    for (let i = 0; i < 9; i++) {
      clock.advance(100);
      expect(rl.tryAcquire('k')).toBe(false);
    }
    clock.advance(100); // t=1000
    expect(rl.tryAcquire('k')).toBe(true);
  });

  it('stays bounded under a flood of distinct keys', () => {
    const rl = new RateLimiter(1, 60_000, fakeClock().now);
    for (let i = 0; i < 12_000; i++) expect(rl.tryAcquire(`key-${i}`)).toBe(true);
    expect((rl as unknown as { hits: Map<string, number[]> }).hits.size).toBeLessThanOrEqual(10_000);
  });
});
