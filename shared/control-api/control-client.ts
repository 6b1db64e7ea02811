// Owns the one typed client of the control API: a call by route name with its path parameters
// and body, answered with that route's response type, or a TroupeError in the agent's words. How
// the bytes travel (fetch with a token header, Electron IPC) is the transport's business, so the
// CLI, the preload and the renderer share this and differ only in that.

import type { ZodType } from 'zod';
import { TroupeError, isErrorCode } from '../errors.js';
import { CONTROL_ROUTES, pathOf, type RouteBody, type RouteName, type RouteParams, type RouteResponse } from './routes.js';

/** Sends one request; resolves to the HTTP status and the parsed JSON answer (null if none). */
export type ControlTransport = (method: string, path: string, body: unknown) => Promise<{ status: number; value: unknown }>;

type CallArgs<N extends RouteName> = keyof RouteParams<N> extends never
  ? RouteBody<N> extends undefined
    ? []
    : [body: RouteBody<N>]
  : RouteBody<N> extends undefined
    ? [params: RouteParams<N>]
    : [params: RouteParams<N>, body: RouteBody<N>];

export class ControlApiClient {
  /** `checkAnswers`: answers that do not match their route's schema are refused (the agent is of another version, or broken). */
  constructor(
    private readonly transport: ControlTransport,
    private readonly options: { checkAnswers?: boolean } = {},
  ) {}

  async call<N extends RouteName>(name: N, ...args: CallArgs<N>): Promise<RouteResponse<N>> {
    const route = CONTROL_ROUTES[name];
    const hasParams = route.path.includes(':');
    const params = (hasParams ? args[0] : {}) as Record<string, string>;
    const body = route.body ? (hasParams ? args[1] : args[0]) : undefined;
    const { status, value } = await this.transport(route.method, pathOf(name, params), body);
    if (status < 200 || status >= 300) {
      const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = isErrorCode(error?.code) ? error.code : 'internal';
      throw new TroupeError(code, typeof error?.message === 'string' ? error.message : `The agent answered HTTP ${status}`);
    }
    if (this.options.checkAnswers) {
      const checked = (route.answer as ZodType<unknown>).safeParse(value);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new TroupeError(
          'internal',
          `The agent's answer to ${name} is not what this version expects (${issue?.path.join('.') || 'answer'}: ${issue?.message}). Are both of the same Troupe version?`,
        );
      }
    }
    // The answer as it came, not as parsed: a field this version does not know is kept.
    return value as RouteResponse<N>;
  }
}
