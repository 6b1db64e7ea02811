// Owns the Blender sessions a worker keeps between tasks: one per job (its .blend loaded and its
// paths remapped once), reused while the job's tasks keep coming, quit once none came for a
// while, and never more than a few at once, so a worker that helps several coordinators does not
// fill its memory with Blenders.

import type { BlenderSession } from './blender-session.js';

/** A job whose tasks stopped coming for this long has moved on (done, or elsewhere): its Blender goes. */
export const SESSION_IDLE_MS = 60_000;
/** Blenders kept at once; the least recently used goes first. */
const MAX_SESSIONS = 2;

interface Kept {
  session: Promise<BlenderSession>;
  timer: NodeJS.Timeout | null;
  usedAt: number;
}

export class BlenderSessionPool {
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly idleMs = SESSION_IDLE_MS,
    private readonly maxSessions = MAX_SESSIONS,
  ) {}

  /** The job's live session, or a new one from `start` (which loads the file and remaps its paths). */
  async acquire(jobKey: string, start: () => Promise<BlenderSession>): Promise<BlenderSession> {
    const kept = this.kept.get(jobKey);
    if (kept) {
      if (kept.timer) clearTimeout(kept.timer);
      kept.timer = null;
      kept.usedAt = Date.now();
      const session = await kept.session.catch(() => null);
      if (session?.alive) return session;
      this.kept.delete(jobKey); // crashed, killed or never started: start again
    }
    await this.makeRoom();
    const entry: Kept = { session: start(), timer: null, usedAt: Date.now() };
    this.kept.set(jobKey, entry);
    try {
      return await entry.session;
    } catch (err) {
      if (this.kept.get(jobKey) === entry) this.kept.delete(jobKey);
      throw err;
    }
  }

  /** The task is over: the session waits for the job's next task, for a while. */
  release(jobKey: string): void {
    const kept = this.kept.get(jobKey);
    if (!kept) return;
    if (kept.timer) clearTimeout(kept.timer);
    kept.timer = setTimeout(() => void this.drop(jobKey), this.idleMs);
    kept.timer.unref();
  }

  /** Ends the job's session now (its scene changed, as after a bake). */
  async drop(jobKey: string): Promise<void> {
    const kept = this.kept.get(jobKey);
    if (!kept) return;
    this.kept.delete(jobKey);
    if (kept.timer) clearTimeout(kept.timer);
    const session = await kept.session.catch(() => null);
    await session?.quit();
  }

  /** Job keys with a session, for tests and status. */
  jobs(): string[] {
    return [...this.kept.keys()];
  }

  async close(): Promise<void> {
    await Promise.all([...this.kept.keys()].map((key) => this.drop(key)));
  }

  private async makeRoom(): Promise<void> {
    while (this.kept.size >= this.maxSessions) {
      const idle = [...this.kept.entries()].filter(([, k]) => k.timer !== null).sort((a, b) => a[1].usedAt - b[1].usedAt);
      if (idle.length === 0) return; // every session is busy: the work loop runs one task at a time, so this is brief
      await this.drop(idle[0]![0]);
    }
  }
}
