// What the app's UI needs of the agent, against a real agent in this process over real HTTP: the
// browser login (one-time link, a session handed to the page in the fragment, Origin rules), the UI's files and their policy,
// uploads of dropped files, scene defaults, per-task events with tile images, capacity history,
// presence, and "open output folder" where there is no desktop.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../electron/agent/agent.js';
import { startUiAgent } from '../support/ui-agent.js';
import { ControlClient } from '../../electron/cli/control-client.js';
import type { ControlEvent, TaskView } from '../../shared/control-api/index.js';
import { controlEventSchema } from '../../shared/control-api/responses.js';
import { rawRequest, sessionOfLoginAnswer } from '../support/raw-http.js';
import { hangDeadline } from './harness/testbed.js';

const REPO = join(import.meta.dirname, '../..');
const root = mkdtempSync(join(os.tmpdir(), 'troupe-ui-'));
const uiDir = join(root, 'ui');
let agent: Agent;
let client: ControlClient;
let base: string;

const raw = (path: string, init: Parameters<typeof rawRequest>[2] = {}) => rawRequest(agent.controlPort, path, init);

async function signIn(): Promise<string> {
  const link = await client.call('loginLink');
  return sessionOfLoginAnswer(await raw(new URL(link.url).pathname + new URL(link.url).search));
}


