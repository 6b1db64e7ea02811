// Owns downloading a blob from a teammate by content address: into a partial file that a later
// attempt continues with a Range request, verified against its hash before the store accepts it.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { TroupeError } from '../../../shared/errors.js';
import type { Identity } from '../identity/identity-store.js';
import type { BlobStore } from '../storage/blob-store.js';
import { peerCertificate } from './peer-certificate.js';
import type { TLSSocket } from 'node:tls';

export interface FetchStats {
  bytesTransferred: number;
  resumedFromBytes: number;
}

export class BlobFetcher {
  /** Bytes and blobs received from teammates since start (what a cache hit saves shows here). */
  readonly totals = { bytesReceived: 0, blobsReceived: 0 };

  constructor(
    private readonly identity: Identity,
    private readonly store: BlobStore,
    private readonly partialDir: string,
  ) {}

  private readonly inFlight = new Map<string, Promise<FetchStats>>();

  /**
   * Makes sure the store holds `hash`, fetching it from `address` (host:port of teammate `peerId`)
   * if not. Two callers wanting the same blob share one download (they would share its partial file).
   */
  ensure(peerId: string, address: string, hash: string, sizeBytes: number): Promise<FetchStats> {
    const running = this.inFlight.get(hash);
    if (running) return running.then(() => ({ bytesTransferred: 0, resumedFromBytes: 0 }));
    const fetch = this.fetchOnce(peerId, address, hash, sizeBytes).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, fetch);
    return fetch;
  }

  private async fetchOnce(peerId: string, address: string, hash: string, sizeBytes: number): Promise<FetchStats> {
    if ((await this.store.size(hash)) === sizeBytes) return { bytesTransferred: 0, resumedFromBytes: 0 };
    await mkdir(this.partialDir, { recursive: true });
    const partial = join(this.partialDir, `${hash}.partial`);
    let have = (await stat(partial).catch(() => null))?.size ?? 0;
    if (have > sizeBytes) {
      await rm(partial, { force: true });
      have = 0;
    }
    const resumedFromBytes = have;
    let transferred = 0;
    if (have < sizeBytes) transferred = await this.download(peerId, address, hash, partial, have);
    this.totals.bytesReceived += transferred;
    this.totals.blobsReceived += 1;
    // Verify the whole file: a resumed download is only as good as both of its halves.
    const hasher = createHash('sha256');
    await pipeline(createReadStream(partial), hasher);
    const got = hasher.digest('hex');
    if (got !== hash) {
      await rm(partial, { force: true });
      throw new TroupeError('bad-frame', `Blob ${hash.slice(0, 12)} from ${address} arrived damaged (hash ${got.slice(0, 12)}); it will be fetched again`);
    }
    await this.store.put(createReadStream(partial), hash);
    await rm(partial, { force: true });
    return { bytesTransferred: transferred, resumedFromBytes };
  }

  private download(peerId: string, address: string, hash: string, partial: string, from: number): Promise<number> {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    return new Promise((resolve, reject) => {
      const req = https.get(
        {
          host,
          port,
          path: `/blobs/${hash}`,
          cert: this.identity.certPem,
          key: this.identity.keyPem,
          rejectUnauthorized: false, // pinned below
          minVersion: 'TLSv1.3',
          headers: from > 0 ? { range: `bytes=${from}-` } : {},
          timeout: 15_000,
          // No pooled agent: a resumed TLS session carries no peer certificate, and every
          // transfer must prove who sends the bytes.
          agent: false,
        },
        (res) => {
          const peer = peerCertificate(res.socket as TLSSocket);
          if (!peer || peer.deviceId !== peerId) {
            res.destroy();
            return reject(new TroupeError('peer-unreachable', `${address} is not the teammate that holds this file`));
          }
          if (res.statusCode !== 200 && res.statusCode !== 206) {
            res.resume();
            return reject(new TroupeError('not-found', `${address} could not send blob ${hash.slice(0, 12)} (HTTP ${res.statusCode})`));
          }
          const append = res.statusCode === 206;
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          pipeline(res, createWriteStream(partial, { flags: append ? 'a' : 'w', mode: 0o600 })).then(
            () => resolve(bytes),
            (err: Error) => reject(new TroupeError('peer-unreachable', `Transfer from ${address} broke off: ${err.message}; it resumes next time`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(new TroupeError('peer-unreachable', `Could not fetch from ${address}: ${err.message}`)));
    });
  }
}
