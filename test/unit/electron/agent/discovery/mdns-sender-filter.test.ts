// The filter ahead of bonjour-service's browser: a sender's first services pass, records of more
// new ones are dropped, and those it announced before keep passing.

import { describe, expect, it } from 'vitest';
import { MdnsSenderFilter, SERVICES_PER_SENDER } from '../../../../../electron/agent/discovery/mdns-sender-filter.js';

const SUFFIX = '._troupe._tcp.local';
const service = (i: number) => [
  { type: 'PTR', name: '_troupe._tcp.local', data: `fake-${i}${SUFFIX}` },
  { type: 'SRV', name: `fake-${i}${SUFFIX}`, data: { port: 1, target: 'x.local' } },
  { type: 'TXT', name: `fake-${i}${SUFFIX}`, data: [] },
  { type: 'A', name: `fake-${i}.local`, data: '10.0.0.66' },
];

describe('MdnsSenderFilter', () => {
  it(`passes a sender's first ${SERVICES_PER_SENDER} services, drops the records of more, keeps passing the known ones`, () => {
    const f = new MdnsSenderFilter(SUFFIX);
    const passed = Array.from({ length: 100 }, (_, i) => f.filter(service(i), '10.0.0.66'));
    expect(passed.slice(0, SERVICES_PER_SENDER).every((p) => p.length === 4)).toBe(true);
    expect(passed.slice(SERVICES_PER_SENDER).every((p) => p.map((r) => r.type).join() === 'A')).toBe(true); // only what names no service
    expect(f.filter(service(3), '10.0.0.66')).toHaveLength(4);
    expect(f.dropped).toBe((100 - SERVICES_PER_SENDER) * 3);
  });

  it('counts per sender: another address has its own few', () => {
    const f = new MdnsSenderFilter(SUFFIX);
    for (let i = 0; i < 50; i++) f.filter(service(i), '10.0.0.66');
    expect(f.filter(service(1000), '10.0.0.7')).toHaveLength(4);
  });
});
