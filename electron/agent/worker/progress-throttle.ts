// Owns how often a running task's progress is told: an engine may report every row or every
// physics step, a coordinator (and every app and CLI following the job) needs a few a second.
// The first report goes at once, then at most one per interval, always the newest.

/** A running task's progress reaches its coordinator at most this often. */
export const PROGRESS_INTERVAL_MS = 500;

export class ProgressThrottle {
  private lastSentAtMs = -Infinity;
  private pending: { done: number; total: number } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly send: (done: number, total: number) => void,
    private readonly intervalMs = PROGRESS_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  report(done: number, total: number): void {
    if (this.stopped || !Number.isFinite(done) || !Number.isFinite(total) || total < 1) return;
    this.pending = { done: Math.max(0, Math.min(Math.floor(done), Math.floor(total))), total: Math.floor(total) };
    const wait = this.lastSentAtMs + this.intervalMs - this.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  /** The task ended: nothing more is told (its result says the rest). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private flush(): void {
    this.timer = null;
    if (!this.pending) return;
    this.lastSentAtMs = this.now();
    const { done, total } = this.pending;
    this.pending = null;
    this.send(done, total);
  }
}
