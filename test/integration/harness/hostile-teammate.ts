// A teammate that lies, for attack tests: a real member's identity (taken from the data directory
// of a paired agent that was then stopped), the real link code to speak the protocol, and whatever
// work messages and blob bytes a test makes it send. It runs inside the test process.

import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadOrCreateIdentity, type Identity } from '../../../electron/agent/identity/identity-store.js';
import { LinkManager } from '../../../electron/agent/transport/link-manager.js';
import type { Capacity } from '../../../shared/model/index.js';
import type { LinkMessage, WorkLease } from '../../../shared/protocol/index.js';
import { hangDeadline } from './testbed.js';

export const ONE_CORE: Capacity = { cores: 1, freeCores: 1, memoryBytes: 8e9, freeMemoryBytes: 4e9, load: 0, sharing: { mode: 'on', coreCap: null } };

export interface HostileOptions {
  /** The address its blob port listens on (teammates fetch from the link's address and this port). */
  host: string;
  capacity?: Capacity;
  /** What its heartbeats say: true makes workers ask it for work. */
  hasWork?: boolean;
  /** Answers every HTTPS request on its port; `hash` is the blob asked for, if any. */
  serve?: (hash: string | null, req: IncomingMessage, res: ServerResponse) => void;
  /** Answers a `work.request` from a teammate (null: work.none). */
  lease?: (from: string, requestId: number) => WorkLease | null;
  /** Its heartbeats list every lease it was given (default, as an attacker would), or none: as a worker that lost them. */
  listLeases?: boolean;
}

export class HostileTeammate {
  readonly received: { from: string; message: LinkMessage; atMs: number }[] = [];
  readonly blobRequests: string[] = [];
  private waiters: (() => void)[] = [];

  private constructor(
    readonly identity: Identity,
    private readonly links: LinkManager,
    private readonly server: https.Server,
  ) {}

  /** Links to `targets` (device id and host:port) as the member whose identity is in `dataDir`. */
  static async start(dataDir: string, targets: { id: string; address: string }[], opts: HostileOptions): Promise<HostileTeammate> {
    const identity = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true });
    const server = https.createServer({ key: identity.keyPem, cert: identity.certPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    let self: HostileTeammate | null = null;
    server.on('request', (req, res) => {
      const hash = /^\/blobs\/([0-9a-f]{64})/.exec(req.url ?? '')?.[1] ?? null;
      if (hash) self?.blobRequests.push(hash);
      if (opts.serve) opts.serve(hash, req, res);
      else res.writeHead(404).end();
    });
    server.on('upgrade', (_req, socket) => socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'));
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((r) => server.listen(0, opts.host, r));
    const port = (server.address() as AddressInfo).port;
    const links = new LinkManager({
      identity,
      listenPort: () => port,
      selfName: () => 'mallory',
      capacity: () => opts.capacity ?? ONE_CORE,
      hasWork: () => opts.hasWork ?? false,
      teammates: () => targets.map((t) => t.id),
      addressesOf: (id) => targets.filter((t) => t.id === id).map((t) => t.address),
      rosterHeads: () => null,
      // As an attacker would: every lease it was given listed in each heartbeat, kept alive for ever.
      leasesHeld: () => (self && opts.listLeases !== false ? self.received.flatMap((r) => (r.message.type === 'work.lease' ? [r.message.leaseId] : [])).slice(-64) : []),
      log: () => undefined,
    });
    self = new HostileTeammate(identity, links, server);
    const hostile = self;
    links.on('message', (from, message) => {
      hostile.received.push({ from, message, atMs: Date.now() });
      if (message.type === 'work.request' && opts.lease) {
        const lease = opts.lease(from, message.requestId);
        links.send(from, lease ? { ...lease, requestId: message.requestId } : { type: 'work.none', requestId: message.requestId });
      }
      hostile.waiters.forEach((w) => w());
    });
    return self;
  }

  online(id: string): boolean {
    return this.links.state(id)?.online ?? false;
  }

  send(to: string, message: LinkMessage): void {
    this.links.send(to, message);
  }

  /** The first message from `from` index on that matches (the deadline is at least HANG_FLOOR_MS). */
  waitFor<T extends LinkMessage>(match: (m: LinkMessage) => m is T, requestedMs = 15_000, from = 0): Promise<T> {
    const timeoutMs = hangDeadline(requestedMs);
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const hit = this.received.slice(from).find((r) => match(r.message));
        if (!hit) return false;
        this.waiters = this.waiters.filter((w) => w !== onMessage);
        clearTimeout(timer);
        resolve(hit.message as T);
        return true;
      };
      const onMessage = (): void => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== onMessage);
        reject(new Error(`no matching message within ${timeoutMs} ms; got ${this.received.map((r) => r.message.type).join(', ')}`));
      }, timeoutMs);
      if (!check()) this.waiters.push(onMessage);
    });
  }

  async close(): Promise<void> {
    await this.links.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A lease for one frame whose only input is `assets` (a fake coordinator needs nothing else). */
export function fakeLease(leaseId: string, assets: { name: string; hash: string; sizeBytes: number }[]): WorkLease {
  return {
    type: 'work.lease',
    requestId: 0,
    leaseId,
    jobId: '0123456789abcdef',
    engine: 'builtin-render',
    task: { taskId: `0123456789abcdef:f${leaseId}`, kind: 'frames', frames: [1], region: null, dependsOn: [], cost: 1 },
    settings: { width: 32, height: 24, samplesPerPixel: 1, seed: 1, frameStart: 1, frameEnd: 1, fps: 24, format: 'png' },
    scene: assets[0]!.name,
    assets,
    leaseMs: 10_000,
  };
}

/**
 * Streams `totalBytes` of zeros (no Content-Length unless `announce` is given) as fast as the
 * reader takes them; returns the bytes the socket accepted before it closed.
 */
export function streamZeros(res: ServerResponse, totalBytes: number, announce?: number): Promise<number> {
  res.writeHead(200, { 'content-type': 'application/octet-stream', ...(announce === undefined ? {} : { 'content-length': announce }) });
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  return new Promise((resolve) => {
    const done = (): void => resolve(sent);
    res.on('close', done);
    const pump = (): void => {
      while (sent < totalBytes && !res.destroyed) {
        const n = Math.min(chunk.length, totalBytes - sent);
        sent += n;
        if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
}
