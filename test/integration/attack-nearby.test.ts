// A stranger on the LAN announcing 2,000 made-up devices over real mDNS multicast, next to a real
// agent and a real teammate-to-be, each in its own network namespace: the agent lists a bounded
// few of them, says only what changed, keeps its memory, and still lists the real machine.
// (Before: 130 MiB of nearbyChanged events in 20 s, the whole list each time, and +80 MiB kept.)

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NEARBY_PER_ADDRESS } from '../../electron/agent/discovery/nearby-list.js';
import { rssMb } from '../support/process-stats.js';
import { REPO_ROOT, Testbed, type AgentProcess, type Host } from './harness/testbed.js';

const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;
let stranger: Host;
const FLOOD = join(REPO_ROOT, 'dist/test/integration/harness/mdns-flood.js');

// On loopback every test's agents share one multicast group: a flood there would reach them all.
describe.skipIf(bed.mode !== 'netns')('a stranger announcing 2,000 devices (netns)', () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost(), bed.addHost()];
    stranger = hosts[2]!;
    [a, b] = [bed.agent(hosts[0]!, 'alpha'), bed.agent(hosts[1]!, 'beta')];
    await Promise.all([a.start(), b.start()]);
    await a.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as { deviceId: string }[]).some((n) => n.deviceId === b.deviceId), 10_000);
  });
  afterAll(() => bed.destroy());

  it('lists a bounded few, says only what changed, keeps its memory, and still lists the real machine', async () => {
    const mark = a.events.length;
    const rssBefore = rssMb(a.pid!);
    let rssPeak = rssBefore;
    const watch = setInterval(() => (rssPeak = Math.max(rssPeak, rssMb(a.pid!))), 250);
    const flood = JSON.parse(await stranger.runAsync([process.execPath, FLOOD, stranger.address, '2000', '20'])) as { packets: number };
    clearInterval(watch);
    const events = a.events.slice(mark).filter((e) => e.type === 'nearbyChanged');
    const bytes = events.reduce((sum, e) => sum + JSON.stringify({ type: e.type, changed: e.changed, gone: e.gone }).length, 0);
    const nearby = await a.cli<{ deviceId: string; name: string }[]>(['nearby']);
    const fakes = nearby.filter((n) => n.name.startsWith('fake-'));
    const rssAfter = rssMb(a.pid!);
    console.log(
      `mDNS flood of 2,000 devices in ${flood.packets} packets over 20 s: ${events.length} nearbyChanged events, ${(bytes / 1024).toFixed(1)} KiB; ` +
        `${fakes.length} listed; agent RSS ${rssBefore.toFixed(1)} -> peak ${rssPeak.toFixed(1)} -> ${rssAfter.toFixed(1)} MB`,
    );
    expect(fakes.length).toBeLessThanOrEqual(NEARBY_PER_ADDRESS);
    expect(nearby.some((n) => n.deviceId === b.deviceId)).toBe(true);
    expect(events.filter((e) => (e.gone as string[]).includes(b.deviceId)), 'beta never left the list during the flood').toEqual([]);
    expect(bytes).toBeLessThan(256 * 1024);
    expect(rssAfter - rssBefore).toBeLessThan(30);
  });
});
