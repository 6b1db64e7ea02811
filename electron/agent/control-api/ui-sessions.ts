// Owns who may use the UI in a browser: `npm start` on a machine without a display (or `troupe
// open`) prints a one-time login link; following it trades the code for a session secret that
// the answer hands to the page inside it (a meta element, ui-files.ts): never in a URL, so never in
// the browser's history (it once came in a redirect's fragment, which history kept, and which any
// page could set to replace the session). The page keeps it in its own origin's storage and sends
// it as a bearer token, like the CLI's token.
//
// Not a cookie, on purpose: browsers keep cookies apart by host, not by port, and SameSite counts
// every port of 127.0.0.1 as one site, so any other local server a page is sent to would receive
// a session cookie (the red-team's finding). Storage is scoped by origin, port included.

import { createHash, randomBytes } from 'node:crypto';

/** A login link works once, within this time. */
export const LOGIN_CODE_MS = 5 * 60_000;
/** A browser stays signed in this long (the agent forgets every session when it restarts). */
export const SESSION_MS = 30 * 24 * 3600_000;
const MAX_CODES = 16;
const MAX_SESSIONS = 32;

const digest = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export class UiSessions {
  /** By the SHA-256 of the secret: looking one up tells a timing attacker nothing about the secret. */
  private readonly codes = new Map<string, number>();
  private readonly sessions = new Map<string, number>();

  mintCode(nowMs = Date.now()): { code: string; expiresAtMs: number } {
    this.prune(nowMs);
    while (this.codes.size >= MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
    const code = randomBytes(24).toString('base64url');
    const expiresAtMs = nowMs + LOGIN_CODE_MS;
    this.codes.set(digest(code), expiresAtMs);
    return { code, expiresAtMs };
  }

  /** A new session for a valid unused code, which is then spent; null otherwise. */
  redeem(code: string, nowMs = Date.now()): string | null {
    this.prune(nowMs);
    const key = digest(code);
    if (!this.codes.has(key)) return null;
    this.codes.delete(key);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(digest(session), nowMs + SESSION_MS);
    return session;
  }

  /** Whether `secret` (as presented: bearer header or WebSocket subprotocol) is a live session. */
  isSession(secret: string, nowMs = Date.now()): boolean {
    const expires = this.sessions.get(digest(secret));
    return expires !== undefined && expires > nowMs;
  }

  private prune(nowMs: number): void {
    for (const [k, t] of this.codes) if (t <= nowMs) this.codes.delete(k);
    for (const [k, t] of this.sessions) if (t <= nowMs) this.sessions.delete(k);
  }
}
