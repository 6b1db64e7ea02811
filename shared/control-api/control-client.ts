// Owns the one typed client of the control API: a call by route name with its path parameters
// and body, answered with that route's response type, or a TroupeError in the agent's words. How
// the bytes travel (fetch with a token header, Electron IPC) is the transport's business, so the
// CLI, the preload and the renderer share this and differ only in that.

import { TroupeError, isErrorCode } from '../errors.js';
import type { ControlEvent, Upload } from './responses.js';
import { BYTE_ROUTE_PATHS, ROUTE_PATHS, pathOf, type ByteRouteParams } from './route-paths.js';
import type { RouteBody, RouteName, RouteParams, RouteResponse } from './routes.js';

/** Sends one request; resolves to the HTTP status and the parsed JSON answer (null if none). */
export type ControlTransport = (method: string, path: string, body: unknown) => Promise<{ status: number; value: unknown }>;

/** Sends bytes (or nothing) and reads the answer as bytes: task images, uploads. */
export type ControlBytesTransport = (
  method: string,
  path: string,
  body: Blob | Uint8Array | null,
) => Promise<{ status: number; bytes: Uint8Array; contentType: string }>;

/** The state of the event stream, for a UI that must say when the agent has gone away. */
export type EventStreamState = 'connecting' | 'open' | 'closed';

/**
 * Opens the event stream: calls `message` with each text message and `state` as the connection
 * comes and goes (the transport reconnects by itself); returns a function that closes it.
 */
export type ControlEventsTransport = (message: (text: string) => void, state: (s: EventStreamState) => void) => () => void;

/**
 * What checks answers and events against their schemas (answer-checks.ts). Injected, so a client
 * that does not check (the CLI, which talks to the agent of its own install) never loads zod and
 * the schemas, which was most of its start-up time.
 */
export interface AnswerChecks {
  /** Throws, in words, if `value` is not what route `name` answers. */
  answer(name: RouteName | 'upload', value: unknown): void;
  /** Whether `raw` is an event this version knows. */
  event(raw: unknown): boolean;
}

export interface ControlClientOptions {
  /** Answers and events that do not match their schema are refused (the agent is of another version, or broken). */
  checks?: AnswerChecks;
  bytes?: ControlBytesTransport;
  events?: ControlEventsTransport;
}

type CallArgs<N extends RouteName> = keyof RouteParams<N> extends never
  ? RouteBody<N> extends undefined
    ? []
    : [body: RouteBody<N>]
  : RouteBody<N> extends undefined
    ? [params: RouteParams<N>]
    : [params: RouteParams<N>, body: RouteBody<N>];

export class ControlApiClient {
  constructor(
    private readonly transport: ControlTransport,
    private readonly options: ControlClientOptions = {},
  ) {}

  /** A done task's image (PNG bytes). */
  async taskImage(params: ByteRouteParams<'taskImage'>): Promise<Uint8Array> {
    const { status, bytes } = await this.bytesTransport()(BYTE_ROUTE_PATHS.taskImage.method, pathOf('taskImage', params), null);
    if (status < 200 || status >= 300) throw errorFrom(status, parseJson(bytes));
    return bytes;
  }

  /** Puts one file into an upload folder on the agent's machine; answers where it now is. */
  async upload(params: ByteRouteParams<'upload'>, data: Blob | Uint8Array): Promise<Upload> {
    const { status, bytes } = await this.bytesTransport()(BYTE_ROUTE_PATHS.upload.method, pathOf('upload', params), data);
    const value = parseJson(bytes);
    if (status < 200 || status >= 300) throw errorFrom(status, value);
    return this.checked<Upload>('upload', value);
  }

  /**
   * The agent's events, each checked against its schema when `checks` is given. An event of a
   * type this version does not know (a newer agent) is skipped, not an error.
   */
  subscribe(listener: (event: ControlEvent) => void, state: (s: EventStreamState) => void = () => undefined): () => void {
    const open = this.options.events;
    if (!open) throw new Error('This client has no event transport');
    return open((text) => {
      const raw = parseJson(new TextEncoder().encode(text));
      if (!this.options.checks || this.options.checks.event(raw)) listener(raw as ControlEvent);
    }, state);
  }

  private bytesTransport(): ControlBytesTransport {
    if (!this.options.bytes) throw new Error('This client has no bytes transport');
    return this.options.bytes;
  }

  private checked<T>(name: RouteName | 'upload', value: unknown): T {
    this.options.checks?.answer(name, value);
    // The answer as it came, not as parsed: a field this version does not know is kept.
    return value as T;
  }

  async call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResponse<N>> {
    const route = ROUTE_PATHS[name];
    const hasParams = route.path.includes(':');
    const params = (hasParams ? args[0] : {}) as Record<string, string>;
    const body = hasParams ? args[1] : args[0];
    const { status, value } = await this.transport(route.method, pathOf(name, params), body);
    if (status < 200 || status >= 300) throw errorFrom(status, value);
    return this.checked<RouteResponse<N>>(name, value);
  }
}

/** The agent's error body as a TroupeError in its words. */
function errorFrom(status: number, value: unknown): TroupeError {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = isErrorCode(error?.code) ? error.code : 'internal';
  return new TroupeError(code, typeof error?.message === 'string' ? error.message : `The agent answered HTTP ${status}`);
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}
