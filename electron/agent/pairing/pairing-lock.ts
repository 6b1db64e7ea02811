// Owns the brake on code grinding. The initiator learns the code the moment we send our nonce,
// before it reveals its own, so one that then walks away has seen a code and risked nothing: a
// man in the middle could repeat that until our code equals the one the other screen shows. So
// every abandoned commitment (our nonce sent, no valid reveal) counts, for all sources together
// (addresses are cheap on a LAN: a review learned 395 codes in 4 s from 80 loopback addresses),
// and a few of them pause pairing for a while and tell the owner.
//
//   idle --nonce sent--> outstanding --valid reveal--> (not counted)
//                            |--closed / timed out / bad frame / wrong reveal--> abandoned
//   3rd abandoned within 10 min --> locked 5 min (pairingLocked; count cleared) --> idle
//
// The bound. A man in the middle M must make our code equal the initiator's. The initiator
// commits first, so M cannot pick that code; it is fixed once the initiator reveals and stays on
// its screen at most 60 s, plus the 10 s M may stall before its nonce. Each session M opens to us
// shows it a fresh code, equal with probability p <= 4295 / 2^32 < 1.0000071e-6 (a uint32 mod
// 10^6); M reveals only on a match. A nonce goes out only while abandoned + outstanding < 3, and
// the 3rd abandoned locks for 5 min, longer than those 70 s. So M sees at most 3 codes per
// pairing it intercepts: P(success) <= 3p < 3.0000213e-6, about 1 in 333,000, and the failures
// leave the lock and the owner's notice behind. Over time: at most 3 codes per 5 min lock, 36 an
// hour (before: about 356,000 an hour from 80 addresses).
//
// Why 3 in 10 min and 5 min: our own initiator reveals within one round trip of the nonce,
// with no person in between, so an honest abandonment needs a crash or a dropped link at that
// very moment; three in ten minutes is an attack or a broken network. Five minutes is longer
// than any single pairing's window (so the bound above holds) and short enough that an owner
// who reads the notice and retries is not kept waiting for long.

export interface PairingLockLimits {
  abandonedLimit: number;
  windowMs: number;
  lockMs: number;
}

export const PAIRING_LOCK_LIMITS: PairingLockLimits = { abandonedLimit: 3, windowMs: 10 * 60_000, lockMs: 5 * 60_000 };

export interface PairingLocked {
  untilMs: number;
  abandoned: number;
  reason: string;
}

/** One nonce we sent; settle it exactly once (later calls do nothing). */
export interface Commitment {
  revealed(): void;
  abandoned(): void;
}

export class PairingLock {
  private abandonedAtMs: number[] = [];
  private outstanding = 0;
  private lockedUntilMs = 0;

  constructor(
    private readonly onLocked: (locked: PairingLocked) => void,
    private readonly now: () => number = Date.now,
    private readonly limits: PairingLockLimits = PAIRING_LOCK_LIMITS,
  ) {}

  /** When pairing opens again, or null if it is open. */
  lockedUntil(): number | null {
    return this.lockedUntilMs > this.now() ? this.lockedUntilMs : null;
  }

  /** The words a refused initiator sees while pairing is paused; null when it is not. */
  refusal(): string | null {
    const until = this.lockedUntil();
    if (until === null) return null;
    const minutes = Math.max(1, Math.ceil((until - this.now()) / 60_000));
    return (
      `pairing is paused for ${minutes} minute${minutes === 1 ? '' : 's'} after repeated abandoned attempts; ` +
      "if this wasn't you, someone on your network may be trying to pair"
    );
  }

  /** Asked just before we send our nonce (the moment the initiator can know the code); null: not now. */
  open(): Commitment | null {
    if (this.lockedUntil() !== null) return null;
    if (this.recentAbandoned() + this.outstanding >= this.limits.abandonedLimit) return null;
    this.outstanding++;
    let settled = false;
    const settle = (abandoned: boolean): void => {
      if (settled) return;
      settled = true;
      this.outstanding--;
      if (abandoned) this.abandon();
    };
    return { revealed: () => settle(false), abandoned: () => settle(true) };
  }

  private abandon(): void {
    const now = this.now();
    this.abandonedAtMs.push(now);
    const count = this.recentAbandoned();
    if (count < this.limits.abandonedLimit) return;
    // The lock pays for these: after it, a grinder starts from zero and buys the next lock with 3 more.
    this.abandonedAtMs = [];
    this.lockedUntilMs = now + this.limits.lockMs;
    const minutes = Math.round(this.limits.lockMs / 60_000);
    this.onLocked({
      untilMs: this.lockedUntilMs,
      abandoned: count,
      reason:
        `${count} pairing attempts in the last ${Math.round(this.limits.windowMs / 60_000)} minutes were abandoned after this machine ` +
        `sent its half of the code; pairing is paused for ${minutes} minutes. If this wasn't you, someone on your network may be trying to pair.`,
    });
  }

  private recentAbandoned(): number {
    const now = this.now();
    this.abandonedAtMs = this.abandonedAtMs.filter((t) => now - t < this.limits.windowMs);
    return this.abandonedAtMs.length;
  }
}
