// Owns how long to wait before trying again after a failure: doubling from a first delay up to
// a cap, so a crash loop costs little and a one-off failure is retried at once.

export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
}

export const AGENT_RESTART_BACKOFF: BackoffOptions = { firstMs: 1000, maxMs: 60_000 };

/** The delay before attempt `failures` + 1 (0 failures so far: the first delay). */
export function restartDelayMs(failures: number, options: BackoffOptions = AGENT_RESTART_BACKOFF): number {
  const n = Math.max(0, Math.min(30, Math.floor(failures)));
  return Math.min(options.maxMs, options.firstMs * 2 ** n);
}
