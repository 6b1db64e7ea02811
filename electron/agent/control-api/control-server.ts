// Owns the local control API: HTTP + a WebSocket event stream on 127.0.0.1, behind AccessGuard,
// with every request body checked against shared/control-api. What the calls do is the agent's.

import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { WebSocketServer } from 'ws';
import type { ZodType } from 'zod';
import { TroupeError, toErrorBody, type ErrorCode } from '../../../shared/errors.js';
import {
  CONTROL_ROUTES,
  EVENTS_PATH,
  matchRoute,
  type RouteCheckedBody,
  type RouteName,
  type RouteParams,
  type RouteResponse,
} from '../../../shared/control-api/routes.js';
import {
  type AgentStatus,
  type JobView,
  type SubmitJob,
  type TaskView,
  type ControlEvent,
  type Pairing,
  type PairRequest,
} from '../../../shared/control-api/index.js';
import type { NearbyDevice, SharingSetting, TeamView } from '../../../shared/model/index.js';
import { AccessGuard } from './access-guard.js';

const MAX_BODY_BYTES = 64 * 1024;

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
  jobs(): JobView[];
  job(jobId: string): { job: JobView; tasks: TaskView[] };
  cancelJob(jobId: string): JobView;
  pauseJob(jobId: string): JobView;
  resumeJob(jobId: string): JobView;
  setJobPriority(jobId: string, priority: number): JobView;
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
  private port = 0;

  constructor(
    private readonly api: ControlApiHandlers,
    token: string,
    extraOrigins: readonly string[] = [],
  ) {
    this.guard = new AccessGuard(token, () => this.port, extraOrigins);
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
      jobs: () => a.jobs(),
      job: (p) => a.job(p.jobId),
      cancelJob: (p) => a.cancelJob(p.jobId),
      pauseJob: (p) => a.pauseJob(p.jobId),
      resumeJob: (p) => a.resumeJob(p.jobId),
      setJobPriority: (p, b) => a.setJobPriority(p.jobId, b.priority),
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

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const verdict = this.guard.check(req);
    if (!verdict.ok) return send(res, verdict.status, { error: { code: verdict.code, message: verdict.message } });
    const path = (req.url ?? '/').split('?')[0]!;
    const match = matchRoute(req.method ?? '', path);
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
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}
