// Owns who may drive the agent locally: requests must carry the per-user token (or a browser UI
// session, presented the same way), name our own host (DNS rebinding), and come from no browser
// origin or one of ours (a web page the user happens to open must not be able to pair machines or
// read the team). A session is a page's: a session-borne request must show our Origin.

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CONTROL_TOKEN_SUBPROTOCOL_PREFIX } from '../../../shared/control-api/index.js';
import type { UiSessions } from './ui-sessions.js';

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; code: 'unauthorized' | 'forbidden-origin'; message: string };

export class AccessGuard {
  constructor(
    private readonly token: string,
    private readonly port: () => number,
    private readonly extraOrigins: readonly string[] = [],
    private readonly sessions: UiSessions | null = null,
  ) {}

  /** Host and Origin only: for the UI's own files and the login page, which carry no secret. */
  checkHost(req: IncomingMessage): AccessVerdict {
    const port = this.port();
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    // Node keeps only the first of several Host headers; a request that sends two is not a browser's.
    const hostHeaders = (req.rawHeaders ?? []).filter((_, i, all) => i % 2 === 0 && all[i]!.toLowerCase() === 'host').length;
    if (hostHeaders > 1 || !hosts.includes(req.headers.host ?? ''))
      return { ok: false, status: 403, code: 'forbidden-origin', message: 'Requests must be addressed to 127.0.0.1 or localhost' };
    const origin = req.headers.origin;
    if (origin !== undefined && ![...hosts.map((h) => `http://${h}`), ...this.extraOrigins].includes(origin))
      return { ok: false, status: 403, code: 'forbidden-origin', message: `Origin ${origin.slice(0, 100)} may not use the Troupe control API` };
    return { ok: true };
  }

  /** Whether the request carries the token itself (not a browser session): minting login links needs it. */
  hasToken(req: IncomingMessage): boolean {
    return this.tokenMatches(req);
  }

  check(req: IncomingMessage): AccessVerdict {
    const host = this.checkHost(req);
    if (!host.ok) return host;
    if (this.tokenMatches(req)) return { ok: true };
    const presented = presentedSecret(req);
    if (presented && this.sessions?.isSession(presented)) {
      const reads = req.method === 'GET' || req.method === 'HEAD';
      const upgrade = (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
      if ((!reads || upgrade) && req.headers.origin === undefined)
        return { ok: false, status: 403, code: 'forbidden-origin', message: 'A browser session must show its Origin to change anything' };
      return { ok: true };
    }
    return {
      ok: false,
      status: 401,
      code: 'unauthorized',
      message: 'Not signed in: open the link `troupe open` prints, or read the token from the control-token file in the Troupe data directory',
    };
  }

  private tokenMatches(req: IncomingMessage): boolean {
    const presented = presentedSecret(req);
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** The secret a request shows: `Authorization: Bearer <s>`, or a WebSocket subprotocol `troupe-token.<s>`. */
function presentedSecret(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  return protocols.find((p) => p.startsWith(CONTROL_TOKEN_SUBPROTOCOL_PREFIX))?.slice(CONTROL_TOKEN_SUBPROTOCOL_PREFIX.length) ?? null;
}
