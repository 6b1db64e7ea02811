import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Announcement } from '../../../../../electron/agent/discovery/peer-finder.js';
import { NEARBY_TTL_MS, NearbyList } from '../../../../../electron/agent/discovery/nearby-list.js';

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
});
