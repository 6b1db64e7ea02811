// Owns the one typed client of the control API: a call by route name with its path parameters
// and body, answered with that route's response type, or a TroupeError in the agent's words. How
// the bytes travel (fetch with a token header, Electron IPC) is the transport's business, so the
// CLI, the preload and the renderer share this and differ only in that.

import type { ZodType } from 'zod';
import { TroupeError, isErrorCode } from '../errors.js';
import { controlEventSchema, type ControlEvent, type Upload } from './responses.js';
import {
  BYTE_ROUTES,
  CONTROL_ROUTES,
  pathOf,
  type ByteRouteParams,
  type RouteBody,
  type RouteName,
  type RouteParams,
  type RouteResponse,
} from './routes.js';

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

export interface ControlClientOptions {
  /** Answers and events that do not match their schema are refused (the agent is of another version, or broken). */
  checkAnswers?: boolean;
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
    const { status, bytes } = await this.bytesTransport()(BYTE_ROUTES.taskImage.method, pathOf('taskImage', params), null);
    if (status < 200 || status >= 300) throw errorFrom(status, parseJson(bytes));
    return bytes;
  }

  /** Puts one file into an upload folder on the agent's machine; answers where it now is. */
  async upload(params: ByteRouteParams<'upload'>, data: Blob | Uint8Array): Promise<Upload> {
    const { status, bytes } = await this.bytesTransport()(BYTE_ROUTES.upload.method, pathOf('upload', params), data);
    const value = parseJson(bytes);
    if (status < 200 || status >= 300) throw errorFrom(status, value);
    return this.checked('upload', BYTE_ROUTES.upload.answer, value);
  }

  /**
   * The agent's events, each checked against its schema when `checkAnswers` is set. An event of a
   * type this version does not know (a newer agent) is skipped, not an error.
   */
  subscribe(listener: (event: ControlEvent) => void, state: (s: EventStreamState) => void = () => undefined): () => void {
    const open = this.options.events;
    if (!open) throw new Error('This client has no event transport');
    return open((text) => {
      const raw = parseJson(new TextEncoder().encode(text));
      if (!this.options.checkAnswers) return listener(raw as ControlEvent);
      const parsed = controlEventSchema.safeParse(raw);
      if (parsed.success) listener(raw as ControlEvent);
    }, state);
  }

  private bytesTransport(): ControlBytesTransport {
    if (!this.options.bytes) throw new Error('This client has no bytes transport');
    return this.options.bytes;
  }

  private checked<T>(name: string, schema: ZodType<T>, value: unknown): T {
    if (!this.options.checkAnswers) return value as T;
    const checked = schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new TroupeError(
        'internal',
        `The agent's answer to ${name} is not what this version expects (${issue?.path.join('.') || 'answer'}: ${issue?.message}). Are both of the same Troupe version?`,
      );
    }
    // The answer as it came, not as parsed: a field this version does not know is kept.
    return value as T;
  }

  async call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResponse<N>> {
    const route = CONTROL_ROUTES[name];
    const hasParams = route.path.includes(':');
    const params = (hasParams ? args[0] : {}) as Record<string, string>;
    const body = route.body ? (hasParams ? args[1] : args[0]) : undefined;
    const { status, value } = await this.transport(route.method, pathOf(name, params), body);
    if (status < 200 || status >= 300) throw errorFrom(status, value);
    return this.checked(name, route.answer as ZodType<RouteResponse<N>>, value);
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
