// Owns the local control API: HTTP + a WebSocket event stream on 127.0.0.1, behind AccessGuard,
// with every request body checked against shared/control-api. What the calls do is the agent's.
// The same port serves the built UI to a browser (ui-files.ts) behind a one-time login link
// (ui-sessions.ts), for machines where the desktop app cannot run.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import type { ZodType } from 'zod';
import { TroupeError, toErrorBody, type ErrorCode } from '../../../shared/errors.js';
import {
  CONTROL_ROUTES,
  EVENTS_PATH,
  matchByteRoute,
  matchRoute,
  type RouteCheckedBody,
  type RouteName,
  type RouteParams,
  type RouteResponse,
} from '../../../shared/control-api/routes.js';
import {
  type AgentStatus,
  type JobPreview,
  type JobView,
  type SubmitJob,
  type TaskView,
  type ControlEvent,
  type Pairing,
  type PairRequest,
  type CapacityHistory,
  type OpenedFolder,
  type EngineActionDone,
  type EngineActionInfo,
  type ResultTable,
  type CommandJob,
  type SceneInfo,
  type Upload,
} from '../../../shared/control-api/index.js';
import type { NearbyDevice, SharingSetting, TeamView } from '../../../shared/model/index.js';
import { AccessGuard } from './access-guard.js';
import { AGENT_PROOF_PATH, agentProof } from './agent-proof.js';
import { securityHeaders, UiFiles } from './ui-files.js';
import { UiSessions } from './ui-sessions.js';

const MAX_BODY_BYTES = 64 * 1024;
/**
 * On every API answer: a page of another origin may not embed one (a task image in an <img>, JSON
 * in a <script>), whatever cookie the browser attached; pages on another port of this host are
 * the same site, so SameSite does not stop them.
 */
const API_HEADERS = { 'x-content-type-options': 'nosniff', 'cross-origin-resource-policy': 'same-origin' } as const;

/** What the control API needs from the agent (the agent implements it). */
export interface ControlApiHandlers {
  status(): AgentStatus;
  nearby(): NearbyDevice[];
  addNearby(address: string): Promise<NearbyDevice>;
  team(): TeamView | null;
  startPairing(target: string): Promise<Pairing>;
  pairing(id: string): Pairing | undefined;
  confirmPairing(id: string): Pairing;
  declinePairing(id: string): void;
  pairRequests(): PairRequest[];
  acceptRequest(id: string): Promise<void>;
  rejectRequest(id: string): void;
  removeMember(member: string): Promise<void>;
  setSharing(change: Partial<SharingSetting>): Promise<AgentStatus>;
  rename(name: string): Promise<AgentStatus>;
  renameTeam(name: string): Promise<TeamView>;
  subscribe(listener: (event: ControlEvent) => void): () => void;
  submitJob(body: SubmitJob): Promise<JobView>;
  previewJob(body: SubmitJob): Promise<JobPreview>;
  jobs(): JobView[];
  job(jobId: string): { job: JobView; tasks: TaskView[] };
  jobSummary(jobId: string): JobView;
  cancelJob(jobId: string): JobView;
  pauseJob(jobId: string): JobView;
  resumeJob(jobId: string): JobView;
  setJobPriority(jobId: string, priority: number): JobView;
  openOutput(jobId: string): Promise<OpenedFolder>;
  engineActions(): EngineActionInfo[];
  runEngineAction(engine: string, action: string): Promise<EngineActionDone>;
  jobTable(jobId: string, table: string, sortKey: string): Promise<ResultTable>;
  commandJob(body: CommandJob): Promise<{ job: JobView | null; preview: JobPreview | null }>;
  inspectScene(scenePath: string): Promise<SceneInfo>;
  capacityHistory(): CapacityHistory;
  setPresence(idleSeconds: number): AgentStatus;
  /** PNG bytes of a done task's image. */
  taskImage(jobId: string, taskId: string): Promise<Buffer>;
  upload(uploadId: string, fileName: string, body: IncomingMessage): Promise<Upload>;
}

export interface ControlServerOptions {
  /** Origins besides our own that may call (a plug-in's page); none by default. */
  extraOrigins?: readonly string[];
  /** The built UI to serve to browsers (dist/renderer); none: the API only. */
  uiDir?: string;
}

/** A route's handler: its path parameters (raw) and its checked body, to its response. */
type Handlers = {
  [N in RouteName]: (params: RouteParams<N>, body: RouteCheckedBody<N>) => RouteResponse<N> | Promise<RouteResponse<N>>;
};

export class ControlServer {
  private readonly server = http.createServer((req, res) => void this.onRequest(req, res));
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly guard: AccessGuard;
  private readonly handlers: Handlers;
  private readonly sessions = new UiSessions();
  private readonly ui: UiFiles | null;
  private port = 0;

