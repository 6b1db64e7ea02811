import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Announcement } from '../../../../../electron/agent/discovery/peer-finder.js';
import { NEARBY_ADMIT_INTERVAL_MS, NEARBY_MAX, NEARBY_PER_ADDRESS, NEARBY_TTL_MS, NearbyList } from '../../../../../electron/agent/discovery/nearby-list.js';

function announcement(id: string, name: string, extra: Partial<Announcement> = {}): Announcement {
  return {
    deviceId: id.repeat(64).slice(0, 64),
    name,
    addresses: ['192.168.1.10'],
    port: 47_700,
    os: 'linux',
    cores: 8,
    memoryBytes: 16 * 2 ** 30,
    engines: ['blender'],
    protocolVersion: 1,
    ...extra,
  };
}

function setup() {
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => void (t += ms) };
  const list = new NearbyList(clock.now);
  const changed = vi.fn();
  const appeared = vi.fn();
  list.on('changed', changed);
  list.on('appeared', appeared);
  const sweep = () => (list as unknown as { sweep(): void }).sweep();
  return { list, clock, changed, appeared, sweep };
}

const lists: NearbyList[] = [];
afterEach(() => {
  for (const l of lists.splice(0)) l.close();
  vi.useRealTimers();
});

describe('NearbyList', () => {
  it('records what a device announced, stamped with our clock', () => {
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'mdns');
    expect(s.list.get(a.deviceId)).toEqual({ ...a, source: 'mdns', lastSeenMs: 1_000_000 });
    expect(s.appeared).toHaveBeenCalledTimes(1);
    expect(s.changed).toHaveBeenCalledTimes(1);
  });

  it('lists devices by name', () => {
    const s = setup();
    lists.push(s.list);
    s.list.seen(announcement('c', 'charlie'), 'mdns');
    s.list.seen(announcement('a', 'alpha'), 'mdns');
    s.list.seen(announcement('b', 'bravo'), 'manual');
    expect(s.list.list().map((e) => e.name)).toEqual(['alpha', 'bravo', 'charlie']);
  });

  it('announces changes only when something people see changed', () => {
    const s = setup();
    lists.push(s.list);
    s.list.seen(announcement('a', 'alpha'), 'mdns');
    s.list.seen(announcement('a', 'alpha'), 'mdns');
    expect(s.changed).toHaveBeenCalledTimes(1);
    s.list.seen(announcement('a', 'alpha-renamed'), 'mdns');
    s.list.seen(announcement('a', 'alpha-renamed', { port: 47_701 }), 'mdns');
    s.list.seen(announcement('a', 'alpha-renamed', { port: 47_701, addresses: ['10.0.0.2'] }), 'mdns');
    expect(s.changed).toHaveBeenCalledTimes(4);
    expect(s.appeared).toHaveBeenCalledTimes(1);
  });

  it('remembers that a device was typed in by hand', () => {
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'manual');
    s.list.seen(a, 'mdns');
    expect(s.list.get(a.deviceId)?.source).toBe('manual');
  });

  it('drops a device silent for more than 7 s, keeps one heard from since', () => {
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    const b = announcement('b', 'bravo');
    s.list.seen(a, 'mdns');
    s.list.seen(b, 'mdns');
    s.clock.advance(5000);
    s.list.seen(b, 'mdns'); // b answers a re-query
    s.clock.advance(NEARBY_TTL_MS - 5000);
    s.sweep();
    expect(s.list.get(a.deviceId)).toBeDefined(); // exactly 7 s: not yet
    s.changed.mockClear();
    s.clock.advance(1);
    s.sweep();
    expect(s.list.get(a.deviceId)).toBeUndefined();
    expect(s.list.get(b.deviceId)).toBeDefined();
    expect(s.changed).toHaveBeenCalledTimes(1);
    s.sweep();
    expect(s.changed).toHaveBeenCalledTimes(1); // nothing more to drop, nothing to announce
  });

  it('sweeps on its own timer', () => {
    vi.useFakeTimers();
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'mdns');
    s.clock.advance(NEARBY_TTL_MS + 1);
    expect(s.list.get(a.deviceId)).toBeDefined();
    vi.advanceTimersByTime(500);
    expect(s.list.get(a.deviceId)).toBeUndefined();
  });

  it('stops sweeping once closed', () => {
    vi.useFakeTimers();
    const s = setup();
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'mdns');
    s.list.close();
    s.clock.advance(NEARBY_TTL_MS + 1);
    vi.advanceTimersByTime(5000);
    expect(s.list.get(a.deviceId)).toBeDefined();
  });

  it('gone() removes a device at once and says so', () => {
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'mdns');
    s.changed.mockClear();
    s.list.gone(a.deviceId);
    expect(s.list.get(a.deviceId)).toBeUndefined();
    expect(s.list.list()).toEqual([]);
    expect(s.changed).toHaveBeenCalledTimes(1);
    s.list.gone(a.deviceId); // unknown now: no event
    expect(s.changed).toHaveBeenCalledTimes(1);
  });

  it('a device that comes back after leaving appears again', () => {
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'mdns');
    s.list.gone(a.deviceId);
    s.list.seen(a, 'mdns');
    expect(s.appeared).toHaveBeenCalledTimes(2);
  });

  it('says what changed: the devices new or changed, and those gone', () => {
    const s = setup();
    lists.push(s.list);
    const a = announcement('a', 'alpha');
    s.list.seen(a, 'mdns');
    expect(s.changed).toHaveBeenLastCalledWith([a.deviceId], []);
    s.list.gone(a.deviceId);
    expect(s.changed).toHaveBeenLastCalledWith([], [a.deviceId]);
  });
});

