// A local program that takes the port a crashed agent left in control.json, and waits for the
// token: the CLI, the desktop shell's probe and the Blender add-on each ask the listener to prove
// it holds the token first, and send nothing to one that cannot, or that passes the question on
// to the real agent. The token is new on every start, so one caught before is worth nothing.
// A real agent in this process (control API on 127.0.0.1, mDNS bound to loopback), the built CLI,
// and the add-on's client in python3.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../electron/agent/agent.js';
import { probeAgent } from '../../electron/main/agent-endpoint.js';
import { REPO_ROOT } from './harness/testbed.js';

const root = mkdtempSync(join(os.tmpdir(), 'troupe-token-'));
const dataDir = join(root, 'alpha');
const config = { dataDir, name: 'alpha', port: 0, controlPort: 0, interfaceAddress: '127.0.0.1', newIdentity: false };
const CLI = join(REPO_ROOT, 'dist/electron/cli/main.js');
const ADDON = join(REPO_ROOT, 'assets/blender/troupe_addon');
const tokenFile = () => readFileSync(join(dataDir, 'control-token'), 'utf8').trim();

/** A listener that records every request and answers 200 to all; `proof` answers /agent-proof. */
class Impostor {
  readonly seen: { url: string; headers: IncomingMessage['headers'] }[] = [];
  private server: Server | null = null;
  constructor(private readonly proof: (url: string) => Promise<unknown> = async () => ({ proof: '0'.repeat(64) })) {}
  async listen(port: number): Promise<void> {
    this.server = createServer(async (req, res) => {
      this.seen.push({ url: req.url ?? '', headers: req.headers });
      const body = (req.url ?? '').startsWith('/agent-proof') ? await this.proof(req.url!) : { ok: true };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(port, '127.0.0.1', resolve));
  }
  /** Whether any request carried `secret` anywhere: its URL or any header. */
  saw(secret: string): boolean {
    return this.seen.some((r) => r.url.includes(secret) || Object.values(r.headers).some((v) => String(v).includes(secret)));
  }
  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

const cli = (args: string[]): Promise<{ code: number; out: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args, '--data-dir', dataDir], (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr })),
  );
const addonSays = (): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile(
      'python3',
      ['-c', ['import sys', `sys.path.insert(0, ${JSON.stringify(ADDON)})`, 'import agent_client as ac', 'try:', `    ac.AgentClient(${JSON.stringify(dataDir)}).call("GET", "/api/team")`, '    print("answered")', 'except ac.AgentUnavailable as err:', '    print(err)'].join('\n')],
      (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout.trim())),
    ),
  );
/** control.json as a crashed agent leaves it: naming its old port. */
const leaveEndpoint = (port: number) => writeFileSync(join(dataDir, 'control.json'), JSON.stringify({ port, pid: 999999 }) + '\n');

let agent: Agent | null = null;
beforeAll(async () => {
  agent = await Agent.start(config);
});
afterAll(async () => {
  await agent?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe("the control token and a crashed agent's port", () => {
  it('every client talks to the real agent as before (it proves itself first)', async () => {
    expect((await cli(['status', '--json'])).code).toBe(0);
    expect(await probeAgent(dataDir)).toEqual({ port: agent!.controlPort, token: tokenFile() });
    expect(await addonSays()).toBe('answered');
  });

  it('a new token on every start: the one from before is refused', async () => {
    const before = tokenFile();
    await agent!.stop();
    agent = await Agent.start(config);
    const after = tokenFile();
    expect(after).not.toBe(before);
    const status = (token: string) => fetch(`http://127.0.0.1:${agent!.controlPort}/api/status`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);
    expect(await status(before)).toBe(401);
    expect(await status(after)).toBe(200);
  });

  it('a program on the old port is told nothing: the CLI, the desktop shell and the add-on each refuse it in words', async () => {
    const token = tokenFile();
    const port = agent!.controlPort;
    await agent!.stop(); // as a crash: the port is free, the files stay
    agent = null;
    leaveEndpoint(port);
    writeFileSync(join(dataDir, 'control-token'), token + '\n', { mode: 0o600 });
    const impostor = new Impostor();
    await impostor.listen(port);
    try {
      const said = await cli(['status', '--json']);
      expect(said.code).not.toBe(0);
      expect(said.out).toMatch(/not your Troupe agent.*Nothing was sent to it/s);
      expect(await probeAgent(dataDir)).toBeNull();
      expect(await addonSays()).toMatch(/^Something else answers where Troupe was .*Nothing was sent to it/);
      expect(impostor.seen.length).toBeGreaterThanOrEqual(3); // each asked for the proof
      expect(impostor.saw(token)).toBe(false);
    } finally {
      await impostor.close();
    }
  });

  it("one that passes the question on to the real agent (now on another port) still gets nothing: the proof names the port", async () => {
    agent = await Agent.start(config);
    const real = agent.controlPort;
    const token = tokenFile();
    const relay = new Impostor((url) => fetch(`http://127.0.0.1:${real}${url}`).then((r) => r.json()));
    await relay.listen(0);
    const relayPort = (relay as unknown as { server: Server }).server.address() as { port: number };
    leaveEndpoint(relayPort.port); // a client that read control.json before the agent rewrote it
    try {
      const said = await cli(['status', '--json']);
      expect(said.out).toMatch(/not your Troupe agent/);
      expect(await probeAgent(dataDir)).toBeNull();
      expect(await addonSays()).toMatch(/^Something else answers where Troupe was/);
      expect(relay.saw(token)).toBe(false);
    } finally {
      await relay.close();
      leaveEndpoint(real);
    }
  });
});
