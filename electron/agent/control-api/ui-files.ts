// Owns serving the built UI (dist/renderer) on the control port, for a browser where the desktop
// app cannot run. Only files inside that folder, with a strict Content Security Policy: the page
// runs only its own scripts and talks only to this agent.

import { readFile, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.map': 'application/json',
};

/** The policy the page runs under (and the Electron shell's, in its own words): see docs/electron-security.md. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React sets style attributes for sizes and colours computed at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
}

export function securityHeaders(port: number): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(port),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

/** The meta element a login answer carries the session in (renderer/src/api/browser-session.ts reads it). */
export const SESSION_META = 'troupe-session';

export class UiFiles {
  constructor(
    private readonly root: string,
    private readonly port: () => number,
  ) {}

  /** Serves `path` (the URL's path) if it names a file of the UI; false if it does not. */
  async serve(path: string, res: ServerResponse): Promise<boolean> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return false;
    }
    if (decoded.includes('\0')) return false;
    const relative = decoded === '/' || decoded === '/index.html' ? 'index.html' : decoded.replace(/^\/+/, '');
    const full = normalize(join(this.root, relative));
    if (!full.startsWith(this.root + sep)) return false;
    const type = TYPES[extname(full).toLowerCase()];
    if (!type) return false;
    const info = await stat(full).catch(() => null);
    if (!info?.isFile()) return false;
    const body = await readFile(full);
    res.writeHead(200, {
      ...securityHeaders(this.port()),
      'content-type': type,
      'content-length': body.byteLength,
      // Vite names assets by their content; the page itself must always be the current one.
      'cache-control': relative.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    res.end(body);
    return true;
  }

  /**
   * The app's page with `session` handed to it in a meta element (ui-sessions.ts): the answer to a
   * login link, so the secret is in no URL and so in no history. Null if the UI is not built.
   */
  async pageWithSession(session: string): Promise<string | null> {
    const html = await readFile(join(this.root, 'index.html'), 'utf8').catch(() => null);
    if (html === null || !/^[A-Za-z0-9_-]+$/.test(session)) return null;
    const meta = `<meta name="${SESSION_META}" content="${session}">`;
    return /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (head) => head + meta) : meta + html;
  }

  async exists(): Promise<boolean> {
    return (await stat(join(this.root, 'index.html')).catch(() => null))?.isFile() ?? false;
  }
}
