// Blob transfer between two identities over the real TLS listener: a broken-off transfer resumes
// where it stopped, damage is caught by the hash, and only a teammate's certificate is served.

import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateIdentity, type Identity } from '../../electron/agent/identity/identity-store.js';
import { BlobStore } from '../../electron/agent/storage/blob-store.js';
import { BlobFetcher } from '../../electron/agent/transport/blob-fetcher.js';
import { TlsListener } from '../../electron/agent/transport/tls-listener.js';

const root = mkdtempSync(join(os.tmpdir(), 'troupe-blob-'));
let server: Identity, client: Identity, stranger: Identity;
let listener: TlsListener;
let address: string;
const payload = randomBytes(3 * 1024 * 1024);
let hash: string;

describe('blob transfer', () => {
  beforeAll(async () => {
    const make = (n: string) => loadOrCreateIdentity(join(root, n), { allowNew: true, hasTeam: false });
    [server, client, stranger] = [await make('s'), await make('c'), await make('x')];
    const store = new BlobStore(join(root, 's', 'blobs'));
    hash = (await store.put(Readable.from([payload]))).hash;
    listener = new TlsListener(server, {
      isMember: (id) => id === client.deviceId,
      isRevoked: () => false,
      publicInfo: () => ({}),
      onLink: () => undefined,
      onPair: () => undefined,
      onRoster: () => undefined,
      blobs: store,
    });
    address = `127.0.0.1:${await listener.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await listener.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('resumes a broken-off transfer from where it stopped', async () => {
    const partialDir = join(root, 'c', 'partial');
    mkdirSync(partialDir, { recursive: true });
    writeFileSync(join(partialDir, `${hash}.partial`), payload.subarray(0, 1024 * 1024));
    const store = new BlobStore(join(root, 'c', 'blobs'));
    const stats = await new BlobFetcher(client, store, partialDir).ensure(server.deviceId, address, hash, payload.length);
    expect(stats).toEqual({ resumedFromBytes: 1024 * 1024, bytesTransferred: 2 * 1024 * 1024 });
    expect(readFileSync(store.pathOf(hash)).equals(payload)).toBe(true);
    expect(existsSync(join(partialDir, `${hash}.partial`))).toBe(false);
    // Already there: nothing moves.
    expect((await new BlobFetcher(client, store, partialDir).ensure(server.deviceId, address, hash, payload.length)).bytesTransferred).toBe(0);
  });

  it('a damaged partial file is caught by the hash, dropped, and the next attempt succeeds', async () => {
    const partialDir = join(root, 'c2', 'partial');
    mkdirSync(partialDir, { recursive: true });
    writeFileSync(join(partialDir, `${hash}.partial`), randomBytes(1000));
    const store = new BlobStore(join(root, 'c2', 'blobs'));
    const fetcher = new BlobFetcher(client, store, partialDir);
    await expect(fetcher.ensure(server.deviceId, address, hash, payload.length)).rejects.toThrow(/damaged/);
    expect(await store.size(hash)).toBeNull();
    await fetcher.ensure(server.deviceId, address, hash, payload.length);
    expect(await store.size(hash)).toBe(payload.length);
  });

  it('refuses a stranger, and refuses to take bytes from a machine that is not the expected teammate', async () => {
    const store = new BlobStore(join(root, 'x', 'blobs'));
    await expect(new BlobFetcher(stranger, store, join(root, 'x', 'partial')).ensure(server.deviceId, address, hash, payload.length)).rejects.toThrow(/HTTP 403/);
    await expect(new BlobFetcher(client, store, join(root, 'x', 'partial')).ensure(stranger.deviceId, address, hash, payload.length)).rejects.toThrow(/not the teammate/);
  });
});