  constructor(
    private readonly api: ControlApiHandlers,
    private readonly token: string,
    options: ControlServerOptions = {},
  ) {
    this.guard = new AccessGuard(token, () => this.port, options.extraOrigins ?? [], this.sessions);
    this.ui = options.uiDir ? new UiFiles(options.uiDir, () => this.port) : null;
    this.server.on('upgrade', (req, socket, head) => {
      const verdict = this.guard.check(req);
      if (!verdict.ok || (req.url ?? '').split('?')[0] !== EVENTS_PATH) {
        const status = verdict.ok ? 404 : verdict.status;
        return void socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const unsubscribe = this.api.subscribe((event) => ws.send(JSON.stringify(event)));
        ws.on('close', unsubscribe);
        ws.on('message', () => undefined); // the stream is one-way; clients talk through HTTP
        // A client's protocol error (a frame over maxPayload, bad UTF-8): ws closes the socket itself;
        // unheard, the 'error' event would take the whole agent down.
        ws.on('error', () => undefined);
      });
    });
    this.server.requestTimeout = 120_000; // pairing waits on a human for up to a minute
    this.server.headersTimeout = 10_000;
    const a = this.api;
    // One handler per route of CONTROL_ROUTES: the table says the method, the path and the body's
    // schema, so the compiler makes sure every route is served and nothing else is.
    this.handlers = {
      status: () => a.status(),
      nearby: () => a.nearby(),
      addNearby: (_p, b) => a.addNearby(b.address),
      team: () => a.team(),
      renameTeam: (_p, b) => a.renameTeam(b.name),
      removeMember: (p) => a.removeMember(decodePathParam(p.member)).then(() => ({ removed: true as const })),
      startPairing: (_p, b) => a.startPairing(b.target),
      pairing: (p) => a.pairing(p.pairingId) ?? notFound(`No pairing ${p.pairingId}`),
      confirmPairing: (p) => a.confirmPairing(p.pairingId),
      declinePairing: (p) => (a.declinePairing(p.pairingId), { declined: true as const }),
      pairRequests: () => a.pairRequests(),
      acceptRequest: (p) => a.acceptRequest(p.requestId).then(() => ({ accepted: true as const })),
      rejectRequest: (p) => (a.rejectRequest(p.requestId), { rejected: true as const }),
      setSharing: (_p, b) => a.setSharing(b),
      rename: (_p, b) => a.rename(b.name),
      submitJob: (_p, b) => a.submitJob(b),
      previewJob: (_p, b) => a.previewJob(b),
      commandJob: (_p, b) => a.commandJob(b),
      jobs: () => a.jobs(),
      job: (p) => a.job(p.jobId),
      jobSummary: (p) => a.jobSummary(p.jobId),
      cancelJob: (p) => a.cancelJob(p.jobId),
      pauseJob: (p) => a.pauseJob(p.jobId),
      resumeJob: (p) => a.resumeJob(p.jobId),
      setJobPriority: (p, b) => a.setJobPriority(p.jobId, b.priority),
      openOutput: (p) => a.openOutput(p.jobId),
      inspectScene: (_p, b) => a.inspectScene(b.scenePath),
      capacityHistory: () => a.capacityHistory(),
      setPresence: (_p, b) => a.setPresence(b.idleSeconds),
      loginLink: () => this.loginLink(),
      engineActions: () => a.engineActions(),
      runEngineAction: (p) => a.runEngineAction(p.engine, p.action),
      jobTable: (p) => a.jobTable(p.jobId, p.table, p.sortKey),
    };
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      // Loopback only, always: this API can pair machines and will be able to run jobs.
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** A one-time link that signs a browser in to this agent's UI. */
  loginLink(): { url: string; expiresAtMs: number } {
    const { code, expiresAtMs } = this.sessions.mintCode();
    return { url: `http://127.0.0.1:${this.port}/login?code=${code}`, expiresAtMs };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    if (!path.startsWith('/api/')) return this.onPageRequest(req, res, path, query);
    const verdict = this.guard.check(req);
    if (!verdict.ok) return send(res, verdict.status, { error: { code: verdict.code, message: verdict.message } });
    const bytes = matchByteRoute(req.method ?? '', path);
    if (bytes && bytes !== 'wrong-method') return this.onBytesRequest(req, res, bytes.name, bytes.params);
    const match = matchRoute(req.method ?? '', path);
    if (match && match !== 'wrong-method' && match.name === 'loginLink' && !this.guard.hasToken(req))
      return send(res, 403, { error: { code: 'forbidden-origin', message: 'Only the token holder (the troupe command) may make login links' } });
    if (match === 'wrong-method')
      return send(res, 405, { error: { code: 'bad-request', message: `${req.method} is not allowed on ${path}` } });
    if (!match) return send(res, 404, { error: { code: 'not-found', message: `No such endpoint: ${path.slice(0, 100)}` } });
    try {
      const schema = CONTROL_ROUTES[match.name].body as ZodType<unknown> | null;
      const handler = this.handlers[match.name] as (params: Record<string, string>, body: unknown) => unknown;
      const result = await handler(match.params, schema ? await body(req, schema) : undefined);
      send(res, 200, result ?? null);
    } catch (err) {
      const error = toErrorBody(err);
      send(res, statusFor(error.code), { error });
    }
  }

