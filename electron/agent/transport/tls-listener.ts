// Owns the one TLS 1.3 port an agent listens on: who may hold a connection open, mutual
// certificates, then routing. Pairing and /info take any certificate; links and blobs only roster
// members; removed members are cut off right after the handshake, before they can send a byte.

import https from 'node:https';
import net from 'node:net';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '../../../shared/protocol/index.js';
import type { DeviceId } from '../../../shared/model/index.js';
import type { Identity } from '../identity/identity-store.js';
import { peerCertificate, type PeerCertificate } from './peer-certificate.js';
import type { BlobStore } from '../storage/blob-store.js';
import { serveBlob } from './blob-route.js';

/**
 * What anyone who can reach the port may make us hold. Connections are counted from the TCP
 * accept, before any TLS work, so one over a cap costs a close and nothing else.
 */
export interface ConnectionLimits {
  /** Connections open at once, from everyone together. */
  maxConnections: number;
  /** Connections open at once from one address (IPv6: one /64, which one machine may fill). */
  maxPerAddress: number;
  /** From the TCP accept to the request's headers, TLS handshake included. */
  headersTimeoutMs: number;
}

/**
 * A teammate holds one link and fetches one blob at a time from us: a coordinator with a hundred
 * workers stays below the total. A held TLS connection costs about 55 KB, so the total is some
 * 11 MB, and one address (one stranger) gets 32 of it.
 */
export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 192, maxPerAddress: 32, headersTimeoutMs: 10_000 };
/** A blob transfer that moves nothing this long is dropped (the fetching side gives up after 15 s). */
const IDLE_TIMEOUT_MS = 30_000;

export interface ListenerRoutes {
  isMember(id: DeviceId): boolean;
  isRevoked(id: DeviceId): boolean;
  publicInfo(): object;
  onLink(ws: WebSocket, peer: PeerCertificate, remoteAddress: string): void;
  /** A roster-only exchange (members, and devices we hold removed: see roster-exchange.ts). */
  onRoster(ws: WebSocket, peer: PeerCertificate, remoteAddress: string): void;
  onPair(ws: WebSocket, peer: PeerCertificate, remoteAddress: string, tls: TLSSocket): void;
  blobs: BlobStore;
}

interface Admitted {
  socket: net.Socket;
  address: string;
  deadline: NodeJS.Timeout;
}

export class TlsListener {
  private readonly server: https.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  /**
   * The listening socket is a plain TCP server in front of the HTTPS one: it counts and refuses
   * connections before Node wraps them in TLS, which is where their memory goes.
   */
  private readonly gate: net.Server;
  private readonly limits: ConnectionLimits;
  private readonly perAddress = new Map<string, number>();
  /** By remote address:port, which the TCP socket and the TLS socket over it share. */
  private readonly admitted = new Map<string, Admitted>();
  /** Connections closed on arrival because a cap was full, since start. */
  refused = 0;

