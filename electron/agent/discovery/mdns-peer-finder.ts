// Owns DNS-SD over multicast (bonjour-service) for `_troupe._tcp`. bonjour-service queries once,
// never refreshes last-seen and never notices a crash, so this re-queries on a timer and reports
// every answer it hears; NearbyList keeps the clock.

import Bonjour from 'bonjour-service';
import os from 'node:os';
import { PROTOCOL_VERSION, SERVICE_TYPE, txtSchema } from '../../../shared/protocol/index.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { MdnsSenderFilter } from './mdns-sender-filter.js';
import type { Announcement, PeerFinder } from './peer-finder.js';

type Service = InstanceType<typeof Bonjour.Service>;

/** Avahi answers a record at most once a second; asking every 2 s keeps 10 s crash detection with margin. */
const REQUERY_INTERVAL_MS = 2000;
const INTERFACE_POLL_MS = 3000;
const SERVICE_FQDN_SUFFIX = `._${SERVICE_TYPE}._tcp.local`;

export interface MdnsOptions {
  /** The one interface to announce and listen on, by IPv4 address or by name (eth0); undefined = every interface. */
  interfaceSetting?: string;
  log?: (line: string) => void;
}

export class MdnsPeerFinder implements PeerFinder {
  private bonjour: Bonjour | null = null;
  private browser: ReturnType<Bonjour['find']> | null = null;
  private self: Announcement | null = null;
  private readonly fqdnToId = new Map<string, DeviceId>();
  private readonly seen: ((a: Announcement) => void)[] = [];
  private readonly gone: ((id: DeviceId) => void)[] = [];
  private timers: NodeJS.Timeout[] = [];
  private interfaceKey = '';
  private readonly filter = new MdnsSenderFilter(SERVICE_FQDN_SUFFIX.toLowerCase());

  constructor(private readonly options: MdnsOptions = {}) {}

  onSeen(listener: (a: Announcement) => void): void {
    this.seen.push(listener);
  }
  onGone(listener: (id: DeviceId) => void): void {
    this.gone.push(listener);
  }

  async start(self: Announcement): Promise<void> {
    this.self = self;
    this.open();
    this.timers.push(setInterval(() => this.query(), REQUERY_INTERVAL_MS));
    this.timers.push(setInterval(() => this.watchInterfaces(), INTERFACE_POLL_MS));
  }

