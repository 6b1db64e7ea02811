import type { ControlBytesTransport, ControlTransport } from '../../../shared/control-api/control-client.js';
import { TroupeError } from '../../../shared/errors.js';

const UNREACHABLE = "Troupe's agent on this computer is not answering. Is it running?";

/**
 * One request on the page's origin. `auth` (the browser session as a bearer token) authenticates
 * it; cookies are never sent (credentials 'omit'): the session is not one.
 */
async function send(fetchImpl: typeof fetch, method: string, path: string, headers: Record<string, string>, body: BodyInit | null): Promise<Response> {
  try {
    return await fetchImpl(path, { method, credentials: 'omit', headers, body });
  } catch {
    // fetch rejects only when nothing answered at all (agent stopped, network gone).
    throw new TroupeError('internal', UNREACHABLE);
  }
}

/** JSON requests and answers. */
export function fetchJsonTransport(fetchImpl: typeof fetch = (...args) => fetch(...args), auth: Record<string, string> = {}): ControlTransport {
  return async (method, path, body) => {
    const headers = body === undefined ? { ...auth } : { ...auth, 'content-type': 'application/json' };
    const response = await send(fetchImpl, method, path, headers, body === undefined ? null : JSON.stringify(body));
    return { status: response.status, value: parseJson(await response.text()) };
  };
}

/** Task images and uploads: bytes both ways. */
export function fetchBytesTransport(fetchImpl: typeof fetch = (...args) => fetch(...args), auth: Record<string, string> = {}): ControlBytesTransport {
  return async (method, path, body) => {
    const headers = body ? { ...auth, 'content-type': 'application/octet-stream' } : { ...auth };
    const response = await send(fetchImpl, method, path, headers, body as BodyInit | null);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return { status: response.status, bytes, contentType: response.headers.get('content-type') ?? '' };
  };
}

/** An answer that is not JSON (a proxy's error page) reads as null; the client reports the status. */
function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
