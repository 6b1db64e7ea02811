// Owns who may use the UI in a browser: `npm start` on a machine without a display (or `troupe
// open`) prints a one-time login link; following it trades the code for a session cookie
// (HttpOnly, SameSite=Strict), so the token never sits in a URL that stays in history, and no other
// site's page can ride on the session.

import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

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

  constructor(private readonly port: () => number) {}

  /** Cookies are not kept apart by port: two agents on one machine each name their own. */
  get cookieName(): string {
    return `troupe_session_${this.port()}`;
  }

  mintCode(nowMs = Date.now()): { code: string; expiresAtMs: number } {
    this.prune(nowMs);
    while (this.codes.size >= MAX_CODES) this.codes.delete(this.codes.keys().next().value!);
    const code = randomBytes(24).toString('base64url');
    const expiresAtMs = nowMs + LOGIN_CODE_MS;
    this.codes.set(digest(code), expiresAtMs);
    return { code, expiresAtMs };
  }

  /** A new session for a valid unused code, which is then spent; null otherwise. */
  redeem(code: string, nowMs = Date.now()): { session: string; maxAgeSeconds: number } | null {
    this.prune(nowMs);
    const key = digest(code);
    if (!this.codes.has(key)) return null;
    this.codes.delete(key);
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(digest(session), nowMs + SESSION_MS);
    return { session, maxAgeSeconds: SESSION_MS / 1000 };
  }

  /** Whether the request carries a live session cookie of this agent. */
  hasSession(req: IncomingMessage, nowMs = Date.now()): boolean {
    // Every cookie of our name counts: a page on another port of this host can set one with a longer
    // Path, which the browser sends first, to shadow the real session (a sign-out, at least).
    return readCookies(req.headers.cookie, this.cookieName).some((value) => {
      const expires = this.sessions.get(digest(value));
      return expires !== undefined && expires > nowMs;
    });
  }

  setCookieHeader(session: string, maxAgeSeconds: number): string {
    return `${this.cookieName}=${session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}`;
  }

  private prune(nowMs: number): void {
    for (const [k, t] of this.codes) if (t <= nowMs) this.codes.delete(k);
    for (const [k, t] of this.sessions) if (t <= nowMs) this.sessions.delete(k);
  }
}

function readCookies(header: string | undefined, name: string): string[] {
  if (!header || header.length > 8192) return [];
  const values: string[] = [];
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) values.push(part.slice(eq + 1).trim());
  }
  return values.slice(0, 8);
}
