// Owns the test hosts: several "machines" on one box as network namespaces on a bridge (real
// multicast, real addresses), or, where we are not root, agents side by side on loopback.

import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The repo root, whether this runs from test/ (vitest) or from dist/test/ (benchmarks). */
function findRepo(dir: string): string {
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}
const REPO = findRepo(import.meta.dirname);
const CLI = join(REPO, 'dist/electron/cli/main.js');

/**
 * Deadlines only catch hangs: a condition that takes 6 s on a loaded laptop instead of 0.5 s is not a
 * failure (how fast things are is what the benches print). Engines run niced, so that the owner's
 * own work comes first: beside a busy owner (CI's check runs the suite beside `stress-ng --cpu 2`)
 * a render gets about a tenth of a core and takes ten times as long. So every wait gets PATIENCE
 * times what a test asks, and at least HANG_FLOOR_MS. Tests still say what they expect, for the reader.
 */
export const HANG_FLOOR_MS = 30_000;
export const PATIENCE = 10;
export const hangDeadline = (timeoutMs: number): number => Math.max(timeoutMs * PATIENCE, HANG_FLOOR_MS);
/** How long one Blender process or session call may take before it counts as hung. */
export const ENGINE_PATIENCE_MS = 600_000;

export interface AgentEvent {
  t: number;
  type: string;
  [key: string]: unknown;
}