  private async onBytesRequest(req: IncomingMessage, res: ServerResponse, name: 'taskImage' | 'upload', params: Record<string, string>): Promise<void> {
    try {
      if (name === 'taskImage') {
        const png = await this.api.taskImage(params.jobId!, decodePathParam(params.taskId!));
        res.writeHead(200, { ...API_HEADERS, 'content-type': 'image/png', 'content-length': png.byteLength, 'cache-control': 'private, max-age=3600' });
        return void res.end(png);
      }
      send(res, 200, await this.api.upload(params.uploadId!, params.fileName!, req));
    } catch (err) {
      const error = toErrorBody(err);
      send(res, statusFor(error.code), { error });
      req.resume(); // an upload refused before its body was read: drain it so the answer is read
    }
  }

  /** The UI's files and the login page: no secret here, but the same Host and Origin rules. */
  private async onPageRequest(req: IncomingMessage, res: ServerResponse, path: string, query: string): Promise<void> {
    const verdict = this.guard.checkHost(req);
    if (!verdict.ok) return page(res, verdict.status, this.port, 'Refused', verdict.message);
    if (req.method !== 'GET' && req.method !== 'HEAD') return page(res, 405, this.port, 'Not allowed', `${req.method} is not allowed here`);
    if (path === AGENT_PROOF_PATH) {
      // Before a client sends the token: proof that this listener holds it (agent-proof.ts).
      const nonce = new URLSearchParams(query).get('nonce') ?? '';
      if (!/^[0-9a-f]{16,128}$/.test(nonce)) return send(res, 400, { error: { code: 'bad-request', message: 'nonce: 16 to 128 hex digits' } });
      return send(res, 200, { proof: agentProof(this.token, this.port, nonce) });
    }
    if (path === '/login') {
      // Only a GET (a person following the link) spends the code: a HEAD is a link checker's or a preview's.
      if (req.method !== 'GET') return page(res, 405, this.port, 'Not allowed', 'Open this link in a browser to sign in.');
      const code = new URLSearchParams(query).get('code') ?? '';
      const granted = code ? this.sessions.redeem(code) : null;
      if (!granted)
        return page(res, 401, this.port, 'This sign-in link has been used or has expired', 'Run `npx troupe open` on this machine for a new one.');
      // The page itself, the session inside it: a redirect to a URL holding it put it in history.
      const html = await this.ui?.pageWithSession(granted);
      if (!html) return page(res, 404, this.port, 'The Troupe UI is not built', 'Run `npm run build` in the Troupe folder, then follow a new link (`npx troupe open`).');
      res.writeHead(200, { ...securityHeaders(this.port), 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
      return void res.end(html);
    }
    if (this.ui && (await this.ui.serve(path, res))) return;
    if (path === '/' && !(await this.ui?.exists()))
      return page(res, 404, this.port, 'The Troupe UI is not built', 'Run `npm run build` in the Troupe folder, then reload this page.');
    page(res, 404, this.port, 'Not found', `Nothing at ${path.slice(0, 100)}`);
  }
}

/** A plain page for people who followed a link: what happened and what to do. */
function page(res: ServerResponse, status: number, port: number, title: string, text: string): void {
  const esc = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(title)} · Troupe</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`;
  res.writeHead(status, { ...securityHeaders(port), 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html), 'cache-control': 'no-store' });
  res.end(html);
}

function statusFor(code: ErrorCode): number {
  const table: Partial<Record<ErrorCode, number>> = {
    'bad-request': 400,
    'bad-frame': 400,
    'not-found': 404,
    'unknown-device': 404,
    unauthorized: 401,
    'forbidden-origin': 403,
    'pairing-rate-limited': 429,
    'peer-unreachable': 502,
    internal: 500,
  };
  return table[code] ?? 409;
}

/** A percent-encoded path segment; a malformed escape (`%E0%A4%A`) is the client's mistake, not ours. */
function decodePathParam(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new TroupeError('bad-request', `Malformed percent-encoding in ${text.slice(0, 100)}`);
  }
}

function notFound(message: string): never {
  throw new TroupeError('not-found', message);
}

async function body<T>(req: IncomingMessage, schema: ZodType<T>): Promise<T> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new TroupeError('bad-request', `Request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new TroupeError('bad-request', 'The request body is not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TroupeError('bad-request', `Invalid request: ${issue?.path.join('.') || 'body'}: ${issue?.message}`);
  }
  return parsed.data;
}

function send(res: ServerResponse, status: number, value: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(value);
  res.writeHead(status, { ...API_HEADERS, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
