// Owns "not too often": a sliding window of attempts per key (a remote address), so nobody on the
// network can flood an owner with pairing prompts or grind codes.

export class RateLimiter {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records an attempt; false if the key is over its limit (the attempt is not counted then). */
  tryAcquire(key: string): boolean {
    const now = this.now();
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(now);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.evict(now);
    return true;
  }

  /** A flood of spoofed keys must not grow memory without bound, nor reset the keys still counting. */
  private evict(now: number): void {
    for (const [key, times] of this.hits) if (now - times[times.length - 1]! >= this.windowMs) this.hits.delete(key);
    for (const key of this.hits.keys()) {
      if (this.hits.size <= 10_000) break;
      this.hits.delete(key); // oldest first: Map keeps insertion order
    }
  }
}
