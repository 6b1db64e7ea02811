// Owns how the main process talks to the agent: the control client's three transports (JSON over
// fetch, bytes over fetch, events over a WebSocket) against whichever endpoint is current. The
// endpoint changes when the agent restarts, so each call reads it anew; with no agent, calls
// answer 503 in words the UI can show, and the event stream waits and reconnects.

import WebSocket from 'ws';
import type { ControlBytesTransport, ControlEventsTransport, ControlTransport, EventStreamState } from '../../shared/control-api/control-client.js';
import { CONTROL_TOKEN_SUBPROTOCOL_PREFIX } from '../../shared/control-api/index.js';
import { EVENTS_PATH } from '../../shared/control-api/routes.js';
import type { AgentEndpoint } from './agent-endpoint.js';
import { restartDelayMs } from './restart-backoff.js';

export type EndpointSource = () => AgentEndpoint | null;

const NO_AGENT = { error: { code: 'peer-unreachable', message: 'The Troupe agent is not running yet; it is being started.' } };
const AGENT_GONE = { error: { code: 'peer-unreachable', message: 'The Troupe agent is not answering; it is being restarted.' } };
/** The event stream's messages are small JSON; a bigger one is not the agent's. */
const MAX_EVENT_BYTES = 8 * 1024 * 1024;

export function jsonTransport(endpoint: EndpointSource): ControlTransport {
  return async (method, path, body) => {
    const current = endpoint();
    if (!current) return { status: 503, value: NO_AGENT };
    let res: Response;
    try {
      res = await fetch(urlOf(current, path), {
        method,
        headers: { authorization: `Bearer ${current.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { status: 503, value: AGENT_GONE };
    }
    return { status: res.status, value: await res.json().catch(() => null) };
  };
}

export function bytesTransport(endpoint: EndpointSource): ControlBytesTransport {
  const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
  return async (method, path, body) => {
    const current = endpoint();
    if (!current) return { status: 503, bytes: encode(NO_AGENT), contentType: 'application/json' };
    let res: Response;
    try {
      res = await fetch(urlOf(current, path), {
        method,
        headers: { authorization: `Bearer ${current.token}`, ...(body ? { 'content-type': 'application/octet-stream' } : {}) },
        // Bytes from IPC or our own code sit on a plain ArrayBuffer, never a SharedArrayBuffer.
        body: (body ?? undefined) as Uint8Array<ArrayBuffer> | Blob | undefined,
      });
    } catch {
      return { status: 503, bytes: encode(AGENT_GONE), contentType: 'application/json' };
    }
    return { status: res.status, bytes: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? '' };
  };
}

/**
 * The event stream: one WebSocket at a time to the current endpoint, the token as a subprotocol
 * (the header works too from Node, but this is the one way every client shares), reconnecting
 * with backoff until closed.
 */
export function eventsTransport(endpoint: EndpointSource): ControlEventsTransport {
  return (message, state) => {
    let socket: WebSocket | null = null;
    let timer: NodeJS.Timeout | null = null;
    let failures = 0;
    let closed = false;
    let last: EventStreamState | null = null;
    const report = (s: EventStreamState): void => {
      if (s !== last) state((last = s));
    };
    const retry = (): void => {
      if (closed) return;
      report('closed');
      timer = setTimeout(connect, restartDelayMs(failures++, { firstMs: 250, maxMs: 5000 }));
    };
    const connect = (): void => {
      timer = null;
      if (closed) return;
      const current = endpoint();
      if (!current) return retry();
      report('connecting');
      const ws = new WebSocket(`ws://127.0.0.1:${current.port}${EVENTS_PATH}`, [CONTROL_TOKEN_SUBPROTOCOL_PREFIX + current.token], {
        maxPayload: MAX_EVENT_BYTES,
        handshakeTimeout: 5000,
      });
      socket = ws;
      ws.on('open', () => {
        failures = 0;
        report('open');
      });
      ws.on('message', (data, isBinary) => {
        if (!isBinary) message(data.toString());
      });
      ws.on('error', () => undefined); // 'close' follows and reconnects
      ws.on('close', () => {
        if (socket === ws) socket = null;
        retry();
      });
    };
    connect();
    return () => {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
      socket = null;
      report('closed');
    };
  };
}

function urlOf(endpoint: AgentEndpoint, path: string): string {
  return `http://127.0.0.1:${endpoint.port}${path}`;
}
