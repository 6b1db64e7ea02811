// Owns the control API's paths: every call's method and path, and matching a request to its
// route. No schema is here, and nothing that loads zod: a client that does not check what it reads
// (the CLI, which talks to the agent of its own install) starts without it. routes.ts adds each
// route's request and answer schemas to these.

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
  /** A result table's name (ResultTableInfo.name) and a column key to sort by, "-" first: descending. */
  table: '[a-z][a-z0-9-]{0,31}',
  engine: '[a-z][a-z0-9-]{0,31}',
  action: '[a-z][a-z0-9-]{0,31}',
  sortKey: '-?[A-Za-z][A-Za-z0-9]{0,39}',
} as const;
export type ParamName = keyof typeof PARAM_PATTERNS;

export const ROUTE_PATHS = {
  status: { method: 'GET', path: '/api/status' },
  nearby: { method: 'GET', path: '/api/nearby' },
  addNearby: { method: 'POST', path: '/api/nearby' },
  team: { method: 'GET', path: '/api/team' },
  renameTeam: { method: 'PUT', path: '/api/team/name' },
  removeMember: { method: 'DELETE', path: '/api/team/members/:member' },
  startPairing: { method: 'POST', path: '/api/pairings' },
  pairing: { method: 'GET', path: '/api/pairings/:pairingId' },
  confirmPairing: { method: 'POST', path: '/api/pairings/:pairingId/confirm' },
  declinePairing: { method: 'POST', path: '/api/pairings/:pairingId/decline' },
  pairRequests: { method: 'GET', path: '/api/pair-requests' },
  acceptRequest: { method: 'POST', path: '/api/pair-requests/:requestId/accept' },
  rejectRequest: { method: 'POST', path: '/api/pair-requests/:requestId/reject' },
  setSharing: { method: 'PUT', path: '/api/sharing' },
  rename: { method: 'PUT', path: '/api/name' },
  submitJob: { method: 'POST', path: '/api/jobs' },
  /** What the job would send to teammates (its files and their sizes), checked as a submit checks them; no job is made. */
  previewJob: { method: 'POST', path: '/api/jobs/preview' },
  /** A job from a command line (`troupe render FILE --flags`): the agent picks the engine and reads the flags as it says (since 2.7). */
  commandJob: { method: 'POST', path: '/api/jobs/command' },
  jobs: { method: 'GET', path: '/api/jobs' },
  job: { method: 'GET', path: '/api/jobs/:jobId' },
  /** The job alone, without its tasks (since 2.6): what a follower asks when it may have missed an event. */
  jobSummary: { method: 'GET', path: '/api/jobs/:jobId/summary' },
  cancelJob: { method: 'POST', path: '/api/jobs/:jobId/cancel' },
  pauseJob: { method: 'POST', path: '/api/jobs/:jobId/pause' },
  resumeJob: { method: 'POST', path: '/api/jobs/:jobId/resume' },
  setJobPriority: { method: 'PUT', path: '/api/jobs/:jobId/priority' },
  /** Opens the job's output folder in the desktop's file manager, or says why it could not (no desktop: the path). */
  openOutput: { method: 'POST', path: '/api/jobs/:jobId/open-output' },
  /** A scene file on this machine (a path, or an upload's): the job defaults it offers, or why it is not a scene. */
  inspectScene: { method: 'POST', path: '/api/scenes/inspect' },
  capacityHistory: { method: 'GET', path: '/api/capacity/history' },
  /** The desktop shell says how long the owner has been away (for "only when idle"). */
  setPresence: { method: 'PUT', path: '/api/presence' },
  /** A one-time link that signs a browser into this agent's UI (token holders only: the CLI, `npm start`). */
  loginLink: { method: 'POST', path: '/api/login-links' },
  /** One of a job's result tables (JobAbout.tables) with the rows done so far, sorted by a column's key ("-" first: descending). */
  jobTable: { method: 'GET', path: '/api/jobs/:jobId/tables/:table/:sortKey' },
  /** What this machine's engines offer to do here (EngineActionInfo), since 2.7. */
  engineActions: { method: 'GET', path: '/api/engine-actions' },
  /** Runs one of them (install the Blender add-on), and says what it did. */
  runEngineAction: { method: 'POST', path: '/api/engine-actions/:engine/:action' },
} as const satisfies Record<string, { method: HttpMethod; path: string }>;
export type RoutePathName = keyof typeof ROUTE_PATHS;

/**
 * Routes whose request or answer is bytes, not JSON: a task's image (PNG) and a file upload (the
 * UI's dropped scene; the body is the file, at most MAX_UPLOAD_BYTES; the answer is JSON). Same
 * guard, same parameters; the typed client reaches them with `taskImage()` and `upload()`.
 */
export const BYTE_ROUTE_PATHS = {
  /** The image a done task produced: a bucket's tile or a frame, as PNG. */
  taskImage: { method: 'GET', path: '/api/jobs/:jobId/tasks/:taskId/image' },
  /** Puts one dropped file into an upload folder (several files of one scene share an uploadId). */
  upload: { method: 'PUT', path: '/api/uploads/:uploadId/:fileName' },
} as const;
export type ByteRouteName = keyof typeof BYTE_ROUTE_PATHS;
export type ByteRouteParams<N extends ByteRouteName> = ParamsOf<(typeof BYTE_ROUTE_PATHS)[N]['path']>;

/** The event stream's path (a WebSocket; events are ControlEvent, one JSON text message each). */
export const EVENTS_PATH = '/api/events';
/** Browsers cannot set headers on a WebSocket, so the event stream also takes the token as a subprotocol. */
export const CONTROL_TOKEN_SUBPROTOCOL_PREFIX = 'troupe-token.';

export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? { [K in Name | keyof ParamsOf<`/${Rest}`>]: string }
  : P extends `${string}:${infer Name}`
    ? { [K in Name]: string }
    : Record<never, never>;
export type RoutePathParams<N extends RoutePathName> = ParamsOf<(typeof ROUTE_PATHS)[N]['path']>;

/** The path of a call, its parameters percent-encoded. */
export function pathOf(name: RoutePathName | ByteRouteName, params: Record<string, string> = {}): string {
  const route = name in ROUTE_PATHS ? ROUTE_PATHS[name as RoutePathName] : BYTE_ROUTE_PATHS[name as ByteRouteName];
  return route.path.replace(/:([a-zA-Z]+)/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) throw new Error(`${name}: missing path parameter ${key}`);
    return encodeURIComponent(value);
  });
}

export interface RouteMatch<N extends string = RoutePathName> {
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
const COMPILED = compile(ROUTE_PATHS);
const COMPILED_BYTES = compile(BYTE_ROUTE_PATHS);

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
