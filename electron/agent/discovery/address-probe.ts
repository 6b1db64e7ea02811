// Owns "add by address": asks host:port for its public facts over TLS, for networks where
// multicast never arrives (VPNs, isolated Wi-Fi). The certificate, not the answer, names the device.

import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import { z } from 'zod';
import { TroupeError } from '../../../shared/errors.js';
import type { Identity } from '../identity/identity-store.js';
import { peerCertificate } from '../transport/peer-certificate.js';
import type { Announcement } from './peer-finder.js';
import { DEFAULT_PEER_PORT } from '../config/agent-config.js';

const infoSchema = z.object({
  deviceId: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().max(64),
  os: z.string().max(32),
  cores: z.number(),
  memoryBytes: z.number(),
  engines: z.array(z.string().max(32)).max(32),
  protocolVersion: z.number(),
  port: z.number(),
});

export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[?([A-Za-z0-9.\-:]+?)\]?(?::(\d{1,5}))?$/.exec(text.trim());
  const port = m?.[2] ? Number(m[2]) : DEFAULT_PEER_PORT;
  if (!m || port < 1 || port > 65535) throw new TroupeError('bad-request', `"${text}" is not host:port (for example 192.168.1.20:${DEFAULT_PEER_PORT})`);
  return { host: m[1]!, port };
}

export function probeAddress(identity: Identity, address: string, timeoutMs = 3000): Promise<Announcement> {
  const { host, port } = parseHostPort(address);
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host, port, path: '/info', cert: identity.certPem, key: identity.keyPem, rejectUnauthorized: false, minVersion: 'TLSv1.3', timeout: timeoutMs, agent: false },
      (res) => {
        const peer = peerCertificate(res.socket as TLSSocket);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const parsed = infoSchema.safeParse(safeJson(Buffer.concat(chunks).toString('utf8')));
          if (res.statusCode !== 200 || !parsed.success || !peer)
            return reject(new TroupeError('peer-unreachable', `${address} answered, but not as a Troupe agent`));
          if (parsed.data.deviceId !== peer.deviceId)
            return reject(new TroupeError('peer-unreachable', `${address} claims an id its certificate does not prove; ignoring it`));
          const { deviceId, name, os, cores, memoryBytes, engines, protocolVersion } = parsed.data;
          resolve({ deviceId, name, os, cores, memoryBytes, engines, protocolVersion, addresses: [host], port });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (err) =>
      reject(new TroupeError('peer-unreachable', `Could not reach Troupe at ${host}:${port} (${err.message}). Is it running there, and is the port open?`)),
    );
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
