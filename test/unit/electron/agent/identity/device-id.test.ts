import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceIdFromCertDer, formatDeviceId, parseDeviceId, shortDeviceId } from '../../../../../electron/agent/identity/device-id.js';

// Syncthing's own test vector (lib/protocol/deviceid_test.go) with its bytes as other
// implementations of the format decode them.
const SYNCTHING_DISPLAY = 'P56IOI7-MZJNU2Y-IQGDREY-DM2MGTI-MGL3BXN-PQ6W5BM-TBBZ4TJ-XZWICQ2';
const SYNCTHING_HEX = '7f7c8723ecca5b4d22061c4981b34c34d865ec376be1eb74330873c9a6f9b205';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function randomId(): string {
  return randomBytes(32).toString('hex');
}

describe('deviceIdFromCertDer', () => {
  it('is the lowercase hex SHA-256 of the DER bytes', () => {
    // sha256("abc")
    expect(deviceIdFromCertDer(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('formatDeviceId', () => {
  it('gives 8 dash-separated groups of 7 base32 characters', () => {
    for (let i = 0; i < 50; i++) {
      const display = formatDeviceId(randomId());
      expect(display).toMatch(/^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/);
    }
  });

  it('matches Syncthing for its published test vector', () => {
    expect(formatDeviceId(SYNCTHING_HEX)).toBe(SYNCTHING_DISPLAY);
  });

  it('shortDeviceId is the first group', () => {
    expect(shortDeviceId(SYNCTHING_HEX)).toBe('P56IOI7');
  });
});

describe('parseDeviceId', () => {
  it('round-trips the display form', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomId();
      expect(parseDeviceId(formatDeviceId(id))).toBe(id);
    }
  });

  it('parses the Syncthing test vector', () => {
    expect(parseDeviceId(SYNCTHING_DISPLAY)).toBe(SYNCTHING_HEX);
  });

  it('accepts 64 hex characters in either case', () => {
    const id = randomId();
    expect(parseDeviceId(id)).toBe(id);
    expect(parseDeviceId(id.toUpperCase())).toBe(id);
    expect(parseDeviceId(`  ${id}\n`)).toBe(id);
  });

  it('accepts lowercase, no dashes, and stray spaces', () => {
    expect(parseDeviceId(SYNCTHING_DISPLAY.toLowerCase())).toBe(SYNCTHING_HEX);
    expect(parseDeviceId(SYNCTHING_DISPLAY.replace(/-/g, ''))).toBe(SYNCTHING_HEX);
    expect(parseDeviceId(SYNCTHING_DISPLAY.replace(/-/g, ' '))).toBe(SYNCTHING_HEX);
    expect(parseDeviceId(SYNCTHING_DISPLAY.toLowerCase().replace(/-/g, ''))).toBe(SYNCTHING_HEX);
  });

  it('rejects every one-character typo', () => {
    // Luhn mod 32 catches any single substitution within a 13-character block or in its check character.
    const plain = SYNCTHING_DISPLAY.replace(/-/g, '');
    for (let pos = 0; pos < plain.length; pos++) {
      for (const ch of BASE32) {
        if (ch === plain[pos]) continue;
        const typo = plain.slice(0, pos) + ch + plain.slice(pos + 1);
        expect(parseDeviceId(typo), `typo ${ch} at ${pos}`).toBeNull();
      }
    }
  });

  it('rejects a swapped check character', () => {
    const display = formatDeviceId(randomId());
    const plain = display.replace(/-/g, '');
    const wrongCheck = BASE32[(BASE32.indexOf(plain[13]!) + 1) % 32]!;
    expect(parseDeviceId(plain.slice(0, 13) + wrongCheck + plain.slice(14))).toBeNull();
  });

  it('rejects wrong lengths and alphabets', () => {
    expect(parseDeviceId('')).toBeNull();
    expect(parseDeviceId(SYNCTHING_DISPLAY.slice(0, -1))).toBeNull();
    expect(parseDeviceId(SYNCTHING_DISPLAY + 'A')).toBeNull();
    expect(parseDeviceId(SYNCTHING_HEX.slice(1))).toBeNull();
    expect(parseDeviceId(SYNCTHING_DISPLAY.replace('P', '0'))).toBeNull(); // 0 and 1, 8, 9 are not base32
    expect(parseDeviceId('g'.repeat(64))).toBeNull();
  });
});
