// The sandbox escape suite: an engine process in this machine's real sandbox (bubblewrap, control
// groups, rlimits) tries what a hostile scene that took over its engine would: the network, the
// owner's home, the agent's data folder and its device key, writing outside its folders or over
// its own inputs, a fork bomb, a memory bomb, a huge file, the agent's environment. Each for the
// built-in engines' process (a Node child of an EngineHost) and for Blender (its own Python,
// started with the policy a teammate's Blender gets). A compositor File Output node aiming at the
// owner's disk is moved into the task folder and said so.

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineHost, type EngineView } from '../../electron/agent/engines/engine-host.js';
import type { EngineTask } from '../../electron/agent/engines/engine.js';
import { PhysicsEngine } from '../../electron/agent/engines/physics/worker/physics-engine.js';
import { processTree } from '../../electron/agent/engines/process-tree.js';
import { EngineOutOfMemoryError } from '../../electron/agent/engines/engine-errors.js';
import { blenderSandboxPolicy } from '../../electron/agent/engines/blender/blender-engine.js';
import { BubblewrapSandbox, findTool } from '../../electron/agent/sandbox/bubblewrap-sandbox.js';
import { platformSandbox } from '../../electron/agent/sandbox/platform-sandbox.js';
import type { Sandbox } from '../../electron/agent/sandbox/sandbox.js';

const run = promisify(execFile);
const BWRAP = findTool('bwrap');
const BLENDER = '/usr/bin/blender';
const MiB = 2 ** 20;
const ENTRY = new URL('./harness/escape-engine-child.ts', import.meta.url);

let root: string;
let data: string; // the agent's data folder: its key, its other jobs
let jobDir: string;
let outputDir: string;
let input: string;
let secret: string; // a file of the owner's, outside every view
let server: Server;
let port: number;
let sandbox: Sandbox;

