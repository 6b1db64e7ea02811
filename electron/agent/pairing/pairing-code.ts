// Owns the arithmetic of the confirmation code. The initiator commits to its nonce before it sees
// the responder's, so a man in the middle cannot grind nonces until both codes match; the code is
// bound to both certificates and to the TLS session, so a relayed session shows different codes.

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