  constructor(
    identity: Identity,
    private readonly routes: ListenerRoutes,
    limits: Partial<ConnectionLimits> = {},
  ) {
    this.limits = { ...DEFAULT_CONNECTION_LIMITS, ...limits };
    this.server = https.createServer({
      key: identity.keyPem,
      cert: identity.certPem,
      minVersion: 'TLSv1.3',
      requestCert: true,
      // Self-signed certificates: we pin them to the roster ourselves instead of trusting a CA.
      rejectUnauthorized: false,
      handshakeTimeout: this.limits.headersTimeoutMs,
    });
    this.server.on('secureConnection', (socket: TLSSocket) => {
      const peer = peerCertificate(socket);
      // No certificate means no identity to pin or to show in a pairing request: drop.
      if (!peer) socket.destroy();
    });
    this.server.on('tlsClientError', () => undefined); // scanners and aborted handshakes are not our errors
    this.server.on('request', (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.setTimeout(IDLE_TIMEOUT_MS); // no 'timeout' listener: Node destroys the idle socket
    // Paused: a connection refused at once is never read from.
    this.gate = net.createServer({ pauseOnConnect: true }, (socket) => this.admit(socket));
    // Over the total, Node closes the new handle before it makes a socket object of it.
    this.gate.maxConnections = this.limits.maxConnections;
    this.gate.on('drop', () => this.refused++);
  }

  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.gate.once('error', reject);
      this.gate.listen(port, host, () => {
        this.gate.off('error', reject);
        resolve((this.gate.address() as net.AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    for (const a of this.admitted.values()) a.socket.destroy();
    await new Promise<void>((resolve) => this.gate.close(() => resolve()));
  }

  /** Connections open now: in all, and from the busiest address. */
  connectionCounts(): { total: number; busiestAddress: number } {
    return { total: this.admitted.size, busiestAddress: Math.max(0, ...this.perAddress.values()) };
  }

  private admit(socket: net.Socket): void {
    const address = addressKey(socket.remoteAddress ?? '');
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (fromAddress >= this.limits.maxPerAddress) {
      this.refused++;
      return void socket.resetAndDestroy(); // RST: no FIN exchange, nothing left in TIME_WAIT here
    }
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.perAddress.set(address, fromAddress + 1);
    // One deadline for the handshake and the headers: a connection that says nothing is not kept.
    const deadline = setTimeout(() => socket.destroy(), this.limits.headersTimeoutMs);
    deadline.unref();
    this.admitted.set(key, { socket, address, deadline });
    socket.once('close', () => {
      clearTimeout(deadline);
      this.admitted.delete(key);
      const n = (this.perAddress.get(address) ?? 1) - 1;
      if (n <= 0) this.perAddress.delete(address);
      else this.perAddress.set(address, n);
    });
    socket.on('error', () => undefined); // a reset before the TLS layer takes the socket over
    this.server.emit('connection', socket); // the TLS layer starts reading it
  }

  /** The request's headers are in: the connection has done what the deadline asked of it. */
  private headersArrived(socket: Duplex): void {
    const s = socket as TLSSocket;
    const a = this.admitted.get(`${s.remoteAddress}:${s.remotePort}`);
    if (a) clearTimeout(a.deadline);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    this.headersArrived(req.socket);
    // One request per connection: every client of ours opens a new one per request, and a
    // kept-alive connection would need a second deadline for the next request's headers.
    res.setHeader('connection', 'close');
    const peer = peerCertificate(req.socket as TLSSocket);
    const path = (req.url ?? '/').split('?')[0]!;
    if (!peer) return void res.destroy();
    if (path === '/info' && req.method === 'GET') return json(res, 200, this.routes.publicInfo());
    if (!this.routes.isMember(peer.deviceId)) return json(res, 403, notPaired());
    if (path.startsWith('/blobs/')) return void serveBlob(this.routes.blobs, path.slice('/blobs/'.length), req, res);
    json(res, 404, { code: 'not-found', message: `No such resource: ${path.slice(0, 100)}` });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.headersArrived(socket);
    const tls = socket as TLSSocket;
    const peer = peerCertificate(tls);
    const path = (req.url ?? '/').split('?')[0];
    if (!peer) return void socket.destroy();
    if (path === '/pair') {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.routes.onPair(ws, peer, remote(tls), tls));
    } else if (path === '/roster') {
      const id = peer.deviceId;
      if (!this.routes.isMember(id) && !this.routes.isRevoked(id)) return refuseUpgrade(socket, 403, notPaired());
      this.wss.handleUpgrade(req, socket, head, (ws) => this.routes.onRoster(ws, peer, remote(tls)));
    } else if (path === '/link') {
      if (!this.routes.isMember(peer.deviceId)) return refuseUpgrade(socket, 403, notPaired());
      this.wss.handleUpgrade(req, socket, head, (ws) => this.routes.onLink(ws, peer, remote(tls)));
    } else {
      refuseUpgrade(socket, 404, { code: 'not-found', message: 'No such endpoint' });
    }
  }
}

/** The unit the per-address cap counts: an IPv4 address, or an IPv6 /64 (one host may use all of it). */
export function addressKey(remoteAddress: string): string {
  const address = remoteAddress.replace(/^::ffff:/, '');
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function remote(socket: TLSSocket): string {
  return (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

function notPaired(): object {
  return { code: 'not-paired', message: 'This machine is not on our team. Pair it first (drag it into the team, or `troupe pair`).' };
}

function json(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function refuseUpgrade(socket: Duplex, status: number, body: object): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 403 ? 'Forbidden' : 'Not Found'}\r\nConnection: close\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}
