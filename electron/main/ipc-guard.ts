// Owns what the main process accepts over IPC before anything reaches the agent: the sender must
// be the top frame of one of our app:// pages, and each argument must be what the bridge sends,
// within bounds: a method and path that name a route of the control API's table, a JSON body no
// bigger than the agent itself accepts, bytes only where a byte route takes them. Pure, so every
// refusal is tested without Electron.

import { BYTE_ROUTES, CONTROL_ROUTES, matchByteRoute, matchRoute, type RouteName } from '../../shared/control-api/routes.js';
import { isAppUrl } from './app-origin.js';

export type Verdict<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What the guard needs of Electron's `event.senderFrame`. */
export interface SenderFrame {
  url: string;
  /** The frame is its page's top frame (no parent). */
  top: boolean;
}

/** The agent refuses JSON bodies above 64 KiB; we refuse them before they cross a process. */
export const MAX_IPC_JSON_BYTES = 64 * 1024;
/**
 * Largest upload through IPC. A file dropped on the app window has a path (the bridge's
 * pathForFile), so the app inspects and renders it in place; uploads are the browser's way, and
 * through IPC each byte is copied three times in memory.
 */
export const MAX_IPC_UPLOAD_BYTES = 128 * 1024 * 1024;
const MAX_PATH_CHARS = 2048;
const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);
/**
 * Routes the window may not call although the agent has them. A login link signs a browser in
 * as this user: the app's own UI never needs one, and a renderer tricked into asking for one
 * would hand the agent to whoever receives it.
 */
export const ROUTES_DENIED_TO_RENDERER: ReadonlySet<RouteName> = new Set<RouteName>(['loginLink']);

export interface CheckedRequest {
  method: string;
  path: string;
  body: unknown;
}

export interface CheckedBytesRequest {
  method: string;
  path: string;
  body: Uint8Array | null;
}

export function checkSender(frame: SenderFrame | null | undefined): Verdict<void> {
  if (!frame) return refuse('the sending frame is gone');
  if (!frame.top) return refuse('only the top frame of the app may use the bridge');
  if (!isAppUrl(frame.url)) return refuse(`a page of ${originOf(frame.url)} may not use the bridge`);
  return { ok: true, value: undefined };
}

export function checkRequestArgs(args: readonly unknown[]): Verdict<CheckedRequest> {
  if (args.length > 3) return refuse('too many arguments');
  const [method, path, body] = args;
  const target = checkTarget(method, path);
  if (!target.ok) return target;
  const match = matchRoute(target.value.method, target.value.path);
  if (match === null) return refuse(`no route ${target.value.path.slice(0, 100)}`);
  if (match === 'wrong-method') return refuse(`${target.value.method} is not a method of ${target.value.path.slice(0, 100)}`);
  if (ROUTES_DENIED_TO_RENDERER.has(match.name)) return refuse(`the window may not call ${match.name}`);
  if (body === undefined || body === null) return { ok: true, value: { ...target.value, body: undefined } };
  if (!CONTROL_ROUTES[match.name].body) return refuse(`${match.name} takes no body`);
  let json: string | undefined;
  try {
    json = JSON.stringify(body);
  } catch {
    return refuse('the body is not JSON');
  }
  if (json === undefined) return refuse('the body is not JSON');
  if (Buffer.byteLength(json) > MAX_IPC_JSON_BYTES) return refuse(`the body is over ${MAX_IPC_JSON_BYTES} bytes`);
  // Re-parsed, so what goes on is plain JSON whatever structured clone delivered (no Dates, Maps, typed arrays).
  return { ok: true, value: { ...target.value, body: JSON.parse(json) as unknown } };
}

export function checkBytesArgs(args: readonly unknown[]): Verdict<CheckedBytesRequest> {
  if (args.length > 3) return refuse('too many arguments');
  const [method, path, body] = args;
  const target = checkTarget(method, path);
  if (!target.ok) return target;
  const match = matchByteRoute(target.value.method, target.value.path);
  if (match === null) return refuse(`no byte route ${target.value.path.slice(0, 100)}`);
  if (match === 'wrong-method') return refuse(`${target.value.method} is not a method of ${target.value.path.slice(0, 100)}`);
  const takesBody = BYTE_ROUTES[match.name].method !== 'GET';
  if (body === null || body === undefined) {
    return takesBody ? refuse(`${match.name} needs the file's bytes`) : { ok: true, value: { ...target.value, body: null } };
  }
  if (!takesBody) return refuse(`${match.name} takes no body`);
  const bytes = body instanceof Uint8Array ? body : body instanceof ArrayBuffer ? new Uint8Array(body) : null;
  if (!bytes) return refuse('the body must be bytes (a Uint8Array)');
  if (bytes.byteLength > MAX_IPC_UPLOAD_BYTES)
    return refuse(`files over ${MAX_IPC_UPLOAD_BYTES / 1024 / 1024} MiB are not uploaded through the window: use the file's path`);
  return { ok: true, value: { ...target.value, body: bytes } };
}

function checkTarget(method: unknown, path: unknown): Verdict<{ method: string; path: string }> {
  if (typeof method !== 'string' || !METHODS.has(method)) return refuse('unknown method');
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH_CHARS) return refuse('the path must be a string of 1 to 2048 characters');
  if (!path.startsWith('/api/')) return refuse('the path must be one of the control API');
  // The route is matched on the text, but the request goes to what a URL parser makes of it: `\`
  // is `/` in an http URL and `..` segments fold, so a file name like `..\..\..\api\name` in an
  // upload's path would land on another route. Only a path the parser leaves alone goes on.
  if (!isCanonicalPath(path)) return refuse('the path must be plain: no backslashes, dot segments, query or fragment');
  return { ok: true, value: { method, path } };
}

function isCanonicalPath(path: string): boolean {
  if (/[\\?#\s]/.test(path)) return false;
  let parsed: URL;
  try {
    parsed = new URL(path, 'http://127.0.0.1');
  } catch {
    return false;
  }
  return parsed.pathname === path;
}

function refuse(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin.slice(0, 100);
  } catch {
    return 'an unknown origin';
  }
}
