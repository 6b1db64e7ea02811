import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commitment, newNonce, pairingCode } from '../../../../../electron/agent/pairing/pairing-code.js';

const initiator = 'a'.repeat(64);
const responder = 'b'.repeat(64);

describe('newNonce', () => {
  it('is 32 random bytes in hex', () => {
    const n = newNonce();
    expect(n).toMatch(/^[0-9a-f]{64}$/);
    expect(newNonce()).not.toBe(n);
  });
});

describe('commitment', () => {
  it('is a SHA-256 hex digest, stable for the same inputs', () => {
    const n = newNonce();
    expect(commitment(n, initiator, responder)).toMatch(/^[0-9a-f]{64}$/);
    expect(commitment(n, initiator, responder)).toBe(commitment(n, initiator, responder));
  });

  it('changes with the nonce and with either device', () => {
    const n = newNonce();
    const c = commitment(n, initiator, responder);
    expect(commitment(newNonce(), initiator, responder)).not.toBe(c);
    expect(commitment(n, responder, initiator)).not.toBe(c);
    expect(commitment(n, initiator, 'c'.repeat(64))).not.toBe(c);
  });
});

describe('pairingCode', () => {
  const ni = newNonce();
  const nr = newNonce();
  const binding = randomBytes(32);

  it('is six digits', () => {
    for (let i = 0; i < 200; i++) {
      expect(pairingCode(newNonce(), newNonce(), initiator, responder, randomBytes(32))).toMatch(/^\d{6}$/);
    }
  });

  it('is the same on both screens for the same inputs', () => {
    expect(pairingCode(ni, nr, initiator, responder, binding)).toBe(pairingCode(ni, nr, initiator, responder, Buffer.from(binding)));
  });

  it('differs for a different TLS session (a relayed connection)', () => {
    const code = pairingCode(ni, nr, initiator, responder, binding);
    let same = 0;
    for (let i = 0; i < 20; i++) if (pairingCode(ni, nr, initiator, responder, randomBytes(32)) === code) same++;
    expect(same).toBe(0); // each collision has probability 1e-6
  });

  it('differs when any nonce or device differs', () => {
    const code = pairingCode(ni, nr, initiator, responder, binding);
    expect(pairingCode(newNonce(), nr, initiator, responder, binding)).not.toBe(code);
    expect(pairingCode(ni, newNonce(), initiator, responder, binding)).not.toBe(code);
    expect(pairingCode(nr, ni, initiator, responder, binding)).not.toBe(code);
    expect(pairingCode(ni, nr, responder, initiator, binding)).not.toBe(code);
  });

  it('spreads codes over the whole range, keeping leading zeros', () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 300; i++) firsts.add(pairingCode(newNonce(), nr, initiator, responder, binding)[0]!);
    expect(firsts.size).toBe(10);
  });
});
