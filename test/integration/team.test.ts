// The team end to end with real parts: agent processes in their own network namespaces, real
// mDNS multicast, real mutual TLS, the real CLI. One testbed for the whole story, step by step.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, type AgentProcess, type AgentEvent, REPO_ROOT } from './harness/testbed.js';
import { pair } from './harness/team-helpers.js';
import { NEARBY_TTL_MS } from '../../electron/agent/discovery/nearby-list.js';

const PROBE = join(REPO_ROOT, 'dist/test/integration/harness/probe-link.js');

interface TeamJson {
  name: string;
  members: { deviceId: string; name: string; online: boolean }[];
}
interface NearbyJson {
  deviceId: string;
  name: string;
}

const bed = new Testbed();
let a: AgentProcess, b: AgentProcess, c: AgentProcess;

const nearbyHas = (ids: string[]) => (e: AgentEvent) =>
  e.type === 'nearbyChanged' && ids.every((id) => (e.nearby as NearbyJson[]).some((n) => n.deviceId === id));

function probe(agent: AgentProcess, dataDir: string, target: AgentProcess, what: 'link' | 'blob'): { result: string; body?: string } {
  const address = `${target.host.address}:${(target.events[0] as AgentEvent).listenPort}`;
  return JSON.parse(agent.host.run([process.execPath, PROBE, dataDir, address, what])) as { result: string; body?: string };
}

