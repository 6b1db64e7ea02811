import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AccessGuard } from '../../../../../electron/agent/control-api/access-guard.js';
import { CONTROL_TOKEN_SUBPROTOCOL_PREFIX } from '../../../../../shared/control-api/index.js';

const TOKEN = 'f3b1c2d4e5f60718293a4b5c6d7e8f90f3b1c2d4e5f60718293a4b5c6d7e8f90';
const PORT = 47_800;

function req(headers: Record<string, string | undefined>): IncomingMessage {
  return { headers } as unknown as IncomingMessage;
}

function guard(extraOrigins: string[] = []) {
  return new AccessGuard(TOKEN, () => PORT, extraOrigins);
}

const host = `127.0.0.1:${PORT}`;
const bearer = `Bearer ${TOKEN}`;

describe('AccessGuard', () => {
  it('admits the right token addressed to our own host', () => {
    expect(guard().check(req({ host, authorization: bearer }))).toEqual({ ok: true });
    expect(guard().check(req({ host: `localhost:${PORT}`, authorization: bearer }))).toEqual({ ok: true });
  });

  it('refuses a missing token with 401', () => {
    const v = guard().check(req({ host }));
    expect(v).toMatchObject({ ok: false, status: 401, code: 'unauthorized' });
  });

  it('refuses a wrong token with 401, whatever its length', () => {
    for (const wrong of [TOKEN.slice(1) + '0', TOKEN.slice(1), `${TOKEN}0`, '', 'x']) {
      expect(guard().check(req({ host, authorization: `Bearer ${wrong}` })), wrong).toMatchObject({ ok: false, status: 401 });
    }
    expect(guard().check(req({ host, authorization: TOKEN }))).toMatchObject({ ok: false, status: 401 }); // no scheme
    expect(guard().check(req({ host, authorization: `Basic ${TOKEN}` }))).toMatchObject({ ok: false, status: 401 });
  });

  it('refuses another Host (DNS rebinding) with 403 even with the token', () => {
    for (const h of ['evil.example:47800', `127.0.0.1:${PORT + 1}`, '127.0.0.1', `[::1]:${PORT}`, `127.0.0.1.nip.io:${PORT}`]) {
      expect(guard().check(req({ host: h, authorization: bearer })), h).toMatchObject({ ok: false, status: 403, code: 'forbidden-origin' });
    }
    expect(guard().check(req({ authorization: bearer }))).toMatchObject({ ok: false, status: 403 });
  });

  it('refuses a foreign Origin with 403 even with the token', () => {
    for (const origin of ['https://evil.example', `http://127.0.0.1:${PORT + 1}`, `https://127.0.0.1:${PORT}`, 'null']) {
      expect(guard().check(req({ host, origin, authorization: bearer })), origin).toMatchObject({
        ok: false,
        status: 403,
        code: 'forbidden-origin',
      });
    }
  });

  it('admits our own origin and configured extra origins', () => {
    expect(guard().check(req({ host, origin: `http://${host}`, authorization: bearer }))).toEqual({ ok: true });
    expect(guard().check(req({ host, origin: `http://localhost:${PORT}`, authorization: bearer }))).toEqual({ ok: true });
    const g = guard(['app://troupe']);
    expect(g.check(req({ host, origin: 'app://troupe', authorization: bearer }))).toEqual({ ok: true });
    expect(guard().check(req({ host, origin: 'app://troupe', authorization: bearer }))).toMatchObject({ ok: false, status: 403 });
  });

  it('reads the token from the WebSocket subprotocol', () => {
    expect(CONTROL_TOKEN_SUBPROTOCOL_PREFIX).toBe('troupe-token.');
    expect(guard().check(req({ host, 'sec-websocket-protocol': `troupe-token.${TOKEN}` }))).toEqual({ ok: true });
    expect(guard().check(req({ host, 'sec-websocket-protocol': `troupe.v1, troupe-token.${TOKEN}` }))).toEqual({ ok: true });
    expect(guard().check(req({ host, 'sec-websocket-protocol': 'troupe-token.nope' }))).toMatchObject({ ok: false, status: 401 });
    expect(guard().check(req({ host, 'sec-websocket-protocol': TOKEN }))).toMatchObject({ ok: false, status: 401 });
  });

  it('checks host and origin before the token', () => {
    expect(guard().check(req({ host: 'evil.example' }))).toMatchObject({ status: 403 });
    expect(guard().check(req({ host, origin: 'https://evil.example' }))).toMatchObject({ status: 403 });
  });

  it('follows the port the server actually bound', () => {
    let port = 0;
    const g = new AccessGuard(TOKEN, () => port);
    port = 51_234;
    expect(g.check(req({ host: '127.0.0.1:51234', authorization: bearer }))).toEqual({ ok: true });
  });
});
