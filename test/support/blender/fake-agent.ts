// A stand-in for a Troupe agent's control API, for the Blender add-on's test: it writes the data
// folder files the add-on reads (control.json, control-token), records every request, and answers
// the few calls the add-on makes with fixed views of a two-machine team and one running job.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { AGENT_PROOF_PATH, agentProof } from '../../../electron/agent/control-api/agent-proof.js';
import { registeredEngines } from '../../../electron/agent/engines/registered-engines.js';

/** The real agent's check of a job request: by its engine's own schema (the registry's). */
const engines = registeredEngines();

export interface RecordedRequest {
  method: string;
  url: string;
  authorization: string | undefined;
  body: unknown;
}

export interface FakeAgent {
  home: string;
  token: string;
  jobId: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const SELF = 'a'.repeat(64);
const TEAMMATE = 'b'.repeat(64);

export async function startFakeAgent(
  home: string,
  /** refusePreview: the words a real agent's refusal would carry (a file outside the project). */
  options: { teammateEngines: { id: string; version: string | null }[]; refusePreview?: string },
): Promise<FakeAgent> {
  const token = randomBytes(32).toString('hex');
  const jobId = randomBytes(8).toString('hex');
  const requests: RecordedRequest[] = [];
  const capacity = (engines: { id: string; version: string | null }[]) => ({
    cores: 2,
    freeCores: 2,
    memoryBytes: 1,
    freeMemoryBytes: 1,
    load: 0,
    sharing: 'on',
    engines,
  });
  const team = {
    teamId: 'team',
    name: 'studio',
    members: [
      {
        deviceId: SELF,
        name: 'designer',
        addedBy: SELF,
        online: true,
        self: true,
        address: null,
        capacity: capacity([]),
        lastHeartbeatMs: null,
      },
      {
        deviceId: TEAMMATE,
        name: 'render-box',
        addedBy: SELF,
        online: true,
        self: false,
        address: '10.0.0.2',
        capacity: capacity(options.teammateEngines),
        lastHeartbeatMs: 1,
      },
    ],
  };
  const attempt = (outcome: string, workMs: number | null) => ({
    workerId: TEAMMATE,
    startedAtMs: 1,
    endedAtMs: null,
    workMs,
    outcome,
    speculative: false,
    error: null,
  });
  const jobDetail = {
    job: { jobId, state: 'running', tasksDone: 1, tasksTotal: 6, errors: [], outputs: [] },
    tasks: [
      { taskId: 'f1', state: 'done', attempts: [attempt('done', 2500)] },
      { taskId: 'f2', state: 'running', attempts: [attempt('running', null)] },
    ],
  };

  const answer = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method!, url: req.url!, authorization: req.headers.authorization, body: text ? JSON.parse(text) : null });
      // As the agent does: proof that this listener holds the token, before the add-on sends it.
      if (req.method === 'GET' && req.url!.startsWith(`${AGENT_PROOF_PATH}?`)) {
        const nonce = new URLSearchParams(req.url!.split('?')[1]).get('nonce') ?? '';
        return answer(res, 200, { proof: agentProof(token, (server.address() as AddressInfo).port, nonce) });
      }
      if (req.headers.authorization !== `Bearer ${token}`)
        return answer(res, 401, { error: { code: 'unauthorized', message: 'no token' } });
      if (req.method === 'GET' && req.url === '/api/team') return answer(res, 200, team);
      if (req.method === 'POST' && (req.url === '/api/jobs' || req.url === '/api/jobs/preview')) {
        // The agent's own schema judges the add-on's body, as the real agent would.
        try {
          engines.parseRequest(text ? JSON.parse(text) : null);
        } catch (err) {
          return answer(res, 400, { error: { code: 'bad-request', message: (err as Error).message } });
        }
        if (req.url === '/api/jobs/preview' && options.refusePreview) return answer(res, 400, { error: { code: 'bad-scene', message: options.refusePreview } });
        if (req.url === '/api/jobs/preview')
          return answer(res, 200, { files: [{ name: 'animation.blend', sizeBytes: 900_000 }, { name: 'tex/wood.png', sizeBytes: 2_400_000 }], totalBytes: 3_300_000, warnings: [] });
        return answer(res, 200, { ...jobDetail.job, state: 'queued', tasksDone: 0 });
      }
      if (req.method === 'GET' && req.url === `/api/jobs/${jobId}`) return answer(res, 200, jobDetail);
      answer(res, 404, { error: { code: 'not-found', message: `${req.method} ${req.url}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, 'control.json'), JSON.stringify({ port: (server.address() as AddressInfo).port, pid: process.pid }));
  writeFileSync(join(home, 'control-token'), token + '\n', { mode: 0o600 });
  return { home, token, jobId, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
