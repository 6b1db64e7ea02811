// A stranger on the LAN announcing thousands of made-up Troupe devices over real mDNS multicast
// (bonjour-service's own multicast socket, multicast-dns): every device a PTR, SRV, TXT and A record,
// well-formed as an agent's, sent in packets of a few devices each, again and again.
// Run inside a host of the testbed: node mdns-flood.js INTERFACE_ADDRESS DEVICES SECONDS
// Prints {"packets": n, "devices": n} when done.

import { randomBytes } from 'node:crypto';
import Bonjour from 'bonjour-service';

const [iface = '127.0.0.1', devicesArg = '2000', secondsArg = '20'] = process.argv.slice(2);
const DEVICES = Number(devicesArg);
const SECONDS = Number(secondsArg);
const PER_PACKET = 4;
const TYPE = '_troupe._tcp.local';

const devices = Array.from({ length: DEVICES }, (_, i) => ({
  id: randomBytes(32).toString('hex'),
  name: `fake-${i}`,
  host: `fake-${i}.local`,
}));

function records(d: (typeof devices)[number]) {
  const fqdn = `${d.name}.${TYPE}`;
  return [
    { name: TYPE, type: 'PTR' as const, ttl: 4500, data: fqdn },
    { name: fqdn, type: 'SRV' as const, ttl: 120, data: { port: 47800, target: d.host } },
    {
      name: fqdn,
      type: 'TXT' as const,
      ttl: 4500,
      data: [`id=${d.id}`, 'pv=2', `name=${d.name}`, 'os=linux-x64', 'cores=64', 'mem=274877906944', 'engines=builtin-render', 'port=47800'].map((s) => Buffer.from(s)),
    },
    { name: d.host, type: 'A' as const, ttl: 120, data: iface },
  ];
}

/** The subset of multicast-dns used here (bonjour-service keeps it untyped). */
interface Mdns {
  respond(packet: { answers: ReturnType<typeof records> }, done: () => void): void;
  on(event: 'ready', listener: () => void): void;
  destroy(): void;
}
const bonjour = new Bonjour({ interface: iface, bind: '0.0.0.0' } as object);
const mdns = (bonjour as unknown as { server: { mdns: Mdns } }).server.mdns;
let packets = 0;
const end = Date.now() + SECONDS * 1000;
let next = 0;
const send = (): void => {
  if (Date.now() > end) {
    console.log(JSON.stringify({ packets, devices: DEVICES }));
    bonjour.destroy();
    return;
  }
  const batch = Array.from({ length: PER_PACKET }, () => devices[next++ % DEVICES]!);
  mdns.respond({ answers: batch.flatMap(records) }, () => {
    packets++;
    setTimeout(send, 2);
  });
};
setTimeout(send, 200); // the socket binds as the Bonjour is made
