// A hostile pairing client for attack tests: speaks /pair over real TLS with its own certificate,
// from any loopback source address, and does whatever a test tells it to (abort, flood, stall).

import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { loadOrCreateIdentity, type Identity } from '../../../electron/agent/identity/identity-store.js';
import { commitment, newNonce, pairingCode } from '../../../electron/agent/pairing/pairing-code.js';
import { peerCertificate, sessionBinding } from '../../../electron/agent/transport/peer-certificate.js';
import { decodeFrame, encodeFrame } from '../../../electron/agent/transport/frame-codec.js';
import { pairMessageSchema, PROTOCOL_VERSION, type PairMessage } from '../../../shared/protocol/index.js';

export async function newIdentities(root: string, count: number): Promise<Identity[]> {
  const out: Identity[] = [];
  for (let i = 0; i < count; i++)
    out.push(await loadOrCreateIdentity(mkdtempSync(join(root, 'attacker-')), { allowNew: true, hasTeam: false }));
  return out;
}

export type Received = PairMessage | { type: 'closed'; code: number } | { type: 'timeout' };

export class PairConnection {
  private readonly inbox: Received[] = [];
  private waiter: ((m: Received) => void) | null = null;
  closed = false;
  peerId = '';
  binding: Buffer = Buffer.alloc(0);
  readonly nonce = newNonce();

  private constructor(
    readonly ws: WebSocket,
    readonly identity: Identity,
  ) {
    ws.on('message', (data, isBinary) => {
      let m: Received;
      try {
        m = decodeFrame(pairMessageSchema, data, isBinary);
      } catch {
        return;
      }
      this.push(m);
    });
    ws.on('close', (code) => {
      this.closed = true;
      this.push({ type: 'closed', code });
    });
    ws.on('error', () => undefined); // a reset while we flood is one of the outcomes; 'close' follows
  }

  static open(port: number, identity: Identity, localAddress: string): Promise<PairConnection> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://127.0.0.1:${port}/pair`, {
        cert: identity.certPem,
        key: identity.keyPem,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.3',
        perMessageDeflate: false,
        handshakeTimeout: 30_000,
        localAddress,
      });
      const conn = new PairConnection(ws, identity);
      ws.on('upgrade', (res) => {
        const tls = res.socket as TLSSocket;
        conn.peerId = peerCertificate(tls)?.deviceId ?? '';
        conn.binding = sessionBinding(tls);
      });
      ws.once('open', () => resolve(conn));
      ws.once('unexpected-response', (_q, res) => reject(new Error(`/pair refused: HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(message: PairMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeFrame(message));
  }

  /** Any bytes-worthy object, valid or not: the victim's schema is the judge. */
  sendRaw(message: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeFrame(message));
  }

  hello(name = 'mallory'): void {
    this.sendRaw({
      type: 'pair.hello',
      protocol: PROTOCOL_VERSION,
      name,
      teamName: `${name}'s team`,
      listenPort: 47800,
      commitment: commitment(this.nonce, this.identity.deviceId, this.peerId),
    });
  }

  /** The code both screens would show, known to us (the initiator) before we reveal anything. */
  code(theirNonce: string): string {
    return pairingCode(this.nonce, theirNonce, this.identity.deviceId, this.peerId, this.binding);
  }

  next(timeoutMs = 10_000): Promise<Received> {
    const queued = this.inbox.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve({ type: 'timeout' });
      }, timeoutMs);
      this.waiter = (m) => {
        clearTimeout(timer);
        resolve(m);
      };
    });
  }

  /** hello, nonce, reveal: up to the point where the victim's owner is asked. */
  async handshake(): Promise<{ outcome: Received; code: string | null }> {
    this.hello();
    const first = await this.next();
    if (first.type !== 'pair.nonce') return { outcome: first, code: null };
    this.send({ type: 'pair.reveal', nonce: this.nonce });
    return { outcome: await this.next(), code: this.code(first.nonce) };
  }

  terminate(): void {
    this.ws.terminate();
  }

  private push(m: Received): void {
    const w = this.waiter;
    this.waiter = null;
    if (w) w(m);
    else this.inbox.push(m);
  }
}
