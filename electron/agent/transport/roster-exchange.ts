// Owns short roster-only links (`/roster`) between two devices that disagree on whether they are
// teammates: one of them holds a removal the other has not seen, or believes a removal that is
// void. Only roster messages travel here, never work or blobs, and each op is judged by the fold,
// so the worst a removed device can do with it is learn the roster and be told it was removed.
// Without it two members could stay split for good: the one that believes the other removed
// refuses its /link, and with it the ops that would set things right.
//
//   dial /link --403--> dial /roster (at most once a minute per device) --hello--> heads compared,
//   differences asked for and sent --> closed after 5 s without a frame, or 20 s in all

import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, PROTOCOL_MINOR, PROTOCOL_VERSION, type LinkMessage, type RosterHeads } from '../../../shared/protocol/index.js';
import type { Capacity, DeviceId } from '../../../shared/model/index.js';
import type { Identity } from '../identity/identity-store.js';
import { peerCertificate } from './peer-certificate.js';
import { PeerLink } from './peer-link.js';

const IDLE_MS = 5000;
const MAX_LIFE_MS = 20_000;
const REDIAL_MS = 60_000;
const MAX_OPEN = 16;

export interface RosterExchangeDeps {
  identity: Identity;
  selfName: () => string;
  listenPort: () => number;
  capacity: () => Capacity;
  rosterHeads: () => RosterHeads | null;
  log: (line: string) => void;
}

type RosterMessage = Extract<LinkMessage, { type: 'roster.want' | 'roster.ops' }>;

export class RosterExchange extends EventEmitter<{
  /** An exchange began: what was asked of or answered to this device before starts over. */
  opened: [DeviceId];
  heads: [DeviceId, RosterHeads | null];
  message: [DeviceId, RosterMessage];
}> {
  private readonly links = new Map<DeviceId, PeerLink>();
  private readonly lastDialMs = new Map<DeviceId, number>();
  private closed = false;

  constructor(private readonly deps: RosterExchangeDeps) {
    super();
  }

  /** Devices an exchange is open with now. */
  peers(): DeviceId[] {
    return [...this.links.keys()];
  }

  has(id: DeviceId): boolean {
    return this.links.has(id);
  }

  send(id: DeviceId, message: LinkMessage): boolean {
    const link = this.links.get(id);
    if (!link) return false;
    link.send(message);
    return true;
  }

  draining(id: DeviceId): boolean {
    return this.links.get(id)?.draining ?? false;
  }

  /** After `address` refused our /link: compare rosters with it there instead (rate-limited). */
  dial(id: DeviceId, address: string): void {
    if (this.closed || this.links.has(id) || this.links.size >= MAX_OPEN) return;
    if (Date.now() - (this.lastDialMs.get(id) ?? 0) < REDIAL_MS) return;
    this.lastDialMs.set(id, Date.now());
    const ws = new WebSocket(`wss://${address}/roster`, {
      cert: this.deps.identity.certPem,
      key: this.deps.identity.keyPem,
      rejectUnauthorized: false, // pinned below, as for links
      minVersion: 'TLSv1.3',
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 3000,
      perMessageDeflate: false,
    });
    ws.on('upgrade', (res) => {
      if (peerCertificate(res.socket as TLSSocket)?.deviceId !== id) ws.terminate();
    });
    ws.on('open', () => this.attach(new PeerLink(ws, id, 'out', address.replace(/:\d+$/, ''))));
    ws.on('unexpected-response', (_req, res) => {
      this.deps.log(`${address} refused to compare rosters (HTTP ${res.statusCode})`);
      ws.terminate();
    });
    ws.on('error', () => undefined);
  }

  /** A /roster connection from a device the listener let in (a member, or one we hold removed). */
  accept(ws: WebSocket, id: DeviceId, remoteAddress: string): void {
    if (this.closed || this.links.has(id) || this.links.size >= MAX_OPEN) return void ws.close(1013, 'busy');
    this.attach(new PeerLink(ws, id, 'in', remoteAddress));
  }

  /** Ends the exchange with a device (it is a teammate again: its /link will follow). */
  end(id: DeviceId): void {
    this.links.get(id)?.close('roster settled', 1000);
  }

  close(): void {
    this.closed = true;
    for (const link of this.links.values()) link.close('agent stopping', 1001);
  }

  private attach(link: PeerLink): void {
    const id = link.peerId;
    if (this.links.has(id)) return link.close('duplicate', 4001);
    this.links.set(id, link);
    const life = setTimeout(() => link.close('roster exchange over', 1000), MAX_LIFE_MS);
    // Heads again every second, as heartbeats carry them on a link: a request that was not
    // answered (the peer answers at most once a second) is asked again.
    const tick = setInterval(() => {
      if (Date.now() - link.lastFrameAtMs > IDLE_MS) return link.close('roster exchange idle', 1000);
      this.sayHello(link);
    }, 1000);
    this.deps.log(`comparing rosters with ${link.remoteAddress} (${link.direction === 'out' ? 'we asked' : 'it asked'})`);
    link.on('closed', () => {
      clearTimeout(life);
      clearInterval(tick);
      if (this.links.get(id) === link) this.links.delete(id);
    });
    link.on('message', (m) => {
      if (m.type === 'hello') {
        if (m.protocol === PROTOCOL_VERSION) this.emit('heads', id, m.roster);
        else link.close('protocol mismatch', 4000);
      } else if (m.type === 'roster.want' || m.type === 'roster.ops') this.emit('message', id, m);
      // Nothing else is taken here: no work, no addresses, no heartbeats.
    });
    this.emit('opened', id);
    this.sayHello(link);
  }

  private sayHello(link: PeerLink): void {
    link.send({
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      minor: PROTOCOL_MINOR,
      features: [],
      name: this.deps.selfName(),
      listenPort: this.deps.listenPort(),
      capacity: this.deps.capacity(),
      roster: this.deps.rosterHeads(),
    });
  }
}
