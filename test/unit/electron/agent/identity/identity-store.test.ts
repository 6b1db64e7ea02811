import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deviceIdFromCertDer } from '../../../../../electron/agent/identity/device-id.js';
import { IdentityCorruptError, loadOrCreateIdentity } from '../../../../../electron/agent/identity/identity-store.js';
import { TroupeError } from '../../../../../shared/errors.js';

let dataDir: string;
const idDir = () => join(dataDir, 'identity');

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'troupe-identity-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('loadOrCreateIdentity', () => {
  it('creates a key pair and certificate whose hash is the device id', async () => {
    const id = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    expect(id.deviceId).toMatch(/^[0-9a-f]{64}$/);
    const cert = new X509Certificate(id.certPem);
    expect(deviceIdFromCertDer(cert.raw)).toBe(id.deviceId);
    expect(cert.checkPrivateKey(id.privateKey)).toBe(true);
    expect(id.privateKey.asymmetricKeyType).toBe('ec');
    expect(await readFile(join(idDir(), 'key.pem'), 'utf8')).toBe(id.keyPem);
    expect(await readFile(join(idDir(), 'cert.pem'), 'utf8')).toBe(id.certPem);
  });

  it.skipIf(process.platform === 'win32')('writes both files owner-only (0600)', async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    for (const file of ['key.pem', 'cert.pem']) {
      expect((await stat(join(idDir(), file))).mode & 0o777, file).toBe(0o600);
    }
    expect((await stat(idDir())).mode & 0o077).toBe(0);
  });

  it('loads the same identity again', async () => {
    const first = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    const again = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true });
    expect(again.deviceId).toBe(first.deviceId);
    expect(again.certPem).toBe(first.certPem);
    expect(again.keyPem).toBe(first.keyPem);
  });

  it('gives different devices different ids', async () => {
    const a = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    const b = await loadOrCreateIdentity(join(dataDir, 'other'), { allowNew: false, hasTeam: false });
    expect(a.deviceId).not.toBe(b.deviceId);
  });

  it('refuses to carry on without key.pem, naming the file', async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    await unlink(join(idDir(), 'key.pem'));
    const err = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdentityCorruptError);
    expect(err).toBeInstanceOf(TroupeError);
    expect((err as IdentityCorruptError).code).toBe('identity-corrupt');
    expect((err as Error).message).toContain('key.pem');
    expect((err as Error).message).toContain(idDir());
    // and it did not quietly replace anything
    await expect(stat(join(idDir(), 'key.pem'))).rejects.toThrow();
  });

  it('refuses to carry on without cert.pem', async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    await unlink(join(idDir(), 'cert.pem'));
    await expect(loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false })).rejects.toThrow(/cert\.pem is missing/);
  });

  it('refuses a garbage cert.pem', async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    await writeFile(join(idDir(), 'cert.pem'), 'not a certificate at all');
    const err = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IdentityCorruptError);
    expect((err as Error).message).toContain('cert.pem');
  });

  it('refuses a garbage key.pem', async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    await writeFile(join(idDir(), 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    await expect(loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true })).rejects.toThrow(/key\.pem is not a private key/);
  });

  it("refuses a key that belongs to another device's certificate", async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    const other = await loadOrCreateIdentity(join(dataDir, 'other'), { allowNew: false, hasTeam: false });
    await writeFile(join(idDir(), 'key.pem'), other.keyPem);
    await expect(loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true })).rejects.toThrow(/does not match/);
  });

  it('refuses to make a fresh identity when both files are gone but the device has a team', async () => {
    await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    await unlink(join(idDir(), 'key.pem'));
    await unlink(join(idDir(), 'cert.pem'));
    await expect(loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true })).rejects.toBeInstanceOf(IdentityCorruptError);
  });

  it('makes a new identity over a damaged one when allowNew is set', async () => {
    const first = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: false });
    await writeFile(join(idDir(), 'cert.pem'), 'garbage');
    const fresh = await loadOrCreateIdentity(dataDir, { allowNew: true, hasTeam: true });
    expect(fresh.deviceId).not.toBe(first.deviceId);
    const reloaded = await loadOrCreateIdentity(dataDir, { allowNew: false, hasTeam: true });
    expect(reloaded.deviceId).toBe(fresh.deviceId);
  });
});
