// Owns the one TLS 1.3 port an agent listens on: mutual certificates, then routing. Pairing and
// /info take any certificate; links and blobs only roster members; removed members are cut off
// right after the handshake, before they can send a byte.

import https from 'node:https';
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

export interface ListenerRoutes {
  isMember(id: DeviceId): boolean;
  isRevoked(id: DeviceId): boolean;
  publicInfo(): object;
  onLink(ws: WebSocket, peer: PeerCertificate, remoteAddress: string): void;
  onPair(ws: WebSocket, peer: PeerCertificate, remoteAddress: string, tls: TLSSocket): void;
  blobs: BlobStore;
}

export class TlsListener {
  private readonly server: https.Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  constructor(
    identity: Identity,
    private readonly routes: ListenerRoutes,
  ) {
    this.server = https.createServer({
      key: identity.keyPem,
      cert: identity.certPem,
      minVersion: 'TLSv1.3',
      requestCert: true,
      // Self-signed certificates: we pin them to the roster ourselves instead of trusting a CA.
      rejectUnauthorized: false,
      handshakeTimeout: 5000,
    });
    this.server.on('secureConnection', (socket: TLSSocket) => {
      const peer = peerCertificate(socket);
      // No certificate means no identity to pin or to show in a pairing request: drop.
      if (!peer || routes.isRevoked(peer.deviceId)) socket.destroy();
    });
    this.server.on('tlsClientError', () => undefined); // scanners and aborted handshakes are not our errors
    this.server.on('request', (req, res) => this.onRequest(req, res));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number, host?: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as { port: number }).port);
      });
    });
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const peer = peerCertificate(req.socket as TLSSocket);
    const path = (req.url ?? '/').split('?')[0]!;
    if (!peer) return void res.destroy();
    if (path === '/info' && req.method === 'GET') return json(res, 200, this.routes.publicInfo());
    if (!this.routes.isMember(peer.deviceId)) return json(res, 403, notPaired());
    if (path.startsWith('/blobs/')) return void serveBlob(this.routes.blobs, path.slice('/blobs/'.length), req, res);
    json(res, 404, { code: 'not-found', message: `No such resource: ${path.slice(0, 100)}` });
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const tls = socket as TLSSocket;
    const peer = peerCertificate(tls);
    const path = (req.url ?? '/').split('?')[0];
    if (!peer) return void socket.destroy();
    if (path === '/pair') {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.routes.onPair(ws, peer, remote(tls), tls));
    } else if (path === '/link') {
      if (!this.routes.isMember(peer.deviceId)) return refuseUpgrade(socket, 403, notPaired());
      this.wss.handleUpgrade(req, socket, head, (ws) => this.routes.onLink(ws, peer, remote(tls)));
    } else {
      refuseUpgrade(socket, 404, { code: 'not-found', message: 'No such endpoint' });
    }
  }
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
