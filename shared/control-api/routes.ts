// Owns the control API's route table: every call's method, path, path parameters, request body
// schema and response type, once. The agent's server dispatches and validates from it, and one
// typed client (control-client.ts) builds every request from it; no path or response shape is
// written anywhere else. Each route also has the schema of its answer (responses.ts), so a client
// can check what it reads.

import { z, type ZodType } from 'zod';
import {
  addNearbyBody,
  inspectSceneBody,
  jobPriorityBody,
  presenceBody,
  renameBody,
  sharingBody,
  startPairingBody,
  submitJobBody,
  teamNameBody,
} from './index.js';
import {
  agentStatusSchema,
  capacityHistorySchema,
  loginLinkSchema,
  openedFolderSchema,
  addonInstalledSchema,
  variantRowSchema,
  sceneInfoSchema,
  uploadSchema,
  jobPreviewSchema,
  jobViewSchema,
  nearbyDeviceSchema,
  pairingSchema,
  pairRequestSchema,
  taskViewSchema,
  teamViewSchema,
} from './responses.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A path segment's accepted form; anything else matches no route (404). */
const PARAM_PATTERNS = {
  member: '[^/]{1,100}',
  pairingId: '[0-9a-f]{1,16}',
  requestId: '[0-9a-f]{1,16}',
  jobId: '[0-9a-f]{16}',
  taskId: '[0-9a-f]{16}%3A[A-Za-z0-9._-]{1,100}',
  uploadId: '[0-9a-f]{16}',
  fileName: '[^/]{1,600}',
  sortKey: '-?(?:index|maxSpeed|contacts|restSeconds)',
} as const;
export type ParamName = keyof typeof PARAM_PATTERNS;

interface RouteSpec<Body, BodyIn, Response, Path extends string> {
  method: HttpMethod;
  /** With `:name` segments from PARAM_PATTERNS. */
  path: Path;
  body: ZodType<Body, BodyIn> | null;
  /** What the call answers, for clients that check what they read. */
  answer: ZodType<Response>;
  /** Types only: what the body is once checked, what a caller may send, and what the call answers. */
  checkedBody?: Body;
  sentBody?: BodyIn;
  response?: Response;
}

/** `route(method, path, body).answers(schema)`: the path stays a literal type, so its parameters are typed. */
function route<Path extends string, Body = undefined, BodyIn = undefined>(
  method: HttpMethod,
  path: Path,
  body: ZodType<Body, BodyIn> | null = null,
) {
  return {
    answers: <S extends ZodType>(answer: S): RouteSpec<Body, BodyIn, z.output<S>, Path> => ({
      method,
      path,
      body,
      answer: answer as ZodType<z.output<S>>,
    }),
  };
}

/** `{ removed: true }` and the like. */
function done<K extends string>(key: K) {
  return z.object({ [key]: z.literal(true) } as Record<K, z.ZodLiteral<true>>);
}

export const CONTROL_ROUTES = {
  status: route('GET', '/api/status').answers(agentStatusSchema),
  nearby: route('GET', '/api/nearby').answers(z.array(nearbyDeviceSchema)),
  addNearby: route('POST', '/api/nearby', addNearbyBody).answers(nearbyDeviceSchema),
  team: route('GET', '/api/team').answers(teamViewSchema.nullable()),
  renameTeam: route('PUT', '/api/team/name', teamNameBody).answers(teamViewSchema),
  removeMember: route('DELETE', '/api/team/members/:member').answers(done('removed')),
  startPairing: route('POST', '/api/pairings', startPairingBody).answers(pairingSchema),
  pairing: route('GET', '/api/pairings/:pairingId').answers(pairingSchema),
  confirmPairing: route('POST', '/api/pairings/:pairingId/confirm').answers(pairingSchema),
  declinePairing: route('POST', '/api/pairings/:pairingId/decline').answers(done('declined')),
  pairRequests: route('GET', '/api/pair-requests').answers(z.array(pairRequestSchema)),
  acceptRequest: route('POST', '/api/pair-requests/:requestId/accept').answers(done('accepted')),
  rejectRequest: route('POST', '/api/pair-requests/:requestId/reject').answers(done('rejected')),
  setSharing: route('PUT', '/api/sharing', sharingBody).answers(agentStatusSchema),
  rename: route('PUT', '/api/name', renameBody).answers(agentStatusSchema),
  submitJob: route('POST', '/api/jobs', submitJobBody).answers(jobViewSchema),
  /** What the job would send to teammates (its files and their sizes), checked as a submit checks them; no job is made. */
  previewJob: route('POST', '/api/jobs/preview', submitJobBody).answers(jobPreviewSchema),
  jobs: route('GET', '/api/jobs').answers(z.array(jobViewSchema)),
  job: route('GET', '/api/jobs/:jobId').answers(z.object({ job: jobViewSchema, tasks: z.array(taskViewSchema) })),
  cancelJob: route('POST', '/api/jobs/:jobId/cancel').answers(jobViewSchema),
  pauseJob: route('POST', '/api/jobs/:jobId/pause').answers(jobViewSchema),
  resumeJob: route('POST', '/api/jobs/:jobId/resume').answers(jobViewSchema),
  setJobPriority: route('PUT', '/api/jobs/:jobId/priority', jobPriorityBody).answers(jobViewSchema),
  /** Opens the job's output folder in the desktop's file manager, or says why it could not (no desktop: the path). */
  openOutput: route('POST', '/api/jobs/:jobId/open-output').answers(openedFolderSchema),
  /** A scene file on this machine (a path, or an upload's): the job defaults it offers, or why it is not a scene. */
  inspectScene: route('POST', '/api/scenes/inspect', inspectSceneBody).answers(sceneInfoSchema),
  capacityHistory: route('GET', '/api/capacity/history').answers(capacityHistorySchema),
  /** The desktop shell says how long the owner has been away (for "only when idle"). */
  setPresence: route('PUT', '/api/presence', presenceBody).answers(agentStatusSchema),
  /** A one-time link that signs a browser into this agent's UI (token holders only: the CLI, `npm start`). */
  loginLink: route('POST', '/api/login-links').answers(loginLinkSchema),
  /** A physics wedge's variants done so far, sorted by a summary number (VARIANT_SORT_KEYS; "-" first: descending). */
  jobVariants: route('GET', '/api/jobs/:jobId/variants/:sortKey').answers(z.array(variantRowSchema)),
  /** Installs and enables Troupe's add-on in the Blender this machine found (its user preferences). */
  installBlenderAddon: route('POST', '/api/blender/addon').answers(addonInstalledSchema),
} as const;

