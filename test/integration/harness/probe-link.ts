// A stand-in for a hostile or stale machine: dials an agent's /link (or GET /blobs) with the
// identity in a data directory and prints what happened, as JSON, for a test to assert on.
// Usage: node probe-link.js <dataDir> <host:port> link|blob

import https from 'node:https';
import WebSocket from 'ws';
import { loadOrCreateIdentity } from '../../../electron/agent/identity/identity-store.js';
import { encodeFrame } from '../../../electron/agent/transport/frame-codec.js';

const [dataDir, address, what] = process.argv.slice(2) as [string, string, string];
const identity = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
const tls = { cert: identity.certPem, key: identity.keyPem, rejectUnauthorized: false, minVersion: 'TLSv1.3' as const };
const print = (value: object): void => {
  console.log(JSON.stringify(value));
  process.exit(0);
};

if (what === 'blob') {
  const req = https.get({ host: address.split(':')[0], port: Number(address.split(':')[1]), path: `/blobs/${'0'.repeat(64)}`, ...tls }, (res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => print({ result: `http-${res.statusCode}`, body }));
  });
  req.on('error', (err) => print({ result: 'refused', error: err.message }));
} else {
  const ws = new WebSocket(`wss://${address}/link`, { ...tls, handshakeTimeout: 30_000 });
  ws.on('unexpected-response', (_req, res) => {
    let body = '';
    res.on('data', (c) => (body += c));
    res.on('end', () => print({ result: `http-${res.statusCode}`, body }));
  });
  ws.on('open', () => {
    // A roster op from a stranger: must never be acted on. We only report that a link opened.
    ws.send(encodeFrame({ type: 'roster.ops', ops: [], answer: false, more: false }));
    print({ result: 'open' });
  });
  ws.on('error', (err) => print({ result: 'refused', error: err.message }));
}
