// Owns downloading a blob from a teammate by content address: into a partial file that a later
// attempt continues with a Range request, never past the size the teammate declared and only
// into disk room this machine can spare, verified against its hash before the store takes it.

import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TroupeError } from '../../../shared/errors.js';
import type { Identity } from '../identity/identity-store.js';
import { DEFAULT_CACHE_CAP_BYTES, type BlobCache } from '../storage/blob-cache.js';
import type { BlobStore } from '../storage/blob-store.js';
import { DiskRoom, formatBytes, type Reservation } from '../storage/disk-room.js';
import { peerCertificate } from './peer-certificate.js';
import type { TLSSocket } from 'node:tls';

/** A task's inputs together may be no larger: what one lease may ask this machine to store. */
export const MAX_LEASE_INPUT_BYTES = 10 * 2 ** 30;
/**
 * A partial file no download is using is kept this long, so a retry soon after a broken
 * transfer resumes; then it goes. It also goes at once when a download needs its room.
 */
export const PARTIAL_KEEP_MS = 3600_000;
const SWEEP_INTERVAL_MS = 600_000;
const IDLE_TIMEOUT_MS = 15_000;

export interface FetchStats {
  bytesTransferred: number;
  resumedFromBytes: number;
}

export interface FetcherOptions {
  /** The disk the partial files and the store are on (default: the partial folder's parent). */
  room?: DiskRoom;
  /** Where room is made when the disk is short: least recently used blobs go first. */
  cache?: BlobCache;
  /** No single blob may be larger (default: the cache's cap, 10 GiB). */
  maxBlobBytes?: number;
  /** A task's inputs together may be no larger (default MAX_LEASE_INPUT_BYTES). */
  maxLeaseInputBytes?: number;
}

/** The teammate sent more than it declared: the bytes are not the blob, whatever they are. */
class TooManyBytes extends Error {}