/**
 * Routes whose request or answer is bytes, not JSON: a task's image (PNG) and a file upload (the
 * UI's dropped scene; the body is the file, at most MAX_UPLOAD_BYTES; the answer is JSON). Same
 * guard, same parameters; the typed client reaches them with `bytes()` and `upload()`.
 */
export const BYTE_ROUTES = {
  /** The image a done task produced: a bucket's tile or a frame, as PNG. */
  taskImage: { method: 'GET', path: '/api/jobs/:jobId/tasks/:taskId/image' },
  /** Puts one dropped file into an upload folder (several files of one scene share an uploadId). */
  upload: { method: 'PUT', path: '/api/uploads/:uploadId/:fileName', answer: uploadSchema },
} as const;
export type ByteRouteName = keyof typeof BYTE_ROUTES;
export type ByteRouteParams<N extends ByteRouteName> = ParamsOf<(typeof BYTE_ROUTES)[N]['path']>;

/** The event stream's path (a WebSocket; events are ControlEvent, one JSON text message each). */
export const EVENTS_PATH = '/api/events';

export type ControlRoutes = typeof CONTROL_ROUTES;
export type RouteName = keyof ControlRoutes;
export type RouteResponse<N extends RouteName> = Exclude<ControlRoutes[N]['response'], undefined>;
/** What a route's body accepts on the wire (defaults may be left out); undefined: no body. */
export type RouteBody<N extends RouteName> =
  Exclude<ControlRoutes[N]['sentBody'], undefined> extends never ? undefined : Exclude<ControlRoutes[N]['sentBody'], undefined>;
/** A route's body once checked (defaults filled in). */
export type RouteCheckedBody<N extends RouteName> =
  Exclude<ControlRoutes[N]['checkedBody'], undefined> extends never ? undefined : Exclude<ControlRoutes[N]['checkedBody'], undefined>;

type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name | keyof ParamsOf<`/${Rest}`>]: string }
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;
export type RouteParams<N extends RouteName> = ParamsOf<ControlRoutes[N]['path']>;

/** The path of a call, its parameters percent-encoded. */
export function pathOf(name: RouteName | ByteRouteName, params: Record<string, string> = {}): string {
  const route = name in CONTROL_ROUTES ? CONTROL_ROUTES[name as RouteName] : BYTE_ROUTES[name as ByteRouteName];
  return route.path.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${name}: missing path parameter ${key}`);
    return encodeURIComponent(value);
  });
}

export interface RouteMatch<N extends string = RouteName> {
  name: N;
  /** Raw (still percent-encoded) path parameters. */
  params: Record<string, string>;
}

function compile<N extends string>(table: Record<N, { method: HttpMethod; path: string }>) {
  return (Object.keys(table) as N[]).map((name) => {
    const names: string[] = [];
    const pattern = table[name].path.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
      names.push(key);
      return `(${PARAM_PATTERNS[key as ParamName]})`;
    });
    return { name, method: table[name].method, regex: new RegExp(`^${pattern}$`), names };
  });
}
const COMPILED = compile(CONTROL_ROUTES);
const COMPILED_BYTES = compile(BYTE_ROUTES);

/** The route for a request: a match, `wrong-method` (the path exists for other methods), or null. */
export function matchRoute(method: string, path: string): RouteMatch | 'wrong-method' | null {
  return matchIn(COMPILED, method, path);
}

/** Like matchRoute, among the byte routes. */
export function matchByteRoute(method: string, path: string): RouteMatch<ByteRouteName> | 'wrong-method' | null {
  return matchIn(COMPILED_BYTES, method, path);
}

function matchIn<N extends string>(compiled: ReturnType<typeof compile<N>>, method: string, path: string): RouteMatch<N> | 'wrong-method' | null {
  let pathExists = false;
  for (const c of compiled) {
    const m = c.regex.exec(path);
    if (!m) continue;
    pathExists = true;
    if (c.method !== method) continue;
    return { name: c.name, params: Object.fromEntries(c.names.map((n, i) => [n, m[i + 1]!])) };
  }
  return pathExists ? 'wrong-method' : null;
}
