// The main process's way to the agent, against a small stand-in server on loopback: the token
// goes as a Bearer header on HTTP and as a subprotocol on the event stream, which reconnects
// after the agent goes away; with no agent every call answers 503 in words.

import http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_PROOF_PATH, agentProof } from '../../../../electron/agent/control-api/agent-proof.js';
import { probeAgent, readAgentEndpoint, type AgentEndpoint } from '../../../../electron/main/agent-endpoint.js';
import { AgentEventHub } from '../../../../electron/main/agent-event-hub.js';
import { bytesTransport, eventsTransport, jsonTransport } from '../../../../electron/main/agent-transports.js';
import type { EventStreamState } from '../../../../shared/control-api/control-client.js';

const TOKEN = 'a'.repeat(64);
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A stand-in agent: its proof of the token, /api/status and /api/events behind the token; every request recorded. */
async function standIn(port = 0) {
  const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body });
      if (req.url?.startsWith(`${AGENT_PROOF_PATH}?`)) {
        const nonce = new URLSearchParams(req.url.split('?')[1]).get('nonce') ?? '';
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ proof: agentProof(TOKEN, (server.address() as { port: number }).port, nonce) }));
      }
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end('{}');
      if (req.url?.startsWith('/api/jobs/')) return void res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([137, 80]));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, echo: body ? JSON.parse(body) : null }));
    });
  });
  const wss = new WebSocketServer({
    server,
    path: '/api/events',
    verifyClient: (info: { req: http.IncomingMessage }) => info.req.headers['sec-websocket-protocol'] === `troupe-token.${TOKEN}`,
  });
  wss.on('connection', (ws) => ws.send(JSON.stringify({ type: 'memberOnline', deviceId: 'd', name: 'render-box' })));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const close = async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port: (server.address() as { port: number }).port, seen, close };
}

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('agent endpoint', () => {
  it('reads the files the agent writes and asks it whether it is there', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-endpoint-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    expect(await readAgentEndpoint(dir)).toBeNull();
    const agent = await standIn();
    cleanups.push(agent.close);
    await writeFile(join(dir, 'control.json'), JSON.stringify({ port: agent.port }));
    await writeFile(join(dir, 'control-token'), TOKEN + '\n');
    expect(await probeAgent(dir)).toEqual({ port: agent.port, token: TOKEN });
    await writeFile(join(dir, 'control-token'), 'b'.repeat(64));
    expect(await probeAgent(dir)).toBeNull(); // answers, but not to our token
    await writeFile(join(dir, 'control.json'), JSON.stringify({ port: 'x' }));
    expect(await readAgentEndpoint(dir)).toBeNull();
  });

  it('calls a port where nobody listens a missing agent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'troupe-endpoint-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const gone = await standIn();
    await gone.close();
    await writeFile(join(dir, 'control.json'), JSON.stringify({ port: gone.port }));
    await writeFile(join(dir, 'control-token'), TOKEN);
    expect(await probeAgent(dir, 500)).toBeNull();
  });
});

describe('agent transports', () => {
  it('send JSON and bytes with the token, and answer 503 when there is no agent', async () => {
    const agent = await standIn();
    cleanups.push(agent.close);
    let endpoint: AgentEndpoint | null = { port: agent.port, token: TOKEN };
    const json = jsonTransport(() => endpoint);
    expect(await json('PUT', '/api/sharing', { mode: 'idle' })).toEqual({ status: 200, value: { ok: true, echo: { mode: 'idle' } } });
    expect(agent.seen.at(-1)).toMatchObject({ method: 'PUT', url: '/api/sharing', auth: `Bearer ${TOKEN}` });
    const bytes = bytesTransport(() => endpoint);
    const image = await bytes('GET', '/api/jobs/x/tasks/y/image', null);
    expect(image).toMatchObject({ status: 200, contentType: 'image/png' });
    expect([...image.bytes]).toEqual([137, 80]);
    endpoint = null;
    expect(await json('GET', '/api/status', undefined)).toMatchObject({ status: 503, value: { error: { code: 'peer-unreachable' } } });
    const none = await bytes('GET', '/api/jobs/x/tasks/y/image', null);
    expect(none.status).toBe(503);
    expect(JSON.parse(new TextDecoder().decode(none.bytes))).toMatchObject({ error: { code: 'peer-unreachable' } });
  });

  it('stream events with the token as subprotocol and reconnect after the agent comes back', async () => {
    let agent = await standIn();
    const port = agent.port;
    const endpoint: AgentEndpoint = { port, token: TOKEN };
    const hub = new AgentEventHub(eventsTransport(() => endpoint));
    const texts: string[] = [];
    const names: string[] = [];
    const states: EventStreamState[] = [];
    hub.onText((t) => texts.push(t));
    hub.onEvent((e) => e.type === 'memberOnline' && names.push(e.name));
    hub.onState((s) => states.push(s));
    hub.start();
    cleanups.push(async () => hub.stop());
    await until(() => names.length === 1);
    expect(hub.state).toBe('open');
    expect(JSON.parse(texts[0]!)).toMatchObject({ type: 'memberOnline' });
    await agent.close();
    await until(() => hub.state !== 'open');
    agent = await standIn(port); // the agent restarted on the same port
    cleanups.push(agent.close);
    await until(() => names.length === 2);
    expect(states).toEqual(expect.arrayContaining(['connecting', 'open', 'closed']));
    hub.stop();
    expect(hub.state).toBe('closed');
  });

  it('hand the window malformed or unknown events as text, but not the tray', () => {
    let send: (text: string) => void = () => undefined;
    const hub = new AgentEventHub((message) => {
      send = message;
      return () => undefined;
    });
    const texts: string[] = [];
    const events: unknown[] = [];
    hub.onText((t) => texts.push(t));
    hub.onEvent((e) => events.push(e));
    hub.start();
    send('not json');
    send(JSON.stringify({ type: 'fromTheFuture' }));
    send(JSON.stringify({ type: 'memberOnline', deviceId: 'd', name: 'n' }));
    expect(texts).toHaveLength(3);
    expect(events).toEqual([{ type: 'memberOnline', deviceId: 'd', name: 'n' }]);
  });
});
