// The Blender add-on's client of the local agent (assets/blender/troupe_addon/agent_client.py), run
// in Python as Blender runs it: an agent that is there but slow to answer (a machine busy rendering)
// is said to be busy, never "not running", which would send the user off to start a second one.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../../../../integration/harness/testbed.js';

const ADDON = join(REPO_ROOT, 'assets/blender/troupe_addon');
const dir = mkdtempSync(join(os.tmpdir(), 'troupe-addon-client-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the add-on says when it calls GET /api/team on the agent at `port` (0.5 s timeout). */
function addonSays(port: number): Promise<string> {
  writeFileSync(join(dir, 'control.json'), JSON.stringify({ port }));
  writeFileSync(join(dir, 'control-token'), 'token');
  const script = [
    'import sys',
    `sys.path.insert(0, ${JSON.stringify(ADDON)})`,
    'import agent_client as ac',
    'try:',
    `    ac.AgentClient(${JSON.stringify(dir)}).call("GET", "/api/team", timeout_s=0.5)`,
    '    print("answered")',
    'except ac.AgentUnavailable as err:',
    '    print(err)',
  ].join('\n');
  return new Promise((resolve, reject) =>
    execFile('python3', ['-c', script], (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout.trim()))),
  );
}

describe('the add-on asking the local agent', () => {
  it('an agent that takes the connection but does not answer in time is busy, not gone', async () => {
    const held: net.Socket[] = [];
    const silent = net.createServer((s) => void held.push(s)); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      expect(await addonSays((silent.address() as net.AddressInfo).port)).toBe(
        'Troupe is running but did not answer within 0.5 s (this computer may be busy). Try again in a moment.',
      );
    } finally {
      held.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });

  it('nobody listening on the port control.json names: Troupe is not running', async () => {
    const gone = net.createServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const port = (gone.address() as net.AddressInfo).port;
    await new Promise((r) => gone.close(r));
    expect(await addonSays(port)).toBe("Troupe isn't running on this computer. Start Troupe, then try again.");
  });
});
