// Owns this device's key pair and self-signed certificate: made once, kept owner-only, and never
// silently replaced, because every teammate knows this machine by the certificate's hash.

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createPrivateKey, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import type { DeviceId } from '../../../shared/model/index.js';
import { writeFileAtomic } from '../storage/atomic-file.js';
import { deviceIdFromCertDer } from './device-id.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

export interface Identity {
  deviceId: DeviceId;
  certPem: string;
  keyPem: string;
  privateKey: KeyObject;
}

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export class IdentityCorruptError extends TroupeError {
  constructor(detail: string, dir: string) {
    super(
      'identity-corrupt',
      `This device's identity in ${dir} is damaged: ${detail}. Troupe will not make a new one by ` +
        'itself, because your teammates know this machine by it. Restore key.pem and cert.pem from a ' +
        'backup, or start over as a new device with `troupe agent --new-identity` (you will pair again).',
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

export async function loadOrCreateIdentity(
  dataDir: string,
  opts: { allowNew: boolean; hasTeam: boolean },
): Promise<Identity> {
  const dir = join(dataDir, 'identity');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  const [hasKey, hasCert] = [await exists(keyPath), await exists(certPath)];
  if (!hasKey && !hasCert && (!opts.hasTeam || opts.allowNew)) return createIdentity(dir);
  if (opts.allowNew) return createIdentity(dir);
  if (!hasKey) throw new IdentityCorruptError('key.pem is missing', dir);
  if (!hasCert) throw new IdentityCorruptError('cert.pem is missing', dir);
  const [keyPem, certPem] = [await readFile(keyPath, 'utf8'), await readFile(certPath, 'utf8')];
  let cert: X509Certificate;
  let privateKey: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new IdentityCorruptError('cert.pem is not a certificate', dir);
  }
  try {
    privateKey = createPrivateKey(keyPem);
  } catch {
    throw new IdentityCorruptError('key.pem is not a private key', dir);
  }
  if (!cert.checkPrivateKey(privateKey)) throw new IdentityCorruptError('key.pem does not match cert.pem', dir);
  return { deviceId: deviceIdFromCertDer(cert.raw), certPem, keyPem, privateKey };
}

async function createIdentity(dir: string): Promise<Identity> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1'),
    name: 'CN=troupe',
    notBefore: new Date(now - 24 * 3600 * 1000), // tolerate teammates whose clocks run behind
    notAfter: new Date(now + 100 * 365 * 24 * 3600 * 1000),
    signingAlgorithm: ALGORITHM,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKey = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const certPem = cert.toString('pem') + '\n';
  await writeFileAtomic(join(dir, 'key.pem'), keyPem, 0o600);
  await writeFileAtomic(join(dir, 'cert.pem'), certPem, 0o600);
  return { deviceId: deviceIdFromCertDer(new Uint8Array(cert.rawData)), certPem, keyPem, privateKey };
}
