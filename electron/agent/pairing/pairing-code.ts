// Owns the arithmetic of the confirmation code. The code is bound to both certificates and to the
// TLS session, so a relayed session shows different codes on the two screens. The initiator
// commits to its nonce before it sees the responder's, so it cannot choose its nonce to fit; but
// it knows the code as soon as the responder's nonce arrives, before it reveals, and may walk
// away and try a fresh session. A man in the middle posing as the initiator can therefore
// grind: one chance in 10^6 per abandoned session. That is not prevented here: the responder
// counts abandoned commitments and pauses pairing after 3 (pairing-lock.ts, which also works out
// the bound: at most 3 tries per intercepted pairing, P <= 3.0e-6).

import { createHash, randomBytes } from 'node:crypto';
import type { DeviceId } from '../../../shared/model/index.js';

export function newNonce(): string {
  return randomBytes(32).toString('hex');
}

export function commitment(initiatorNonce: string, initiator: DeviceId, responder: DeviceId): string {
  return createHash('sha256').update('troupe-pair-commit\0').update(`${initiatorNonce}\0${initiator}\0${responder}`).digest('hex');
}

/** Six digits both screens show; the owner compares them before approving. */
export function pairingCode(
  initiatorNonce: string,
  responderNonce: string,
  initiator: DeviceId,
  responder: DeviceId,
  sessionBinding: Buffer,
): string {
  const digest = createHash('sha256')
    .update('troupe-pair-code\0')
    .update(`${initiatorNonce}\0${responderNonce}\0${initiator}\0${responder}\0`)
    .update(sessionBinding)
    .digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}