function canUseNamespaces(): boolean {
  if (process.getuid?.() !== 0 || process.env.TROUPE_TEST_LOOPBACK === '1') return false;
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export class Host {
  constructor(
    readonly index: number,
    readonly ns: string | null,
    public address: string,
  ) {}

  /** A new address on eth0, as after a DHCP renewal or moving to another network. */
  readdress(address: string): void {
    if (!this.ns) throw new Error('readdressing needs network namespaces');
    execFileSync('ip', ['-n', this.ns, 'addr', 'flush', 'dev', 'eth0']);
    execFileSync('ip', ['-n', this.ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    execFileSync('ip', ['-n', this.ns, 'route', 'replace', '224.0.0.0/4', 'dev', 'eth0']);
    this.address = address;
  }

  /** argv prefixed so it runs inside this host's namespace. */
  wrap(argv: string[]): string[] {
    return this.ns ? ['ip', 'netns', 'exec', this.ns, ...argv] : argv;
  }

  run(argv: string[]): string {
    const [cmd, ...rest] = this.wrap(argv);
    return execFileSync(cmd!, rest, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /**
   * Like run(), without blocking the test process: peers that live in it (a hostile teammate, a
   * pairing attacker) keep heartbeating while the command runs, however busy the machine is.
   */
  runAsync(argv: string[]): Promise<string> {
    const [cmd, ...rest] = this.wrap(argv);
    return new Promise((resolve, reject) => {
      execFile(cmd!, rest, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        // With --json the CLI says what went wrong on stdout: keep it in the message a failing test shows.
        if (err) reject(Object.assign(err, { stdout, stderr, message: `${err.message}${stdout ? `\nstdout: ${stdout.slice(-2000)}` : ''}` }));
        else resolve(stdout);
      });
    });
  }

  setLink(up: boolean): void {
    if (!this.ns) throw new Error('cutting a link needs network namespaces');
    execFileSync('ip', ['-n', this.ns, 'link', 'set', 'eth0', up ? 'up' : 'down']);
    // Link down drops the multicast route; DHCP/NetworkManager would restore it on a real machine.
    if (up) execFileSync('ip', ['-n', this.ns, 'route', 'replace', '224.0.0.0/4', 'dev', 'eth0']);
  }
}

export class AgentProcess {
  /**
   * What the agent said, in order. A `nearbyChanged` carries only what changed; each is given the
   * whole list as it stands after it (`nearby`), applied here as the app applies it.
   */
  readonly events: AgentEvent[] = [];
  private nearby = new Map<string, { deviceId: string; name: string }>();
  private proc: ChildProcess | null = null;
  private waiters: (() => void)[] = [];
  deviceId = '';
  startedAtMs = 0;
  stderr = '';

  constructor(
    readonly host: Host,
    readonly name: string,
    readonly dataDir: string,
    private readonly port: number,
  ) {}

  /** `pinCpu` runs the agent with `taskset` on that one core (benchmarks of scaling). */
  /** `env`: extra environment for the agent (test-only switches). */
  async start(extra: string[] = [], pinCpu?: number, env: Record<string, string> = {}): Promise<AgentEvent> {
    this.startedAtMs = Date.now();
    this.nearby = new Map(); // a restarted agent lists from nothing
    const pin = pinCpu === undefined ? [] : ['taskset', '-c', String(pinCpu)];
    const argv = [...pin, ...this.host.wrap([
      process.execPath,
      CLI,
      'agent',
      '--json',
      '--name',
      this.name,
      '--data-dir',
      this.dataDir,
      '--port',
      String(this.port),
      '--interface',
      this.host.address,
      ...extra,
    ])];
    const proc = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.proc = proc;
    let buffer = '';
    proc.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const event = JSON.parse(line) as AgentEvent;
          if (event.type === 'nearbyChanged') {
            for (const id of event.gone as string[]) this.nearby.delete(id);
            for (const d of event.changed as { deviceId: string; name: string }[]) this.nearby.set(d.deviceId, d);
            event.nearby = [...this.nearby.values()].sort((x, y) => x.name.localeCompare(y.name));
          }
          this.events.push(event);
        } catch {
          /* not an event line */
        }
        this.waiters.forEach((w) => w());
      }
    });
    proc.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    const ready = await this.waitFor((e) => e.type === 'ready', 15_000, this.events.length);
    this.deviceId = ready.deviceId as string;
    return ready;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The first event from index `from` on that matches (the deadline is at least HANG_FLOOR_MS). */
  waitFor(match: (e: AgentEvent) => boolean, requestedMs = 10_000, from = 0): Promise<AgentEvent> {
    const timeoutMs = hangDeadline(requestedMs);
    return new Promise((resolvePromise, reject) => {
      const check = (): boolean => {
        const hit = this.events.slice(from).find(match);
        if (hit) {
          this.waiters = this.waiters.filter((w) => w !== onEvent);
          clearTimeout(timer);
          resolvePromise(hit);
        }
        return !!hit;
      };
      const onEvent = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== onEvent);
        reject(new Error(`${this.name}: no matching event within ${timeoutMs} ms; stderr: ${this.stderr.slice(-500)}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(onEvent);
    });
  }

  /** Runs `troupe <args> --json` against this agent, inside its host (never blocking the test process). */
  async cli<T = unknown>(args: string[]): Promise<T> {
    const out = await this.host.runAsync([process.execPath, CLI, ...args, '--data-dir', this.dataDir, '--json']);
    return JSON.parse(out) as T;
  }

  /** Like cli(), but returns the error body instead of throwing when the command fails. */
  async cliResult(args: string[]): Promise<{ ok: boolean; value: unknown }> {
    try {
      return { ok: true, value: await this.cli(args) };
    } catch (err) {
      const stdout = (err as { stdout?: string }).stdout ?? '';
      return { ok: false, value: stdout ? JSON.parse(stdout.trim().split('\n').pop()!) : String(err) };
    }
  }

  spawnCli(args: string[]): ChildProcess {
    const argv = this.host.wrap([process.execPath, CLI, ...args, '--data-dir', this.dataDir, '--json']);
    return spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  kill(signal: NodeJS.Signals): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    return new Promise((r) => {
      proc.once('exit', () => r());
      proc.kill(signal);
    });
  }
}

export class Testbed {
  readonly hosts: Host[] = [];
  readonly agents: AgentProcess[] = [];
  private readonly tag = randomBytes(2).toString('hex');
  private readonly subnet = 10 + Math.floor(Math.random() * 240);
  readonly root = mkdtempSync(join(os.tmpdir(), 'troupe-test-'));
  readonly mode: 'netns' | 'loopback' = canUseNamespaces() ? 'netns' : 'loopback';
  private readonly hub = `tr${this.tag}hub`;

  /**
   * A host on its own subnet behind the hub, which routes between subnets: unicast reaches it,
   * link-local multicast (mDNS) does not, as across a VPN or from an isolated Wi-Fi. Add it after
   * the bridged hosts (they get a route to it now).
   */
  addRoutedHost(): Host {
    if (this.mode !== 'netns') throw new Error('a routed host needs network namespaces');
    const i = this.hosts.length + 1;
    const ns = `tr${this.tag}n${i}`;
    const veth = `r${this.tag}${i}`;
    const address = `10.98.${this.subnet}.1`;
    execFileSync('ip', ['netns', 'exec', this.hub, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    this.ip(
      ['-n', this.hub, 'addr', 'add', `10.99.${this.subnet}.254/24`, 'dev', 'br0'],
      ['netns', 'add', ns],
      ['-n', ns, 'link', 'set', 'lo', 'up'],
      ['-n', this.hub, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns],
      ['-n', this.hub, 'addr', 'add', `10.98.${this.subnet}.254/24`, 'dev', veth],
      ['-n', this.hub, 'link', 'set', veth, 'up'],
      ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0'],
      ['-n', ns, 'link', 'set', 'eth0', 'up'],
      ['-n', ns, 'route', 'add', 'default', 'via', `10.98.${this.subnet}.254`],
      ['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0'],
    );
    for (const h of this.hosts) this.ip(['-n', h.ns!, 'route', 'add', `10.98.${this.subnet}.0/24`, 'via', `10.99.${this.subnet}.254`]);
    const host = new Host(i, ns, address);
    this.hosts.push(host);
    return host;
  }

  addHost(): Host {
    const i = this.hosts.length + 1;
    let host: Host;
    if (this.mode === 'netns') {
      if (i === 1) this.ip(['netns', 'add', this.hub], ['-n', this.hub, 'link', 'set', 'lo', 'up'], ['-n', this.hub, 'link', 'add', 'br0', 'type', 'bridge'], ['-n', this.hub, 'link', 'set', 'br0', 'up']);
      const ns = `tr${this.tag}n${i}`;
      const veth = `v${this.tag}${i}`;
      const address = `10.99.${this.subnet}.${i}`;
      this.ip(
        ['netns', 'add', ns],
        ['-n', ns, 'link', 'set', 'lo', 'up'],
        ['-n', this.hub, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns],
        ['-n', this.hub, 'link', 'set', veth, 'master', 'br0'],
        ['-n', this.hub, 'link', 'set', veth, 'up'],
        ['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0'],
        ['-n', ns, 'link', 'set', 'eth0', 'up'],
      );
      this.ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']); // without it mDNS fails silently
      host = new Host(i, ns, address);
    } else {
      host = new Host(i, null, '127.0.0.1');
    }
    this.hosts.push(host);
    return host;
  }

  agent(host: Host, name: string): AgentProcess {
    const agent = new AgentProcess(host, name, join(this.root, `${name}-${this.agents.length}`), this.mode === 'netns' ? 47800 : 0);
    this.agents.push(agent);
    return agent;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.kill('SIGKILL')));
    if (this.mode === 'netns') {
      for (const h of this.hosts) execFileSync('ip', ['netns', 'del', h.ns!], { stdio: 'ignore' });
      execFileSync('ip', ['netns', 'del', this.hub], { stdio: 'ignore' });
    }
    rmSync(this.root, { recursive: true, force: true });
  }

  private ip(...commands: string[][]): void {
    for (const args of commands) execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }
}

export const CLI_PATH = CLI;
export const REPO_ROOT = REPO;
