import type { ControlBytesTransport, ControlTransport } from '../../../shared/control-api/control-client.js';
import { TroupeError } from '../../../shared/errors.js';

const UNREACHABLE = "Troupe's agent on this computer is not answering. Is it running?";

/** JSON requests on the page's origin; `auth` (the browser session as a bearer token) authenticates them. */
export function fetchJsonTransport(fetchImpl: typeof fetch = (...args) => fetch(...args), auth: Record<string, string> = {}): ControlTransport {
  return async (method, path, body) => {
    let response: Response;
    try {
      response = await fetchImpl(path, {
        method,
        credentials: 'omit',
        headers: body === undefined ? { ...auth } : { ...auth, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      // fetch rejects only when nothing answered at all (agent stopped, network gone).
      throw new TroupeError('internal', UNREACHABLE);
    }
    const text = await response.text();
    return { status: response.status, value: parseJson(text) };
  };
}

/** Task images and uploads: bytes both ways. */
export function fetchBytesTransport(fetchImpl: typeof fetch = (...args) => fetch(...args), auth: Record<string, string> = {}): ControlBytesTransport {
  return async (method, path, body) => {
    let response: Response;
    try {
      response = await fetchImpl(path, {
        method,
        credentials: 'omit',
        headers: body ? { ...auth, 'content-type': 'application/octet-stream' } : { ...auth },
        body: body as BodyInit | null,
      });
    } catch {
      throw new TroupeError('internal', UNREACHABLE);
    }
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