  /** Binds to the configured interface as it is now (an interface named but without an address waits). */
  private open(): void {
    const setting = this.options.interfaceSetting;
    const addr = setting === undefined ? undefined : resolveInterfaceAddress(setting);
    this.interfaceKey = interfaceKey(setting);
    if (setting !== undefined && addr === undefined) {
      this.options.log?.(`interface ${setting} has no IPv4 address; discovery waits for one`);
      return;
    }
    // `interface` alone binds the socket to that unicast address, which then never receives
    // multicast; binding 0.0.0.0 and joining/sending on the one interface works (TESTBED.md).
    const opts = addr ? { interface: addr, bind: '0.0.0.0' } : {};
    this.bonjour = new Bonjour(opts as object, (err: Error) => this.options.log?.(`mdns: ${err.message}`));
    const mdns = (this.bonjour as unknown as { server: { mdns: NodeJS.EventEmitter & { query: (q: unknown) => void } } }).server.mdns;
    // Ahead of every listener, the browser's too: bonjour-service offers no hook, so its emitter's
    // 'response' is wrapped, and a flood of made-up services never reaches the browser's list.
    const emit = mdns.emit.bind(mdns);
    mdns.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event !== 'response') return emit(event, ...args);
      const [packet, rinfo] = args as [{ answers?: Rr[]; additionals?: Rr[] }, { address: string }];
      const filtered = { ...packet, answers: this.filter.filter(packet.answers ?? [], rinfo.address), additionals: this.filter.filter(packet.additionals ?? [], rinfo.address) };
      return emit(event, filtered, rinfo);
    }) as typeof mdns.emit;
    mdns.on('response', (packet: { answers: Rr[]; additionals: Rr[] }, rinfo: { address: string }) => this.onResponse(packet, rinfo));
    mdns.on('error', (err: Error) => this.options.log?.(`mdns: ${err.message}`));
    this.publish();
    this.browser = this.bonjour.find({ type: SERVICE_TYPE });
    this.browser.on('up', (s) => this.report(s));
    this.browser.on('txt-update', (s) => this.report(s));
    this.browser.on('srv-update', (s) => this.report(s));
    this.browser.on('down', (s) => {
      const id = this.fqdnToId.get(s.fqdn);
      if (id) this.gone.forEach((l) => l(id));
    });
  }

  update(self: Announcement): void {
    this.self = self;
    this.bonjour?.unpublishAll(() => this.publish());
  }

  query(): void {
    this.browser?.update();
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearInterval);
    this.timers = [];
    await this.close();
  }

  private async close(): Promise<void> {
    const bonjour = this.bonjour;
    this.bonjour = null;
    if (!bonjour) return;
    this.browser?.stop();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 500);
      bonjour.unpublishAll(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    await new Promise<void>((resolve) => bonjour.destroy(() => resolve()));
  }

  private publish(): void {
    const self = this.self;
    if (!this.bonjour || !self) return;
    const label = `troupe-${self.deviceId.slice(0, 16)}`;
    this.bonjour.publish({
      name: label, // unique per device, so probing for conflicts is unnecessary (it costs ~1 s)
      host: `${label}.local`, // namespaces share the host name: each device needs its own
      type: SERVICE_TYPE,
      port: self.port,
      probe: false,
      disableIPv6: true,
      txt: {
        id: self.deviceId,
        pv: String(PROTOCOL_VERSION),
        name: self.name,
        os: self.os,
        cores: String(self.cores),
        mem: String(self.memoryBytes),
        ...(self.engines.length > 0 ? { engines: self.engines.join(',') } : {}),
        port: String(self.port),
      },
    });
  }

  private report(service: Service): void {
    const parsed = txtSchema.safeParse(service.txt ?? {});
    if (!parsed.success || !this.self || parsed.data.id === this.self.deviceId) return;
    const txt = parsed.data;
    remember(this.fqdnToId, service.fqdn, txt.id);
    const addresses = [service.referer?.address, ...(service.addresses ?? [])].filter(
      (a): a is string => typeof a === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(a),
    );
    const announcement: Announcement = {
      deviceId: txt.id,
      name: txt.name || 'unnamed',
      addresses: [...new Set(addresses)],
      port: Number(txt.port) || service.port,
      os: txt.os,
      cores: Number(txt.cores),
      memoryBytes: Number(txt.mem),
      engines: txt.engines ? txt.engines.split(',') : [],
      protocolVersion: Number(txt.pv),
      ...(service.referer?.address ? { from: service.referer.address } : {}),
    };
    remember(this.lastAnnouncement, service.fqdn, announcement);
    this.seen.forEach((l) => l(announcement));
  }

  private readonly lastAnnouncement = new Map<string, Announcement>();

  /** The browser reports a service only when it first appears; every later answer refreshes last-seen here. */
  private onResponse(packet: { answers: Rr[]; additionals: Rr[] }, rinfo: { address: string }): void {
    for (const rr of [...packet.answers, ...packet.additionals]) {
      if (rr.type !== 'PTR' || typeof rr.data !== 'string' || !rr.data.endsWith(SERVICE_FQDN_SUFFIX)) continue;
      const known = this.lastAnnouncement.get(rr.data);
      if (!known || rr.ttl === 0) continue;
      const addresses = [...new Set([rinfo.address, ...known.addresses])];
      this.seen.forEach((l) => l({ ...known, addresses, from: rinfo.address }));
    }
  }

  /**
   * New addresses (DHCP, a VPN coming up, Wi-Fi to cable): announce again with the new A records.
   * When the one configured interface changed its address, the multicast socket was joined through
   * the old one, so it is opened afresh.
   */
  private watchInterfaces(): void {
    const key = interfaceKey(this.options.interfaceSetting);
    if (key === this.interfaceKey) return;
    this.options.log?.(`network interfaces changed (${key || 'no address'}); announcing again`);
    if (this.options.interfaceSetting === undefined) {
      this.interfaceKey = key;
      this.update(this.self!);
      this.query();
      return;
    }
    this.interfaceKey = key;
    void this.close().then(() => {
      this.open();
      this.query();
    });
  }
}

interface Rr {
  type: string;
  name: string;
  ttl: number;
  data: unknown;
}

function interfaceKey(setting?: string): string {
  if (setting !== undefined) return resolveInterfaceAddress(setting) ?? '';
  return Object.values(os.networkInterfaces())
    .flat()
    .filter((i) => i && i.family === 'IPv4')
    .map((i) => i!.address)
    .sort()
    .join(',');
}

/** An IPv4 address is taken as it is (if this machine has it); a name gives that interface's first IPv4 address. */
export function resolveInterfaceAddress(setting: string): string | undefined {
  const interfaces = os.networkInterfaces();
  if (/^\d+\.\d+\.\d+\.\d+$/.test(setting)) {
    const present = Object.values(interfaces).flat().some((i) => i?.address === setting);
    return present ? setting : undefined;
  }
  return interfaces[setting]?.find((i) => i.family === 'IPv4')?.address;
}

export function osLabel(): string {
  return `${os.platform()}-${os.arch()}`;
}

/** What a stranger announces is kept, but never more than this many services (oldest go first). */
const REMEMBERED_SERVICES = 1024;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key); // to the end: the most recent
  map.set(key, value);
  if (map.size > REMEMBERED_SERVICES) map.delete(map.keys().next().value!);
}
