// Owns the links to every teammate: dialing with backoff, accepting, one link per pair, heartbeats
// and the online/offline verdict. The roster decides who is a teammate; this only keeps them linked.
//
//   per teammate:   offline --dial/accept--> connecting --hello--> online
//                      ^                         |                   |
//                      +---- fail (backoff) -----+                   |
//                      +------ close / 2.3 s without a frame --------+

import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  MAX_HEARTBEAT_LEASES,
  MAX_FRAME_BYTES,
  PROTOCOL_FEATURES,
  PROTOCOL_MINOR,
  PROTOCOL_VERSION,
  type LinkMessage,
  type RosterHeads,
} from '../../../shared/protocol/index.js';
import type { Capacity, DeviceId } from '../../../shared/model/index.js';
import type { Identity } from '../identity/identity-store.js';
import { peerCertificate } from './peer-certificate.js';
import { PeerLink } from './peer-link.js';

const TICK_MS = 100; // liveness checks; dials are paced by their backoff, not by this
/**
 * A check this late means our own event loop was held up (a busy machine, a long synchronous step):
 * the peers' heartbeats may be waiting unread in the sockets, as timers run before I/O is polled.
 * Silence is judged at the next check, once they have been read; never two checks in a row are
 * skipped, so a loop that is always late still drops dead links.
 */
const LATE_TICK_MS = 5 * TICK_MS;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 4000;

export interface LinkManagerDeps {
  identity: Identity;
  listenPort: () => number;
  selfName: () => string;
  capacity: () => Capacity;
  /** Whether this agent, as coordinator, has work to give an idle worker (told to teammates in heartbeats). */
  hasWork: () => boolean;
  /** The leases this agent's worker is working on, any coordinator's (told in heartbeats, which keep them alive). */
  leasesHeld: () => string[];
  /** Teammates we should be linked to (not including this device). */
  teammates: () => DeviceId[];
  /** Where a teammate may be reached, best first, as host:port. */
  addressesOf: (id: DeviceId) => string[];
  /** This device's roster heads, told in hello and every heartbeat. */
  rosterHeads: () => RosterHeads | null;
  /** What this build says of its version; a test build may claim a newer one and extra features. */
  version?: { major: number; minor: number; features: readonly string[] };
  log: (line: string) => void;
}

export interface PeerState {
  online: boolean;
  /** Features both sides offered in their hellos. */
  features: string[];
  /** The peer's version as its hello said (major.minor). */
  version: string | null;
  hasWork: boolean;
  /** The leases the peer's last heartbeat listed; null when it lists none (before 2.3). */
  leases: string[] | null;
  name: string | null;
  capacity: Capacity | null;
  lastHeartbeatMs: number | null;
  address: string | null;
}

interface Slot {
  link: PeerLink | null;
  pending: Set<PeerLink>;
  dialing: boolean;
  attempts: number;
  nextDialAtMs: number;
  state: PeerState;
}