describe('the agent serves the app', () => {
  beforeAll(async () => {
    mkdirSync(join(uiDir, 'assets'), { recursive: true });
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Troupe</title><script type="module" src="./assets/app.js"></script>');
    writeFileSync(join(uiDir, 'assets', 'app.js'), 'console.log("app")');
    agent = await startUiAgent(root, uiDir);
    client = await ControlClient.open(join(root, 'alpha'));
    base = `http://127.0.0.1:${agent.controlPort}`;
  });
  afterAll(async () => {
    await agent.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the UI with a strict content security policy, and nothing outside its folder', async () => {
    const page = await raw('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await raw('/assets/app.js')).headers['content-type']).toContain('text/javascript');
    for (const path of ['/../alpha/control-token', '/%2e%2e/alpha/control-token', '/assets/..%2f..%2falpha%2fcontrol-token', '/%00index.html'])
      expect((await raw(path)).status, path).toBe(404);
    // A page another site's DNS points here (rebinding) gets nothing.
    expect((await raw('/', { headers: { host: 'evil.example' } })).status).toBe(403);
  });

  it('signs a browser in once per link, by a session inside the page it answers with (in no URL), never a cookie', async () => {
    const link = await client.call('loginLink');
    const path = new URL(link.url).pathname + new URL(link.url).search;
    const first = await raw(path);
    // A cookie would reach every server on this host (cookies are not kept apart by port).
    expect(first.headers['set-cookie']).toBeUndefined();
    expect(first.headers.location).toBeUndefined(); // no redirect: a URL holding the session would be in history
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    expect(first.headers['cache-control']).toBe('no-store');
    sessionOfLoginAnswer(first);
    const again = await raw(path);
    expect(again.status).toBe(401);
    expect(again.body.toString()).toContain('troupe open');
    expect((await raw('/login?code=made-up')).status).toBe(401);
  });

  it('lets the session read, and change things only with our Origin; never mint more links', async () => {
    const session = await signIn();
    const bearer = `Bearer ${session}`;
    const origin = base;
    expect((await raw('/api/status', { headers: { authorization: bearer } })).status).toBe(200);
    const noOrigin = await raw('/api/sharing', { method: 'PUT', headers: { authorization: bearer, 'content-type': 'application/json' }, body: '{"mode":"on"}' });
    expect(noOrigin.status).toBe(403);
    const foreign = await raw('/api/sharing', { method: 'PUT', headers: { authorization: bearer, origin: 'https://evil.example', 'content-type': 'application/json' }, body: '{"mode":"on"}' });
    expect(foreign.status).toBe(403);
    const ours = await raw('/api/sharing', { method: 'PUT', headers: { authorization: bearer, origin, 'content-type': 'application/json' }, body: '{"mode":"on"}' });
    expect(ours.status).toBe(200);
    expect((await raw('/api/login-links', { method: 'POST', headers: { authorization: bearer, origin } })).status).toBe(403);
    expect((await raw('/api/status', { headers: { authorization: 'Bearer forged-session-forged-session-forged' } })).status).toBe(401);
    // The event stream takes the session as a subprotocol (a page cannot set headers there), from our page only.
    const events = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${agent.controlPort}/api/events`, [`troupe-token.${session}`], { headers: { origin } });
      ws.once('open', () => (ws.close(), resolve('open')));
      ws.once('error', (err) => resolve(String(err)));
    });
    expect(events).toBe('open');
    const refused = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${agent.controlPort}/api/events`, [`troupe-token.${session}`], { headers: { origin: 'https://evil.example' } });
      ws.once('open', () => (ws.close(), resolve('open')));
      ws.once('error', () => resolve('refused'));
    });
    expect(refused).toBe('refused');
  });

  it('takes a dropped scene as an upload and offers its defaults; refuses path tricks and non-scenes in words', async () => {
    const glb = readFileSync(join(REPO, 'assets/sample-scene.glb'));
    const upload = await client.upload({ uploadId: '0123456789abcdef', fileName: 'sample scene.glb' }, glb);
    expect(upload.sizeBytes).toBe(glb.byteLength);
    expect(upload.path).toBe(join(root, 'alpha', 'uploads', '0123456789abcdef', 'sample scene.glb'));
    const info = await client.call('inspectScene', { scenePath: upload.path });
    expect(info.name).toBe('sample scene.glb');
    expect(info.triangles).toBeGreaterThan(0);
    for (const name of ['..', '.hidden', 'a/b.glb', 'a\\b.glb', '..%2f..%2fcontrol-token'])
      await expect(client.upload({ uploadId: '0123456789abcdef', fileName: name }, glb), name).rejects.toThrow(/cannot be used as a file name|not valid|No such endpoint/); // `..` is folded away by the URL itself
    const text = await client.upload({ uploadId: '0123456789abcdef', fileName: 'notes.txt' }, Buffer.from('hello'));
    await expect(client.call('inspectScene', { scenePath: text.path })).rejects.toThrow(/notes\.txt is not a scene Troupe can render/);
    const fake = await client.upload({ uploadId: '0123456789abcdef', fileName: 'broken.glb' }, Buffer.from('not a glb at all'));
    await expect(client.call('inspectScene', { scenePath: fake.path })).rejects.toThrow(/broken\.glb/);
    // Declared larger than any scene may be: refused before a byte is stored.
    const huge = await raw('/api/uploads/0123456789abcdef/huge.glb', {
      method: 'PUT',
      headers: { authorization: `Bearer ${readFileSync(join(root, 'alpha', 'control-token'), 'utf8').trim()}`, 'content-length': String(3 * 1024 ** 3) },
    }).catch(() => null);
    if (huge) expect(huge.status).toBe(400);
  });

  it('tells each task as it changes, and shows a done bucket as a PNG of its region', async () => {
    const events: ControlEvent[] = [];
    const unsubscribe = client.subscribe((e) => events.push(e));
    await new Promise((r) => setTimeout(r, 300));
    const job = await client.call('submitJob', {
      scenePath: join(REPO, 'assets/sample-scene.glb'),
      width: 96,
      height: 64,
      samplesPerPixel: 2,
      outputDir: join(root, 'renders', 'still'),
    });
    const deadline = Date.now() + hangDeadline(60_000);
    while (!events.some((e) => e.type === 'jobChanged' && e.job.jobId === job.jobId && e.job.state === 'done') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    unsubscribe();
    for (const e of events) expect(controlEventSchema.safeParse(e).success).toBe(true);
    const taskEvents = events.filter((e): e is Extract<ControlEvent, { type: 'taskChanged' }> => e.type === 'taskChanged' && e.jobId === job.jobId);
    const buckets = new Map<string, TaskView>();
    for (const e of taskEvents) if (e.task.kind === 'bucket') buckets.set(e.task.taskId, e.task);
    expect(buckets.size).toBeGreaterThan(1);
    expect([...buckets.values()].every((t) => t.state === 'done' && t.attempts.some((a) => a.outcome === 'done'))).toBe(true);
    // Each bucket was told taken (leased or running: changes of one turn are told once) before done.
    for (const id of buckets.keys()) {
      const told = taskEvents.filter((e) => e.task.taskId === id).map((e) => e.task.state);
      expect(['leased', 'running'], `${id}: ${told.join(' ')}`).toContain(told[0]);
      expect(told.at(-1)).toBe('done');
    }
    const merge = taskEvents.find((e) => e.task.kind === 'merge' && e.task.state === 'done')!.task;
    const finished = await client.taskImage({ jobId: job.jobId, taskId: merge.taskId });
    const view = await client.call('job', { jobId: job.jobId });
    expect(Buffer.from(finished).equals(readFileSync(join(root, 'renders', 'still', view.job.outputs[0]!)))).toBe(true);
    // A bucket's tile: merged and dropped by now (done jobs keep no tiles), said in words.
    const bucket = [...buckets.values()][0]!;
    await client.taskImage({ jobId: job.jobId, taskId: bucket.taskId }).then(
      (png) => {
        expect(Buffer.from(png).readUInt32BE(16)).toBe(bucket.region!.width);
      },
      (err: Error) => expect(err.message).toMatch(/merged into its frame/),
    );
    await expect(client.taskImage({ jobId: job.jobId, taskId: `${job.jobId}:nope` })).rejects.toThrow(/No task/);
  });

  it('keeps minutes of capacity samples, takes presence, and says where images are when there is no desktop', async () => {
    (agent as any).history.sample();
    const history = await client.call('capacityHistory');
    expect(history.samples.length).toBeGreaterThan(0);
    expect(history.samples.at(-1)!.members[0]!.cores).toBe(os.availableParallelism());
    const status = await client.call('setPresence', { idleSeconds: 42 });
    expect(status.userIdleSeconds).toBeGreaterThanOrEqual(42);
    expect(status.defaultOutputDir).toBe(join(root, 'renders'));
    const [job] = await client.call('jobs');
    const display = process.env.DISPLAY;
    delete process.env.DISPLAY;
    try {
      const opened = await client.call('openOutput', { jobId: job!.jobId });
      expect(opened.opened).toBe(false);
      expect(opened.message).toContain(join(root, 'renders', 'still'));
    } finally {
      if (display !== undefined) process.env.DISPLAY = display;
    }
  });
});
