// Owns who may start a pairing with us right now: the per-address rate limit, and the slots a
// pairing holds from the moment it connects until it ends, whichever way it ends. It also turns a
// burst of refusals into one notice for the owner instead of a prompt each.
//
// A slot is taken synchronously when the connection arrives, so the "at most 3" check and the
// taking cannot be split by an await (they once were: 5 concurrent requests all got in, and a
// real pairing then got "busy"). Per device at most one slot: a newer connection with the same
// certificate supersedes the older one (the same machine retrying; only it holds that key). Per
// address at most one: another certificate from there waits its turn.
//
//   connect --slot free--> held (handshake, waiting for the owner, waiting for the welcome) --any end--> released
//   connect --same device holds one--> the old one is ended, this one holds it
//   connect --same address, or 3 held--> refused (pairing-busy), counted toward the flood notice

import { RateLimiter } from './rate-limiter.js';

export const MAX_PAIRING_SLOTS = 3;
// Five attempts a minute per address: enough for typos and retries, too few to flood prompts.
const ATTEMPTS_PER_ADDRESS = 5;
const ATTEMPT_WINDOW_MS = 60_000;
/** More refusals than a person retrying would cause, within a minute: tell the owner, once a minute. */
const FLOOD_REFUSALS = 5;
const FLOOD_WINDOW_MS = 60_000;

export interface PairingSlot {
  readonly deviceId: string;
  /** What to do when a newer connection from the same device takes this slot over (it is released already). */
  onSuperseded: () => void;
  release(): void;
}

export interface PairRequestsRefused {
  refused: number;
  windowMs: number;
  message: string;
}

export class PairingAdmission {
  private readonly held = new Set<PairingSlot & { addressKey: string }>();
  private readonly limiter: RateLimiter;
  private refusedAtMs: number[] = [];
  private lastNoticeMs = -Infinity;

  constructor(
    private readonly onFlood: (notice: PairRequestsRefused) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.limiter = new RateLimiter(ATTEMPTS_PER_ADDRESS, ATTEMPT_WINDOW_MS, now);
  }

  get size(): number {
    return this.held.size;
  }

  /** Counts an attempt from this address; false if it is over its limit. */
  withinRate(address: string): boolean {
    return this.limiter.tryAcquire(addressKey(address));
  }

  /** A slot for this connection, or null (busy). Never awaits: check and take are one step. */
  take(deviceId: string, address: string): PairingSlot | null {
    const key = addressKey(address);
    for (const slot of this.held) {
      if (slot.deviceId !== deviceId) continue;
      slot.release();
      slot.onSuperseded();
    }
    for (const slot of this.held) if (slot.addressKey === key) return null;
    if (this.held.size >= MAX_PAIRING_SLOTS) return null;
    const slot = {
      deviceId,
      addressKey: key,
      onSuperseded: () => undefined,
      release: () => void this.held.delete(slot),
    };
    this.held.add(slot);
    return slot;
  }

  /** A connection was refused before it could ask anything (busy, rate-limited, paused). */
  refused(): void {
    const now = this.now();
    this.refusedAtMs = this.refusedAtMs.filter((t) => now - t < FLOOD_WINDOW_MS);
    this.refusedAtMs.push(now);
    const n = this.refusedAtMs.length;
    if (n < FLOOD_REFUSALS || now - this.lastNoticeMs < FLOOD_WINDOW_MS) return;
    this.lastNoticeMs = now;
    this.onFlood({
      refused: n,
      windowMs: FLOOD_WINDOW_MS,
      message:
        `${n} pairing requests were refused in the last minute: more arrived, or faster, than this machine lets wait for you. ` +
        'If nobody here is pairing a machine, someone on your network may be flooding it with requests.',
    });
  }
}

/**
 * The key an address is limited by. IPv6 hosts usually hold a whole /64 and can pick any address
 * in it, so a /64 counts as one source; IPv4 addresses count one by one.
 */
export function addressKey(address: string): string {
  const a = address.replace(/^::ffff:(?=\d+\.)/i, '').replace(/%.*$/, '');
  if (!a.includes(':')) return a;
  const [head = '', tail = ''] = a.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = a.includes('::') && tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