export class BlobFetcher {
  /** Bytes and blobs received from teammates since start (what a cache hit saves shows here). */
  readonly totals = { bytesReceived: 0, blobsReceived: 0 };
  private readonly inFlight = new Map<string, Promise<FetchStats>>();
  private readonly room: DiskRoom;
  private readonly maxBlobBytes: number;
  private readonly maxLeaseInputBytes: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly identity: Identity,
    private readonly store: BlobStore,
    private readonly partialDir: string,
    private readonly options: FetcherOptions = {},
  ) {
    this.room = options.room ?? new DiskRoom(dirname(partialDir));
    this.maxBlobBytes = options.maxBlobBytes ?? options.cache?.capBytes ?? DEFAULT_CACHE_CAP_BYTES;
    this.maxLeaseInputBytes = options.maxLeaseInputBytes ?? MAX_LEASE_INPUT_BYTES;
    this.sweeper = setInterval(() => void this.sweepPartials(PARTIAL_KEEP_MS).catch(() => undefined), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Makes sure the store holds `hash`, fetching it from `address` (host:port of teammate `peerId`)
   * if not. Two callers wanting the same blob share one download (they would share its partial file).
   */
  ensure(peerId: string, address: string, hash: string, sizeBytes: number): Promise<FetchStats> {
    const running = this.inFlight.get(hash);
    if (running) return running.then(() => ({ bytesTransferred: 0, resumedFromBytes: 0 }));
    if (sizeBytes > this.maxBlobBytes) {
      return Promise.reject(
        new TroupeError('bad-request', `Blob ${hash.slice(0, 12)} from ${address} is declared at ${formatBytes(sizeBytes)}, more than the ${formatBytes(this.maxBlobBytes)} this machine keeps of any one file`),
      );
    }
    const fetch = this.fetchOnce(peerId, address, hash, sizeBytes).finally(() => this.inFlight.delete(hash));
    this.inFlight.set(hash, fetch);
    return fetch;
  }

  /**
   * Refuses a task whose inputs this machine could not take: more than one task may bring, or
   * more than the disk can spare once stale partial files and old cache entries are gone. The
   * words go back to the coordinator in `task.failed`.
   */
  async checkInputs(taskId: string, assets: readonly { hash: string; sizeBytes: number }[]): Promise<void> {
    const sizes = new Map(assets.map((a) => [a.hash, a.sizeBytes]));
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    if (total > this.maxLeaseInputBytes)
      throw new TroupeError('bad-request', `Task ${taskId} has ${formatBytes(total)} of inputs, more than the ${formatBytes(this.maxLeaseInputBytes)} one task may bring to this machine`);
    const largest = Math.max(0, ...sizes.values());
    if (largest > this.maxBlobBytes)
      throw new TroupeError('bad-request', `Task ${taskId} has an input of ${formatBytes(largest)}, more than the ${formatBytes(this.maxBlobBytes)} this machine keeps of any one file`);
    let missing = 0;
    for (const [hash, size] of sizes) {
      if ((await this.store.size(hash)) === size) continue;
      const have = (await stat(this.partialPath(hash)).catch(() => null))?.size ?? 0;
      missing += size - Math.min(have, size);
    }
    if (missing === 0) return;
    // Set aside and given back at once: the check and its words; each fetch reserves for itself.
    const reservation = await this.room.reserve(missing, { what: `Task ${taskId}`, purpose: 'for its inputs', makeRoom: () => this.makeRoom(missing, new Set(sizes.keys())) });
    reservation.release();
  }

  /**
   * Deletes the partial files no download is using that were last written more than `idleMs` ago
   * (0: all of them, as at start when nothing can be in flight), and anything else in the folder.
   */
  async sweepPartials(idleMs: number): Promise<number> {
    let freed = 0;
    for (const name of await readdir(this.partialDir).catch(() => [] as string[])) {
      const hash = /^([0-9a-f]{64})\.partial$/.exec(name)?.[1];
      const path = join(this.partialDir, name);
      const s = await stat(path).catch(() => null);
      if (!s || (hash && (this.inFlight.has(hash) || Date.now() - s.mtimeMs < idleMs))) continue;
      await rm(path, { recursive: true, force: true });
      freed += s.size;
    }
    return freed;
  }

  private partialPath(hash: string): string {
    return join(this.partialDir, `${hash}.partial`);
  }

  private async makeRoom(bytes: number, keep: ReadonlySet<string>): Promise<void> {
    await this.sweepPartials(0);
    const room = await this.room.now();
    if (bytes > room.availableBytes) await this.options.cache?.trim({ bytes, freeBytes: bytes - room.availableBytes, keep });
  }

  private async fetchOnce(peerId: string, address: string, hash: string, sizeBytes: number): Promise<FetchStats> {
    const partial = this.partialPath(hash);
    if ((await this.store.size(hash)) === sizeBytes) {
      await rm(partial, { force: true }); // a leftover of an earlier try: the blob is here now
      return { bytesTransferred: 0, resumedFromBytes: 0 };
    }
    await mkdir(this.partialDir, { recursive: true });
    let have = (await stat(partial).catch(() => null))?.size ?? 0;
    if (have > sizeBytes) {
      await rm(partial, { force: true });
      have = 0;
    }
    const resumedFromBytes = have;
    let transferred = 0;
    if (have < sizeBytes || sizeBytes === 0) {
      const reservation = await this.room.reserve(sizeBytes - have, {
        what: `Blob ${hash.slice(0, 12)} from ${address}`,
        makeRoom: () => this.makeRoom(sizeBytes - have, new Set([hash])),
      });
      try {
        transferred = await this.download(peerId, address, hash, partial, have, sizeBytes, reservation);
      } finally {
        reservation.release();
      }
    }
    const got = (await stat(partial).catch(() => null))?.size ?? 0;
    if (got < sizeBytes) throw new TroupeError('peer-unreachable', `Transfer from ${address} stopped at ${got} of ${sizeBytes} bytes; it resumes next time`);
    this.totals.bytesReceived += transferred;
    this.totals.blobsReceived += 1;
    // Verify the whole file: a resumed download is only as good as both of its halves.
    const hasher = createHash('sha256');
    await pipeline(createReadStream(partial), hasher);
    const digest = hasher.digest('hex');
    if (digest !== hash) {
      await rm(partial, { force: true });
      throw new TroupeError('bad-frame', `Blob ${hash.slice(0, 12)} from ${address} arrived damaged (hash ${digest.slice(0, 12)}); it will be fetched again`);
    }
    await this.store.adopt(partial, hash);
    return { bytesTransferred: transferred, resumedFromBytes };
  }

  /** Appends to (206) or replaces (200) the partial file; never writes past `sizeBytes` in all. */
  private download(peerId: string, address: string, hash: string, partial: string, from: number, sizeBytes: number, reservation: Reservation): Promise<number> {
    const [host, port] = [address.slice(0, address.lastIndexOf(':')), Number(address.slice(address.lastIndexOf(':') + 1))];
    const short = hash.slice(0, 12);
    const damaged = async (why: string): Promise<TroupeError> => {
      await rm(partial, { force: true });
      return new TroupeError('bad-frame', `${address} ${why} for blob ${short} (declared ${sizeBytes} bytes); the transfer was stopped and its partial file deleted`);
    };
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
          timeout: IDLE_TIMEOUT_MS,
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
            res.destroy();
            return reject(new TroupeError('not-found', `${address} could not send blob ${short} (HTTP ${res.statusCode})`));
          }
          const append = res.statusCode === 206;
          const expected = sizeBytes - (append ? from : 0);
          const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(res.headers['content-range'] ?? '');
          const length = res.headers['content-length'] === undefined ? null : Number(res.headers['content-length']);
          let refusal: string | null = null;
          if (append && (!range || Number(range[1]) !== from || Number(range[3]) !== sizeBytes)) refusal = `answered with another part (${res.headers['content-range'] ?? 'no Content-Range'})`;
          else if (length !== null && length !== expected) refusal = `announced ${length} bytes where ${expected} were due`;
          if (refusal) {
            res.destroy();
            return void damaged(refusal).then(reject, reject);
          }
          let bytes = 0;
          // Counted before they reach the disk: one byte past the declared size and the transfer stops.
          const limit = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              bytes += chunk.length;
              if (bytes > expected) return done(new TooManyBytes());
              reservation.wrote(chunk.length);
              done(null, chunk);
            },
          });
          pipeline(res, limit, createWriteStream(partial, { flags: append ? 'a' : 'w', mode: 0o600 })).then(
            () => resolve(bytes),
            (err: NodeJS.ErrnoException) => {
              if (err instanceof TooManyBytes) return void damaged('sent more bytes than it declared').then(reject, reject);
              if (err.code === 'ENOSPC') {
                return void rm(partial, { force: true }).then(() =>
                  reject(new TroupeError('bad-request', `The disk filled up while blob ${short} came from ${address}; its partial file was deleted`)),
                );
              }
              reject(new TroupeError('peer-unreachable', `Transfer from ${address} broke off: ${err.message}; it resumes next time`));
            },
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', (err) => reject(new TroupeError('peer-unreachable', `Could not fetch from ${address}: ${err.message}`)));
    });
  }
}
