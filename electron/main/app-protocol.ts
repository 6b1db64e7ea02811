// Owns app://, the scheme the window's pages come from: registered as standard and secure (so
// the page has a real origin, same-origin rules and secure-context APIs) and served from the
// built renderer with the strict Content-Security-Policy on every answer. Serving files from a
// scheme of our own, instead of file://, keeps the rest of the disk out of the page's reach.

import { readFile } from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { APP_SCHEME } from './app-origin.js';
import { appResponseHeaders } from './content-security-policy.js';
import { resolveRendererFile } from './renderer-file-resolver.js';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Serves the renderer's files on app:// for the session's pages. */
export function serveRenderer(session: Session, rendererRoot: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refusal(405);
    const file = await resolveRendererFile(rendererRoot, request.url);
    if (!file.ok) return refusal(file.status);
    const body = request.method === 'HEAD' ? null : await readFile(file.path);
    return new Response(body, { status: 200, headers: appResponseHeaders(file.contentType) });
  });
}

function refusal(status: number): Response {
  return new Response(null, { status, headers: appResponseHeaders('text/plain; charset=utf-8') });
}
