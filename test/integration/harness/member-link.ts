// Plays a teammate's machine from the test process: dials an agent's /link with an identity
// from a data directory, says hello, and sends whatever frames a test wants (forged roster ops,
// junk), recording what comes back. Loopback only: the test process must reach the agent.

import WebSocket from 'ws';
import type { Identity } from '../../../electron/agent/identity/identity-store.js';
import { decodeFrame, encodeFrame } from '../../../electron/agent/transport/frame-codec.js';
import { linkMessageSchema, PROTOCOL_VERSION, type LinkMessage, type RosterHeads } from '../../../shared/protocol/index.js';

export interface RawLink {
  send(message: object): void;
  received: LinkMessage[];
  closed: Promise<string>;
  close(): void;
}

const CAPACITY = { cores: 1, freeCores: 0, memoryBytes: 1, freeMemoryBytes: 1, load: 0, sharing: { mode: 'off', coreCap: null } };

export function openLink(identity: Identity, address: string, roster: Omit<RosterHeads, 'count'> | null, path = '/link'): Promise<RawLink> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://${address}${path}`, {
      cert: identity.certPem,
      key: identity.keyPem,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      handshakeTimeout: 30_000,
      perMessageDeflate: false,
    });
    const received: LinkMessage[] = [];
    const closed = new Promise<string>((r) => ws.on('close', (code, reason) => r(`${code} ${reason.toString()}`)));
    ws.on('message', (data, isBinary) => {
      try {
        received.push(decodeFrame(linkMessageSchema, data, isBinary));
      } catch {
        /* not ours to judge here */
      }
    });
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () => {
      const send = (m: object): void => ws.send(encodeFrame(m));
      send({
        type: 'hello',
        protocol: PROTOCOL_VERSION,
        minor: 0,
        features: [],
        name: 'raw',
        listenPort: 1,
        capacity: CAPACITY,
        roster: roster && { ...roster, count: roster.heads.length },
      });
      resolve({ send, received, closed, close: () => ws.close() });
    });
  });
}