describe(`a team of agents (${bed.mode})`, () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost(), bed.addHost(), bed.addHost()];
    a = bed.agent(hosts[0]!, 'alpha');
    b = bed.agent(hosts[1]!, 'beta');
    c = bed.agent(hosts[2]!, 'gamma');
    await Promise.all([a.start(), b.start(), c.start()]);
  });
  afterAll(() => bed.destroy());

  it('three agents discover each other over mDNS', async () => {
    await a.waitFor(nearbyHas([b.deviceId, c.deviceId]), 5000);
    await b.waitFor(nearbyHas([a.deviceId, c.deviceId]), 5000);
    await c.waitFor(nearbyHas([a.deviceId, b.deviceId]), 5000);
    const nearby = await a.cli<NearbyJson[]>(['nearby']);
    expect(nearby.map((n) => n.name).sort()).toEqual(['beta', 'gamma']);
  });

  it('python3-zeroconf sees an agent with the right TXT fields', () => {
    const seen = JSON.parse(bed.hosts[3]!.run(['/usr/bin/python3', join(REPO_ROOT, 'test/integration/harness/zeroconf_browse.py'), bed.hosts[3]!.address, '5'])) as {
      port: number;
      txt: Record<string, string>;
    }[];
    const alpha = seen.find((s) => s.txt.id === a.deviceId);
    expect(alpha, JSON.stringify(seen)).toBeDefined();
    expect(alpha!.txt).toMatchObject({ name: 'alpha', pv: '2', os: expect.stringMatching(/^linux-/), port: String(alpha!.port) });
    expect(Number(alpha!.txt.cores)).toBeGreaterThan(0);
    expect(Number(alpha!.txt.mem)).toBeGreaterThan(0);
  });

  it('A pairs B: the same code on both sides, B approves, both list the team', async () => {
    const { shownCode, requestCode } = await pair(a, b);
    expect(shownCode).toMatch(/^\d{6}$/);
    expect(requestCode).toBe(shownCode);
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId);
    const team = await b.cli<TeamJson>(['team']);
    expect(team.members.map((m) => m.name).sort()).toEqual(['alpha', 'beta']);
    expect(team.members.every((m) => m.online)).toBe(true);
  });

  it('C joins through B and A trusts C without a second approval', async () => {
    const mark = a.events.length;
    await pair(b, c);
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === c.deviceId, 10_000, mark);
    expect(a.events.slice(mark).some((e) => e.type === 'pairRequestReceived')).toBe(false);
    const team = await a.cli<TeamJson>(['team']);
    expect(team.members.map((m) => m.name).sort()).toEqual(['alpha', 'beta', 'gamma']);
    expect((await c.cli<TeamJson>(['team'])).members.every((m) => m.online)).toBe(true);
  });

  it("heartbeats carry each member's capacity and sharing setting", async () => {
    await b.cli(['share', 'idle', '--cores', '1']);
    const shows = async () => (await a.cli<{ members: { deviceId: string; capacity: { cores: number; sharing: { mode: string; coreCap: number | null } } | null }[] }>(['team'])).members.find((m) => m.deviceId === b.deviceId);
    const deadline = Date.now() + 30_000; // only a hang
    while ((await shows())?.capacity?.sharing.mode !== 'idle' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await shows())?.capacity).toMatchObject({ sharing: { mode: 'idle', coreCap: 1 } });
    expect((await shows())!.capacity!.cores).toBeGreaterThan(0);
    await b.cli(['share', 'on', '--cores', '0']);
  });

  it('an unpaired machine is refused: no link, no blobs, no roster messages', () => {
    const stranger = join(bed.agents[0]!.dataDir, '..', 'stranger');
    execFileSync(process.execPath, ['-e', `import('${join(REPO_ROOT, 'dist/electron/agent/identity/identity-store.js')}').then(m => m.loadOrCreateIdentity('${stranger}', {allowNew: true, hasTeam: false}))`]);
    const link = probe(c, stranger, a, 'link');
    expect(link.result).toBe('http-403');
    expect(link.body).toContain('not-paired');
    expect(probe(c, stranger, a, 'blob').result).toBe('http-403');
    // A teammate's certificate gets through to the same endpoint (not-found: no such blob).
    expect(probe(c, c.dataDir, a, 'blob').result).toBe('http-404');
  });

  // How soon (goal 3 s) is a figure of `npm run bench:team`; the deadlines here only catch a hang.
  it('a member killed with SIGKILL is offline on every teammate and comes back by itself', async () => {
    const marks = [a.events.length, c.events.length];
    await b.kill('SIGKILL');
    await a.waitFor((e) => e.type === 'memberOffline' && e.deviceId === b.deviceId, 30_000, marks[0]);
    await c.waitFor((e) => e.type === 'memberOffline' && e.deviceId === b.deviceId, 30_000, marks[1]);
    await b.start();
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 30_000, marks[0]);
    await c.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 30_000, marks[1]);
  });

  it.runIf(bed.mode === 'netns')('a cut network link: offline, back by itself when the link returns', async () => {
    // No FIN crosses a cut cable: only the heartbeat timeout can notice it (bench:team times it).
    const marks = [a.events.length, c.events.length];
    b.host.setLink(false);
    await a.waitFor((e) => e.type === 'memberOffline' && e.deviceId === b.deviceId, 30_000, marks[0]);
    b.host.setLink(true);
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 30_000, marks[0]);
    await c.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 30_000, marks[1]);
  });

  it('a removed member is dropped everywhere and refused its link and blobs', async () => {
    const marks = [b.events.length, c.events.length];
    await a.cli(['remove', 'gamma']);
    await c.waitFor((e) => e.type === 'teamChanged' && e.team === null, 30_000, marks[1]);
    await b.waitFor((e) => e.type === 'teamChanged' && !(e.team as TeamJson).members.some((m) => m.deviceId === c.deviceId), 30_000, marks[0]);
    // The removed machine still holds its certificate: it gets neither a link nor blobs.
    const link = probe(c, c.dataDir, b, 'link');
    expect(link.result).toBe('http-403');
    expect(probe(c, c.dataDir, b, 'blob').result).toBe('http-403');
    expect((await a.cli<TeamJson>(['team'])).members.map((m) => m.name).sort()).toEqual(['alpha', 'beta']);
  });

  it('a clean exit disappears from nearby by its goodbye packets', async () => {
    const mark = a.events.length;
    const stoppedAt = Date.now();
    await c.kill('SIGTERM');
    const gone = await a.waitFor((e) => e.type === 'nearbyChanged' && !(e.nearby as NearbyJson[]).some((n) => n.deviceId === c.deviceId), 30_000, mark);
    // It was last heard at most one re-query (2 s) before it stopped, so our own last-seen clock could
    // not have dropped it before NEARBY_TTL_MS - 2 s: leaving sooner, it left by its goodbye.
    // (How soon, goal 1 s, is a figure of bench:team.)
    expect(gone.t - stoppedAt).toBeLessThan(NEARBY_TTL_MS - 2000);
  });

  it('a crashed machine disappears from nearby by our own last-seen clock (no goodbye)', async () => {
    const mark = a.events.length;
    await b.kill('SIGKILL');
    await a.waitFor((e) => e.type === 'nearbyChanged' && !(e.nearby as NearbyJson[]).some((n) => n.deviceId === b.deviceId), 60_000, mark);
  });

  it.runIf(bed.mode === 'netns')('announces again when its interface (chosen by name) gets a new address', async () => {
    const host = bed.addHost();
    const roamer = bed.agent(host, 'roamer');
    await roamer.start(['--interface', 'eth0']);
    const seenAt = (address: string) => (e: AgentEvent) =>
      e.type === 'nearbyChanged' && (e.nearby as { deviceId: string; addresses: string[] }[]).some((n) => n.deviceId === roamer.deviceId && n.addresses.includes(address));
    await a.waitFor(seenAt(host.address), 5000);
    const mark = a.events.length;
    const moved = host.address.replace(/\.(\d+)$/, (_m, last: string) => `.${Number(last) + 100}`);
    host.readdress(moved);
    await a.waitFor(seenAt(moved), 12_000, mark);
    await roamer.kill('SIGTERM');
  });

  it.runIf(bed.mode === 'netns')('where multicast is blocked, a machine added by address can be paired', async () => {
    const hidden = bed.agent(bed.addRoutedHost(), 'hidden');
    await hidden.start();
    await new Promise((r) => setTimeout(r, 2500));
    expect((await a.cli<NearbyJson[]>(['nearby'])).some((n) => n.deviceId === hidden.deviceId)).toBe(false);
    const added = await a.cli<NearbyJson & { source: string }>(['add', `${hidden.host.address}:47800`]);
    expect(added).toMatchObject({ deviceId: hidden.deviceId, name: 'hidden', source: 'manual' });
    await pair(a, hidden);
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === hidden.deviceId, 10_000);
    expect((await hidden.cli<TeamJson>(['team'])).members.some((m) => m.deviceId === a.deviceId && m.online)).toBe(true);
  });
});