describe('NearbyList against a stranger announcing thousands of devices', () => {
  const fake = (i: number, from: string) => ({ a: announcement(i.toString(16).padStart(8, '0'), `fake-${i}`, { addresses: [from] }), from });

  it(`lists at most ${NEARBY_PER_ADDRESS} from one address, and turns the rest away`, () => {
    const s = setup();
    lists.push(s.list);
    let listed = 0;
    for (let i = 0; i < 2000; i++) {
      const { a, from } = fake(i, '10.0.0.66');
      if (s.list.seen(a, 'mdns', { from, exempt: false })) listed++;
    }
    expect(listed).toBe(NEARBY_PER_ADDRESS);
    expect(s.list.list()).toHaveLength(NEARBY_PER_ADDRESS);
    expect(s.list.refused).toBe(2000 - NEARBY_PER_ADDRESS);
    expect(s.changed).toHaveBeenCalledTimes(NEARBY_PER_ADDRESS);
  });

  it('admits new devices from one address at a bounded rate once its first burst is spent', () => {
    const s = setup();
    lists.push(s.list);
    let next = 0;
    const tryOne = () => {
      const { a, from } = fake(next++, '10.0.0.66');
      const ok = s.list.seen(a, 'mdns', { from, exempt: false });
      if (ok) s.list.gone(a.deviceId); // gone at once: the per-address count never fills, only the rate limits
      return ok;
    };
    let admitted = 0;
    for (let i = 0; i < 100; i++) if (tryOne()) admitted++;
    expect(admitted).toBe(NEARBY_PER_ADDRESS);
    s.clock.advance(NEARBY_ADMIT_INTERVAL_MS);
    expect([tryOne(), tryOne()]).toEqual([true, false]);
  });

  it(`holds at most ${NEARBY_MAX} devices from many addresses, yet always lists a teammate and an address typed by hand`, () => {
    const s = setup();
    lists.push(s.list);
    for (let i = 0; i < 2000; i++) {
      const { a, from } = fake(i, `10.1.${i % 250}.${Math.floor(i / 250)}`);
      s.list.seen(a, 'mdns', { from, exempt: false });
    }
    expect(s.list.list()).toHaveLength(NEARBY_MAX);
    const teammate = announcement('t', 'render-box', { addresses: ['10.0.0.9'] });
    expect(s.list.seen(teammate, 'mdns', { from: '10.0.0.9', exempt: true })).toBe(true);
    const typed = announcement('e', 'vpn-box', { addresses: ['10.8.0.2'] });
    expect(s.list.seen(typed, 'manual', { from: '10.8.0.2', exempt: true })).toBe(true);
    expect(s.list.get(teammate.deviceId)?.name).toBe('render-box');
    expect(s.list.get(typed.deviceId)?.name).toBe('vpn-box');
  });
});
