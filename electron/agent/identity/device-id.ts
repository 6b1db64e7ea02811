// Owns how a device is named on the wire and to people: the SHA-256 of its certificate (DER),
// shown Syncthing-style as base32 in groups with Luhn check characters, so a mistyped id is caught.

import { createHash } from 'node:crypto';
import type { DeviceId } from '../../../shared/model/index.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function deviceIdFromCertDer(der: Uint8Array): DeviceId {
  return createHash('sha256').update(der).digest('hex');
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Luhn mod 32 over the base32 alphabet, as Syncthing computes it (factor starts at 1). */
function luhnBase32(s: string): string {
  let factor = 1;
  let sum = 0;
  for (const ch of s) {
    let addend = factor * BASE32.indexOf(ch);
    factor = factor === 2 ? 1 : 2;
    addend = Math.floor(addend / 32) + (addend % 32);
    sum += addend;
  }
  return BASE32[(32 - (sum % 32)) % 32]!;
}

/** 64 hex chars -> "ABCDEFG-HIJKLMN-..." (8 groups of 7, with 4 check characters). */
export function formatDeviceId(id: DeviceId): string {
  const plain = base32(Buffer.from(id, 'hex')); // 52 characters
  let checked = '';
  for (let i = 0; i < 4; i++) {
    const part = plain.slice(i * 13, i * 13 + 13);
    checked += part + luhnBase32(part);
  }
  return checked.match(/.{7}/g)!.join('-');
}

/** Accepts a display id (dashes and case optional) or 64 hex chars; null if it is neither or a check fails. */
export function parseDeviceId(text: string): DeviceId | null {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return t.toLowerCase();
  const s = t.toUpperCase().replace(/[-\s]/g, '');
  if (!/^[A-Z2-7]{56}$/.test(s)) return null;
  let plain = '';
  for (let i = 0; i < 4; i++) {
    const part = s.slice(i * 14, i * 14 + 13);
    if (luhnBase32(part) !== s[i * 14 + 13]) return null;
    plain += part;
  }
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const ch of plain) {
    value = ((value << 5) | BASE32.indexOf(ch)) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Buffer.from(bytes.slice(0, 32)).toString('hex');
}

/** The first group of the display id: enough for people to tell devices apart in a list. */
export function shortDeviceId(id: DeviceId): string {
  return formatDeviceId(id).slice(0, 7);
}
