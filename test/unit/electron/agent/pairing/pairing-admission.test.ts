import { describe, expect, it } from 'vitest';
import { addressKey, PairingAdmission, type PairRequestsRefused } from '../../../../../electron/agent/pairing/pairing-admission.js';

function admission() {
  let t = 1_000_000;
  const notices: PairRequestsRefused[] = [];
  const a = new PairingAdmission(
    (n) => notices.push(n),
    () => t,
  );
  return { a, notices, advance: (ms: number) => void (t += ms) };
}

describe('PairingAdmission', () => {
  it('three slots in all, one per address; released slots are free again', () => {
    const { a } = admission();
    const s1 = a.take('d1', '10.0.0.1')!;
    expect(a.take('d2', '10.0.0.1')).toBeNull(); // another certificate from the same address waits its turn
    const s2 = a.take('d2', '10.0.0.2')!;
    a.take('d3', '10.0.0.3');
    expect(a.take('d4', '10.0.0.4')).toBeNull();
    s1.release();
    s1.release(); // twice is harmless
    expect(a.take('d4', '10.0.0.4')).not.toBeNull();
    s2.release();
    expect(a.size).toBe(2);
  });

  it('a newer connection from the same device supersedes the older one, wherever it comes from', () => {
    const { a } = admission();
    const old = a.take('d1', '10.0.0.1')!;
    let superseded = 0;
    old.onSuperseded = () => superseded++;
    a.take('d2', '10.0.0.2');
    a.take('d3', '10.0.0.3');
    expect(a.take('d1', '10.0.0.9')).not.toBeNull(); // full, but its own slot is the one it takes
    expect(superseded).toBe(1);
    expect(a.size).toBe(3);
  });

  it('rate: five attempts a minute per address; an IPv6 /64 is one address', () => {
    const { a, advance } = admission();
    for (let i = 0; i < 5; i++) expect(a.withinRate(`fd00:1:2:3::${i + 1}`)).toBe(true);
    expect(a.withinRate('fd00:1:2:3:ffff::9')).toBe(false);
    expect(a.withinRate('fd00:1:2:4::1')).toBe(true);
    advance(60_000);
    expect(a.withinRate('fd00:1:2:3::77')).toBe(true);
  });

  it('a burst of refusals becomes one notice a minute, not one per refusal', () => {
    const { a, notices, advance } = admission();
    for (let i = 0; i < 4; i++) a.refused();
    expect(notices).toEqual([]);
    for (let i = 0; i < 50; i++) a.refused();
    expect(notices).toHaveLength(1);
    expect(notices[0]!.refused).toBe(5);
    expect(notices[0]!.message).toMatch(/5 pairing requests were refused in the last minute/);
    advance(61_000);
    for (let i = 0; i < 5; i++) a.refused();
    expect(notices).toHaveLength(2);
  });

  it('addressKey: IPv4 as is, IPv6 by /64, mapped IPv4 unwrapped, zone ids dropped', () => {
    expect(addressKey('192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('::ffff:192.168.1.20')).toBe('192.168.1.20');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('2001:db8:0:1:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:DB8:0:1::5')).toBe('2001:db8:0:1::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