export class LinkManager extends EventEmitter<{
  online: [DeviceId, string];
  offline: [DeviceId, string];
  message: [DeviceId, LinkMessage];
  linkAddress: [DeviceId, string];
  heartbeat: [DeviceId];
  /** Roster heads from a hello or heartbeat. */
  heads: [DeviceId, RosterHeads | null];
  /** A teammate runs a protocol we cannot speak (a different major version). */
  incompatible: [DeviceId, string];
  /** A teammate's address answered our /link with an HTTP refusal (403: it does not count us as a member). */
  refused: [DeviceId, string, number];
}> {
  private readonly slots = new Map<DeviceId, Slot>();
  private readonly timers: NodeJS.Timeout[] = [];
  private heartbeatSeq = 0;
  private closed = false;
  private lastTickAtMs = Date.now();
  private skippedLastTick = false;

  constructor(private readonly deps: LinkManagerDeps) {
    super();
    this.timers.push(setInterval(() => this.tick(), TICK_MS));
    this.timers.push(setInterval(() => this.heartbeat(), HEARTBEAT_INTERVAL_MS));
  }

  state(id: DeviceId): PeerState | null {
    return this.slots.get(id)?.state ?? null;
  }

  /** Peers with a link up now, teammates or not (a just-removed member is linked until prune). */
  onlinePeers(): DeviceId[] {
    return [...this.slots].filter(([, slot]) => slot.link && slot.state.online).map(([id]) => id);
  }

  /** A hint that the peer is reachable again (mDNS saw it): dial now instead of after the backoff. */
  nudge(id: DeviceId): void {
    const slot = this.slots.get(id);
    if (slot && !slot.link) slot.nextDialAtMs = 0;
  }

  /** A teammate announced new work before its next heartbeat would have. */
  markHasWork(id: DeviceId): void {
    const slot = this.slots.get(id);
    if (slot) slot.state.hasWork = true;
  }

  accept(ws: WebSocket, peerId: DeviceId, remoteAddress: string): void {
    this.attach(new PeerLink(ws, peerId, 'in', remoteAddress));
  }

  send(id: DeviceId, message: LinkMessage): void {
    this.slots.get(id)?.link?.send(message);
  }

  /** Whether the link to `id` is reading what we send (false: optional answers should wait). */
  draining(id: DeviceId): boolean {
    return this.slots.get(id)?.link?.draining ?? false;
  }

  broadcast(message: LinkMessage): void {
    for (const slot of this.slots.values()) slot.link?.send(message);
  }

  /** Closes links to devices that are no longer teammates (after a removal). */
  prune(): void {
    const keep = new Set(this.deps.teammates());
    for (const [id, slot] of this.slots) {
      if (keep.has(id)) continue;
      slot.link?.close('removed from the team', 4003);
      for (const l of slot.pending) l.close('removed from the team', 4003);
      this.slots.delete(id);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.timers.forEach(clearInterval);
    for (const slot of this.slots.values()) {
      slot.link?.close('agent stopping', 1001);
      for (const l of slot.pending) l.close('agent stopping', 1001);
    }
  }

  private slot(id: DeviceId): Slot {
    let slot = this.slots.get(id);
    if (!slot) {
      slot = {
        link: null,
        pending: new Set(),
        dialing: false,
        attempts: 0,
        nextDialAtMs: 0,
        state: {
          online: false,
          features: [],
          version: null,
          hasWork: false,
          leases: null,
          name: null,
          capacity: null,
          lastHeartbeatMs: null,
          address: null,
        },
      };
      this.slots.set(id, slot);
    }
    return slot;
  }

  private tick(): void {
    if (this.closed) return;
    const now = Date.now();
    const stalled = now - this.lastTickAtMs > LATE_TICK_MS && !this.skippedLastTick;
    this.lastTickAtMs = now;
    this.skippedLastTick = stalled;
    for (const id of this.deps.teammates()) {
      const slot = this.slot(id);
      if (!stalled && slot.link && now - slot.link.lastFrameAtMs > HEARTBEAT_TIMEOUT_MS) {
        slot.link.kill(`no heartbeat for ${HEARTBEAT_TIMEOUT_MS / 1000} s`);
      }
      // A link that never says hello would otherwise be held open forever.
      if (!stalled) for (const pending of slot.pending) if (now - pending.lastFrameAtMs > HEARTBEAT_TIMEOUT_MS) pending.kill('no hello');
      if (!slot.link && !slot.dialing && now >= slot.nextDialAtMs) this.dial(id, slot);
    }
  }

  private dial(id: DeviceId, slot: Slot): void {
    const addresses = this.deps.addressesOf(id);
    if (addresses.length === 0) return;
    const address = addresses[slot.attempts % addresses.length]!;
    slot.dialing = true;
    slot.attempts++;
    const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** Math.min(slot.attempts - 1, 5));
    slot.nextDialAtMs = Date.now() + backoff * (0.75 + Math.random() * 0.5);
    const ws = new WebSocket(`wss://${address}/link`, {
      cert: this.deps.identity.certPem,
      key: this.deps.identity.keyPem,
      rejectUnauthorized: false, // pinned below: the certificate must be the teammate's
      minVersion: 'TLSv1.3',
      maxPayload: MAX_FRAME_BYTES,
      handshakeTimeout: 3000,
      perMessageDeflate: false,
    });
    let link: PeerLink | null = null;
    const done = (): void => {
      slot.dialing = false;
    };
    ws.on('upgrade', (res) => {
      const peer = peerCertificate(res.socket as TLSSocket);
      if (!peer || peer.deviceId !== id) {
        this.deps.log(`${address} answered with another device's certificate; not our teammate`);
        ws.terminate();
      }
    });
    ws.on('open', () => {
      done();
      link = new PeerLink(ws, id, 'out', address.replace(/:\d+$/, ''));
      this.attach(link);
    });
    ws.on('unexpected-response', (_req, res) => {
      this.deps.log(`${address} refused our link (HTTP ${res.statusCode})`);
      ws.terminate();
      this.emit('refused', id, address, res.statusCode ?? 0);
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (!link) done();
    });
  }

  private attach(link: PeerLink): void {
    const slot = this.slot(link.peerId);
    slot.pending.add(link);
    link.on('message', (m) => this.onMessage(link, m));
    link.on('closed', (reason) => this.onClosed(link, reason));
    const version = this.version();
    link.send({
      type: 'hello',
      protocol: version.major,
      minor: version.minor,
      features: [...version.features],
      name: this.deps.selfName(),
      listenPort: this.deps.listenPort(),
      capacity: this.deps.capacity(),
      roster: this.deps.rosterHeads(),
    });
  }

  private onMessage(link: PeerLink, message: LinkMessage): void {
    const slot = this.slot(link.peerId);
    if (message.type === 'hello') {
      const ours = this.version();
      if (message.protocol !== ours.major) {
        const reason = versionMismatch(`${ours.major}.${ours.minor}`, `${message.protocol}.${message.minor}`, message.name);
        // Told once per version met: the dialer keeps trying (the other machine may update) but the owner hears it once.
        if (slot.state.version !== `${message.protocol}.${message.minor}`) this.emit('incompatible', link.peerId, reason);
        slot.state.version = `${message.protocol}.${message.minor}`;
        link.send({
          type: 'error',
          code: 'protocol-mismatch',
          message: versionMismatch(`${message.protocol}.${message.minor}`, `${ours.major}.${ours.minor}`, this.deps.selfName()),
        });
        return link.close('protocol mismatch', 4000);
      }
      link.helloReceived = true;
      link.listenPort = message.listenPort;
      slot.state.name = message.name;
      slot.state.capacity = message.capacity;
      slot.state.lastHeartbeatMs = Date.now();
      slot.state.version = `${message.protocol}.${message.minor}`;
      slot.state.features = message.features.filter((f) => ours.features.includes(f));
      this.promote(link, slot);
      if (slot.link === link) this.emit('heads', link.peerId, message.roster);
      return;
    }
    if (!link.helloReceived || slot.link !== link) return;
    if (message.type === 'heartbeat') {
      slot.state.capacity = message.capacity;
      slot.state.name = message.name;
      slot.state.lastHeartbeatMs = Date.now();
      slot.state.hasWork = message.hasWork;
      slot.state.leases = message.leases ?? null;
      this.emit('heartbeat', link.peerId);
      this.emit('heads', link.peerId, message.roster);
      return;
    }
    this.emit('message', link.peerId, message);
  }

  /** Two links to one peer (both dialed at once): both ends keep the one the smaller id dialed. */
  private promote(link: PeerLink, slot: Slot): void {
    slot.pending.delete(link);
    const current = slot.link;
    if (current && current.open && Date.now() - current.lastFrameAtMs < HEARTBEAT_INTERVAL_MS * 1.5) {
      const selfId = this.deps.identity.deviceId;
      const dialer = (l: PeerLink): DeviceId => (l.direction === 'out' ? selfId : l.peerId);
      const keepNew = dialer(link) < dialer(current);
      const loser = keepNew ? current : link;
      if (!keepNew) return loser.close('duplicate link', 4001);
      slot.link = link;
      loser.close('duplicate link', 4001);
    } else {
      current?.kill('replaced by a new link');
      slot.link = link;
    }
    slot.attempts = 0;
    const address = `${link.remoteAddress}:${link.listenPort}`;
    slot.state.address = address;
    this.emit('linkAddress', link.peerId, address);
    if (!slot.state.online) {
      slot.state.online = true;
      this.emit('online', link.peerId, slot.state.name ?? '');
    }
  }

  private onClosed(link: PeerLink, reason: string): void {
    const slot = this.slots.get(link.peerId);
    if (!slot) return;
    slot.pending.delete(link);
    if (slot.link !== link) return;
    slot.link = null;
    slot.nextDialAtMs = Math.min(slot.nextDialAtMs, Date.now() + BACKOFF_MIN_MS);
    if (slot.state.online && !this.closed) {
      slot.state.online = false;
      this.emit('offline', link.peerId, reason);
    }
  }

  private version(): { major: number; minor: number; features: readonly string[] } {
    return this.deps.version ?? { major: PROTOCOL_VERSION, minor: PROTOCOL_MINOR, features: PROTOCOL_FEATURES };
  }

  private heartbeat(): void {
    const capacity = this.deps.capacity();
    const message: LinkMessage = {
      type: 'heartbeat',
      seq: this.heartbeatSeq++,
      sentAtMs: Date.now(),
      capacity,
      name: this.deps.selfName(),
      hasWork: this.deps.hasWork(),
      roster: this.deps.rosterHeads(),
      leases: this.deps.leasesHeld().slice(0, MAX_HEARTBEAT_LEASES),
    };
    this.broadcast(message);
  }
}

/** Told on both sides: which versions met, and what to do about it. */
function versionMismatch(ours: string, theirs: string, theirName: string): string {
  return `${theirName} runs Troupe protocol ${theirs} and this machine ${ours}; different major versions cannot work together. Update Troupe on the older machine.`;
}
