// Owns reading a peer's identity off a TLS session. The certificate, never an mDNS record or a
// claimed name, is what tells us who is on the other end.

import type { TLSSocket } from 'node:tls';
import type { DeviceId } from '../../../shared/model/index.js';
import { deviceIdFromCertDer } from '../identity/device-id.js';

export interface PeerCertificate {
  deviceId: DeviceId;
  certPem: string;
}

/** Null when the peer sent no certificate; such a peer is dropped, as Syncthing does. */
export function peerCertificate(socket: TLSSocket): PeerCertificate | null {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.raw || cert.raw.length === 0) return null;
  const b64 = cert.raw.toString('base64').match(/.{1,64}/g)!.join('\n');
  return {
    deviceId: deviceIdFromCertDer(cert.raw),
    certPem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
  };
}

/** Key material bound to this TLS session; both ends compute the same bytes (RFC 5705 / 8446). */
export function sessionBinding(socket: TLSSocket): Buffer {
  return socket.exportKeyingMaterial(32, 'EXPORTER-troupe-pairing', Buffer.alloc(0));
}
