// Owns telling the agent how long nobody has touched this machine, for "share only when idle":
// the agent cannot see the keyboard and mouse, the desktop shell can (Electron's powerMonitor).
// Every 30 s, and at once when an agent (new or restarted) is found.

/** How often the idle time is sent; the agent's idle rule works in minutes. */
export const PRESENCE_INTERVAL_MS = 30_000;

export interface PresenceDeps {
  /** Seconds since the last keyboard or mouse input. */
  idleSeconds(): number;
  /** Sends it to the agent (setPresence); may fail while the agent is away. */
  send(idleSeconds: number): Promise<unknown>;
}

export class PresenceReporter {
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly deps: PresenceDeps,
    private readonly intervalMs = PRESENCE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.report(), this.intervalMs);
    this.report();
  }

  /** Sends now, out of turn: an agent just appeared and knows nothing yet. */
  report(): void {
    const seconds = Math.max(0, Math.floor(this.deps.idleSeconds()));
    // A missed report is made up 30 s later; the agent treats a stale one as not idle.
    this.deps.send(seconds).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
