// Owns who may drive the agent locally: requests must carry the per-user token, name our own
// host (DNS rebinding), and come from no browser origin or one of ours (a web page the user happens
// to open must not be able to pair machines or read the team).

import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CONTROL_TOKEN_SUBPROTOCOL_PREFIX } from '../../../shared/control-api/index.js';

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; code: 'unauthorized' | 'forbidden-origin'; message: string };

export class AccessGuard {
  constructor(
    private readonly token: string,
    private readonly port: () => number,
    private readonly extraOrigins: readonly string[] = [],
  ) {}

  check(req: IncomingMessage): AccessVerdict {
    const port = this.port();
    const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
    // Node keeps only the first of several Host headers; a request that sends two is not a browser's.
    const hostHeaders = (req.rawHeaders ?? []).filter((_, i, all) => i % 2 === 0 && all[i]!.toLowerCase() === 'host').length;
    if (hostHeaders > 1 || !hosts.includes(req.headers.host ?? ''))
      return { ok: false, status: 403, code: 'forbidden-origin', message: 'Requests must be addressed to 127.0.0.1 or localhost' };
    const origin = req.headers.origin;
    if (origin !== undefined && ![...hosts.map((h) => `http://${h}`), ...this.extraOrigins].includes(origin))
      return { ok: false, status: 403, code: 'forbidden-origin', message: `Origin ${origin.slice(0, 100)} may not use the Troupe control API` };
    if (!this.tokenMatches(req))
      return { ok: false, status: 401, code: 'unauthorized', message: 'Missing or wrong token; read it from the control-token file in the Troupe data directory' };
    return { ok: true };
  }

  private tokenMatches(req: IncomingMessage): boolean {
    const auth = req.headers.authorization;
    let presented = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : null;
    if (!presented) {
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      presented = protocols.find((p) => p.startsWith(CONTROL_TOKEN_SUBPROTOCOL_PREFIX))?.slice(CONTROL_TOKEN_SUBPROTOCOL_PREFIX.length) ?? null;
    }
    if (!presented) return false;
    const a = Buffer.from(presented);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}
