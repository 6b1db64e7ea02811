// Owns mapping an app:// URL to a file of the built renderer (dist/renderer), refusing anything
// that would leave that folder: `..` segments (raw or percent-encoded), backslashes, NUL bytes,
// absolute paths, and symbolic links pointing outside. Pure Node; the protocol handler serves the
// answer.

import { realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './app-origin.js';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Longest URL path we look at; the renderer's files have short names. */
const MAX_PATH_CHARS = 1024;

export type ResolvedFile = { ok: true; path: string; contentType: string } | { ok: false; status: 400 | 403 | 404 };

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** Where `url` points inside `root`, or why it is refused. `/` is index.html. */
export async function resolveRendererFile(root: string, url: string): Promise<ResolvedFile> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) return { ok: false, status: 403 };
  if (parsed.pathname.length > MAX_PATH_CHARS) return { ok: false, status: 400 };
  let path: string;
  try {
    path = decodeURIComponent(parsed.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  // URL parsing already folded plain `..`; these are what an encoded or Windows-style path smuggles in.
  if (path.includes('\0') || path.includes('\\') || path.split('/').some((s) => s === '..')) return { ok: false, status: 403 };
  if (path === '/' || path === '') path = '/index.html';
  const rootAbs = resolve(root);
  const candidate = resolve(rootAbs, '.' + path);
  if (!isInside(rootAbs, candidate)) return { ok: false, status: 403 };
  try {
    // The real path must stay inside the real root too: a symlink in the build could point anywhere.
    const [realRoot, realFile] = await Promise.all([realpath(rootAbs), realpath(candidate)]);
    if (!isInside(realRoot, realFile)) return { ok: false, status: 403 };
    if (!(await stat(realFile)).isFile()) return { ok: false, status: 404 };
    return { ok: true, path: realFile, contentType: contentTypeOf(realFile) };
  } catch {
    return { ok: false, status: 404 };
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}