beforeAll(async () => {
  root = mkdtempSync(join(os.tmpdir(), 'troupe-sandbox-'));
  data = join(root, 'data');
  jobDir = join(data, 'work', 'c0ffee', 'job-1');
  outputDir = join(data, 'work', '.outputs', 'c0ffee', 'job-1');
  for (const dir of [jobDir, outputDir, join(data, 'work', 'c0ffee', 'job-2')]) mkdirSync(dir, { recursive: true });
  input = join(jobDir, 'scene.glb');
  writeFileSync(input, 'the shipped scene');
  writeFileSync(join(data, 'device-key.pem'), 'PRIVATE KEY');
  writeFileSync(join(data, 'work', 'c0ffee', 'job-2', 'other.glb'), "another job's scene");
  secret = join(root, 'owner-notes.txt');
  writeFileSync(secret, 'the owner\'s private notes');
  server = createServer((s) => s.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  process.env.TROUPE_TEST_SECRET = 'an agent secret';
  sandbox = platformSandbox();
});

afterAll(() => {
  server?.close();
  delete process.env.TROUPE_TEST_SECRET;
  rmSync(root, { recursive: true, force: true });
});

describe.skipIf(process.platform !== 'linux' || !BWRAP)('the sandbox on this machine (bubblewrap)', () => {
  it('is bubblewrap, and says what it contains', () => {
    expect(sandbox.containment.mechanism).toMatch(/^bubblewrap/);
    expect(sandbox.containment.contained).toEqual(expect.arrayContaining(['no network', 'the system read-only']));
  });

  describe("the built-in engines' process", () => {
    let host: EngineHost;
    const view = (): EngineView => ({ readable: [jobDir], writable: [outputDir] });
    const attempt = async (request: unknown): Promise<unknown> => (await host.run(request, { view: view() })).value;
    beforeAll(() => {
      host = new EngineHost({ label: 'the test engine', entry: ENTRY, memoryLimitBytes: 512 * MiB, heapLimitMb: 256, maxProcesses: 64, maxFileBytes: 4 * MiB });
    });
    afterAll(() => host.close());

    it('has no network: no interface but its own loopback, and the agent\'s loopback listener is out of reach', async () => {
      expect(await attempt({ kind: 'interfaces' })).toEqual(['lo']);
      expect(await attempt({ kind: 'connect', host: '127.0.0.1', port })).toBe('ECONNREFUSED');
      expect(await attempt({ kind: 'connect', host: '10.255.255.1', port: 80 })).toMatch(/ENETUNREACH|EHOSTUNREACH|ETIMEDOUT/);
    });

    it("sees nothing of the owner's home, the agent's data folder or another job", async () => {
      expect(await attempt({ kind: 'read', path: secret })).toBe('ENOENT');
      expect(await attempt({ kind: 'read', path: join(data, 'device-key.pem') })).toBe('ENOENT');
      expect(await attempt({ kind: 'list', path: join(data, 'work', 'c0ffee', 'job-2') })).toBe('ENOENT');
      expect(await attempt({ kind: 'list', path: os.homedir() })).toMatch(/ENOENT|^\[\]$/);
      expect(await attempt({ kind: 'read', path: '/etc/shadow' })).toBe('ENOENT');
      expect(await attempt({ kind: 'read', path: input })).toBe(`read ${'the shipped scene'.length} bytes`);
    });

    it('writes only its output folder: not the system, not its own inputs', async () => {
      expect(await attempt({ kind: 'write', path: join(outputDir, 'frame.png') })).toBe('written');
      expect(existsSync(join(outputDir, 'frame.png'))).toBe(true);
      expect(await attempt({ kind: 'write', path: input })).toBe('EROFS');
      expect(await attempt({ kind: 'write', path: join(jobDir, 'planted.txt') })).toBe('EROFS');
      expect(await attempt({ kind: 'write', path: '/usr/planted' })).toBe('EROFS');
      // The path exists only in the sandbox's own scratch tree: the agent's key is untouched.
      await attempt({ kind: 'write', path: join(data, 'device-key.pem') });
      expect(readFileSync(join(data, 'device-key.pem'), 'utf8')).toBe('PRIVATE KEY');
      expect(readFileSync(input, 'utf8')).toBe('the shipped scene');
      expect(readdirSync(jobDir)).toEqual(['scene.glb']);
    });

    it("gets none of the agent's environment", async () => {
      const keys = (await attempt({ kind: 'env' })) as string[];
      expect(keys).not.toContain('TROUPE_TEST_SECRET');
      expect(keys.filter((k) => !k.startsWith('NODE_CHANNEL'))).toEqual(['HOME', 'LANG', 'PATH', 'PWD', 'TMPDIR']);
    });

    it('a fork bomb stops at its process count', async () => {
      const got = (await attempt({ kind: 'processes', count: 200 })) as { started: number; refused: string };
      if (!sandbox.containment.contained.includes('process count bounded by the kernel')) return; // said so in containment
      expect(got.started).toBeLessThan(64);
      expect(got.refused).toBe('EAGAIN');
    });

    it('a file past its size bound is refused, and the engine stays up', async () => {
      const got = await attempt({ kind: 'write', path: join(outputDir, 'huge.bin'), bytes: 8 * MiB });
      expect(got).toBe('EFBIG');
      expect(await attempt({ kind: 'write', path: join(outputDir, 'small.bin'), bytes: MiB })).toBe('written');
    });

    it('a memory bomb is stopped, and the next task runs in a fresh process', async () => {
      const err = await host.run({ kind: 'hold', mib: 4096 }, { view: view() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineOutOfMemoryError);
      expect(await attempt({ kind: 'read', path: input })).toMatch(/^read/);
    });

    it('a task for another job gets a process that sees that job alone', async () => {
      const other: EngineView = { readable: [join(data, 'work', 'c0ffee', 'job-2')], writable: [outputDir] };
      const starts = host.starts;
      expect((await host.run({ kind: 'read', path: join(data, 'work', 'c0ffee', 'job-2', 'other.glb') }, { view: other })).value).toMatch(/^read/);
      expect((await host.run({ kind: 'read', path: input }, { view: other })).value).toBe('ENOENT');
      expect(host.starts).toBe(starts + 1);
    });
  });

  describe("a teammate's physics task", () => {
    let engine: PhysicsEngine;
    beforeAll(() => {
      engine = new PhysicsEngine();
    });
    afterAll(() => engine.close());

    it('runs in the engine process, contained: its outputs in the output folder, and no network or disk of the agent\'s', async () => {
      copyFileSync(new URL('../../assets/physics/tower-and-ball.glb', import.meta.url), join(jobDir, 'tower.glb'));
      const handed: Record<string, number> = {};
      const task: EngineTask = {
        jobKey: 'c0ffee/job-1',
        jobDir,
        outputDir,
        threads: 1,
        signal: new AbortController().signal,
        warn: () => undefined,
        outputPath: () => join(outputDir, `out-${Object.keys(handed).length}-${Math.random().toString(16).slice(2)}`),
        output: async (name, path) => void (handed[name] = statSync(path).size),
        progress: () => undefined,
        log: () => undefined,
      };
      const settings = { dtSeconds: 1 / 60, substeps: 1, totalSteps: 30, gravity: [0, -9.81, 0], fps: 30, keyframeCount: 16 };
      const lease = { engine: 'physics', task: { kind: 'variant' }, scene: 'tower.glb', settings, variant: { index: 0, label: '', overrides: {} }, fromStep: 0, toStep: 30, snapshot: null };
      await engine.run(lease as unknown as Parameters<PhysicsEngine['run']>[0], task);
      expect(Object.keys(handed).sort()).toEqual(['result.glb', 'summary.json']);
      expect(handed['result.glb']).toBeGreaterThan(1000);
      // Its process tree: the launcher in the agent's namespaces, the engine itself in new ones.
      const ns = (pid: number, kind: string): string => readlinkSync(`/proc/${pid}/ns/${kind}`);
      const tree = processTree(engine.host.pid!);
      for (const kind of ['net', 'mnt']) expect(tree.some((pid) => ns(pid, kind) !== ns(process.pid, kind))).toBe(true);
    });
  });

  describe('the kernel bounds it, not only a watchdog', () => {
    it("memory: a process past its group's bound is stopped however fast it grows, and the launch says why", async () => {
      const bwrap = new BubblewrapSandbox(BWRAP!, findTool('prlimit'));
      if (!bwrap.containment.contained.includes('memory bounded by the kernel')) return; // no group may be made here: said so
      // 1 GiB written at once, in a sandbox of 64 MiB.
      const launch = bwrap.launch('/usr/bin/python3', ['-c', "x = b'1' * (1 << 30)"], {
        label: 'a memory bomb',
        readable: [],
        writable: [outputDir],
        memoryBytes: 64 * MiB,
        maxProcesses: 64,
        maxFileBytes: MiB,
        tmpBytes: MiB,
      });
      const result = await run(launch.command, launch.args, { env: launch.env }).then(
        () => 'exited',
        (err: { code?: number; signal?: string }) => err.signal ?? `exit ${err.code}`,
      );
      expect(result).not.toBe('exited');
      expect(launch.stopReason()).toMatch(/more than the 64 MiB of memory/);
      launch.dispose();
    });
  });

  describe.skipIf(!existsSync(BLENDER))("a teammate's Blender", () => {
    /** Runs Python in Blender under the policy a teammate's Blender gets; what the script prints. */
    async function blenderTries(script: string, maxFileBytes?: number): Promise<Record<string, string>> {
      const policy = { ...blenderSandboxPolicy(BLENDER, { jobDir, outputDir, inputs: [input], memoryBytes: 2 * 2 ** 30 }), ...(maxFileBytes ? { maxFileBytes } : {}) };
      const launch = sandbox.launch(BLENDER, ['-b', '--factory-startup', '--disable-autoexec', '-noaudio', '--python-expr', script], policy);
      try {
        const { stdout } = await run(launch.command, launch.args, { env: launch.env, maxBuffer: 8 * MiB }).catch((err: { stdout: string }) => err);
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        if (!line) throw new Error(`Blender printed no result:\n${stdout.slice(-2000)}`);
        return JSON.parse(line.slice(7)) as Record<string, string>;
      } finally {
        launch.dispose();
      }
    }
    const PY = (body: string) => `
import json, os, socket
out = {}
def attempt(name, fn):
    try:
        out[name] = fn()
    except OSError as e:
        out[name] = e.__class__.__name__ + ':' + str(e.errno)
${body}
print('RESULT ' + json.dumps(out), flush=True)
`;

    it('no network, nothing of the owner or the agent, no writes outside its folders', async () => {
      const got = await blenderTries(PY(`
def connect():
    s = socket.create_connection(('127.0.0.1', ${port}), timeout=5); s.close(); return 'connected'
attempt('connect', connect)
attempt('secret', lambda: open(${JSON.stringify(secret)}).read())
attempt('key', lambda: open(${JSON.stringify(join(data, 'device-key.pem'))}).read())
attempt('home', lambda: os.listdir(${JSON.stringify(os.homedir())}))
attempt('environ', lambda: sorted(k for k in os.environ if k.startswith('TROUPE_TEST')))
attempt('input', lambda: open(${JSON.stringify(input)}, 'a').write('x'))
attempt('usr', lambda: open('/usr/planted', 'w').write('x'))
attempt('job', lambda: open(${JSON.stringify(join(jobDir, 'blendcache_scene.bphys'))}, 'w').write('cache'))
attempt('output', lambda: open(${JSON.stringify(join(outputDir, 'frame_0001.png'))}, 'w').write('png'))
`));
      expect(got.connect).toMatch(/ConnectionRefusedError|OSError/);
      expect(got.secret).toBe('FileNotFoundError:2');
      expect(got.key).toBe('FileNotFoundError:2');
      expect(['FileNotFoundError:2', []]).toContainEqual(got.home);
      expect(got.environ).toEqual([]);
      expect(got.input).toBe('OSError:30'); // EROFS: the shipped inputs are read-only
      expect(got.usr).toBe('OSError:30');
      expect(got.job).toBe(5); // a bake's disk cache beside the .blend
      expect(got.output).toBe(3);
      expect(readFileSync(input, 'utf8')).toBe('the shipped scene');
      expect(existsSync('/usr/planted')).toBe(false);
    });

    it('a fork bomb stops at its process count, and a file past its bound is refused', async () => {
      const got = await blenderTries(PY(`
import subprocess
procs = []
def forks():
    for i in range(2000):
        procs.append(subprocess.Popen(['/bin/sleep', '60']))
    return len(procs)
attempt('forks', forks)
out['started'] = len(procs)
def huge():
    with open(${JSON.stringify(join(outputDir, 'huge.bin'))}, 'wb') as f:
        for i in range(8):
            f.write(b'\\0' * (1024 * 1024))
    return 'written'
import signal
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
attempt('huge', huge)
`), 4 * MiB); // Blender's own bound is 8 GiB: the same rule, at a size a test can write
      if (sandbox.containment.contained.includes('process count bounded by the kernel')) {
        expect(got.forks).toMatch(/BlockingIOError:11|OSError:11/);
        expect(Number(got.started)).toBeLessThan(1024);
      }
      expect(got.huge).toBe('OSError:27'); // EFBIG
      rmSync(join(outputDir, 'huge.bin'), { force: true });
    });

    it("a memory bomb is stopped at Blender's bound, and the sandbox says why", async () => {
      if (!sandbox.containment.contained.includes('memory bounded by the kernel')) return; // said so in containment
      const policy = blenderSandboxPolicy(BLENDER, { jobDir, outputDir, inputs: [input], memoryBytes: 512 * MiB });
      const launch = sandbox.launch(BLENDER, ['-b', '--factory-startup', '-noaudio', '--python-expr', 'held = []\nwhile True: held.append(bytearray(64 * 1024 * 1024))'], policy);
      const ended = await run(launch.command, launch.args, { env: launch.env, maxBuffer: 8 * MiB }).then(() => 'exited', (err: { signal?: string; code?: number }) => err.signal ?? `exit ${err.code}`);
      expect(ended).not.toBe('exited');
      expect(launch.stopReason()).toMatch(/more than the 512 MiB of memory/);
      launch.dispose();
    });
  });
});
