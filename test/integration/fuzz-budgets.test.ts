// Hostile blob answers over real TLS: a teammate's server that answers each GET /blobs/<hash> with a
// random lie (status, Content-Length, Content-Range, more or fewer bytes than declared, the wrong
// bytes, a reset mid-way) while a partial file of random length may already be there. Whatever it
// sends, the fetcher never has more than the declared size on disk, fails with a TroupeError whose
// code says what happened, deletes what cannot be resumed, gives back its disk reservation, and
// stores only bytes that hash to the name. FUZZ_SEED=<n> replays a run.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../shared/errors.js';
import { loadOrCreateIdentity, type Identity } from '../../electron/agent/identity/identity-store.js';
import { BlobStore } from '../../electron/agent/storage/blob-store.js';
import { DiskRoom } from '../../electron/agent/storage/disk-room.js';
import { BlobFetcher } from '../../electron/agent/transport/blob-fetcher.js';
import { fuzzSeed, seededRandom } from '../support/seeded-random.js';

const ROUNDS = 400;
const SEED = fuzzSeed();
const { rnd, int, pick, chance } = seededRandom(SEED);
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
function bytes(n: number): Buffer {
  const out = Buffer.alloc(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) out.writeUInt32LE((rnd() * 2 ** 32) >>> 0, i);
  for (; i < n; i++) out[i] = int(0, 255);
  return out;
}

/** What the server does with the next request, written straight onto the TLS socket. */
interface Answer {
  status: number;
  contentLength: 'none' | 'right' | 'more' | 'less' | 'garbage';
  range: 'right' | 'wrong-start' | 'wrong-total' | 'missing';
  body: 'exact' | 'more' | 'less' | 'other';
  ending: 'end' | 'reset';
}

const root = mkdtempSync(join(os.tmpdir(), 'troupe-fuzz-budgets-'));
let server: https.Server;
let teammate: Identity, me: Identity;
let address: string;
let next: { answer: Answer; content: Buffer } | null = null;
const SPACE = { freeBytes: 1e12, totalBytes: 1e13 };

function answer(socket: TLSSocket, rangeHeader: string | undefined): void {
  const { answer: a, content } = next!;
  const from = Number(/^bytes=(\d+)-$/.exec(rangeHeader ?? '')?.[1] ?? 0);
  const start = a.status === 206 ? from : 0;
  const due = content.subarray(start);
  let body = due;
  if (a.body === 'more') body = Buffer.concat([due, bytes(int(1, 100_000))]);
  else if (a.body === 'less') body = due.subarray(0, int(0, Math.max(0, due.length - 1)));
  else if (a.body === 'other') body = bytes(due.length);
  const head = [`HTTP/1.1 ${a.status} X`, 'Connection: close', 'Content-Type: application/octet-stream'];
  const length = {
    none: null,
    right: due.length,
    more: due.length + int(1, 1000),
    less: Math.max(0, due.length - int(1, 1000)),
    garbage: 'lots',
  }[a.contentLength];
  if (length !== null) head.push(`Content-Length: ${length}`);
  if (a.status === 206 && a.range !== 'missing') {
    const s = a.range === 'wrong-start' ? start + 1 : start;
    const total = a.range === 'wrong-total' ? content.length + 1 : content.length;
    head.push(`Content-Range: bytes ${s}-${Math.max(s, content.length - 1)}/${total}`);
  }
  socket.write(`${head.join('\r\n')}\r\n\r\n`);
  socket.write(body);
  if (a.ending === 'reset') setTimeout(() => socket.destroy(), int(0, 3));
  else socket.end();
}

describe(`hostile blob answers (seed ${SEED})`, () => {
  beforeAll(async () => {
    teammate = await loadOrCreateIdentity(join(root, 't'), { allowNew: true, hasTeam: false });
    me = await loadOrCreateIdentity(join(root, 'm'), { allowNew: true, hasTeam: false });
    server = https.createServer({
      key: teammate.keyPem,
      cert: teammate.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
    });
    server.on('request', (req) => answer(req.socket as TLSSocket, req.headers.range));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    rmSync(root, { recursive: true, force: true });
  });

  it(
    `${ROUNDS} lies: never more than declared on disk, clear errors, nothing kept that cannot be resumed`,
    { timeout: 120_000 },
    async () => {
      const store = new BlobStore(join(root, 'store'));
      const partialDir = join(root, 'partial');
      mkdirSync(partialDir, { recursive: true });
      const room = new DiskRoom(root, async () => ({ ...SPACE }));
      const fetcher = new BlobFetcher(me, store, partialDir, { room, maxBlobBytes: 1_000_000 });
      fetcher.close();
      const available = (await room.now()).availableBytes;
      const outcomes: Record<string, number> = {};
      const problems: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const size = pick([0, 1, int(2, 1000), int(1000, 200_000)]);
        const content = bytes(size);
        const honestName = chance(0.6);
        const hash = honestName ? sha256(content) : sha256(bytes(8));
        const partial = join(partialDir, `${hash}.partial`);
        let planted = 0;
        if (chance(0.3)) {
          const b = chance(0.7) ? content.subarray(0, int(0, size)) : bytes(int(0, size + 1000));
          writeFileSync(partial, b);
          planted = b.length;
        }
        const answer: Answer = {
          status: pick([200, 200, 200, 206, 206, 404, 500, 416]),
          contentLength: pick(['none', 'right', 'right', 'more', 'less', 'garbage']),
          range: pick(['right', 'right', 'wrong-start', 'wrong-total', 'missing']),
          body: pick(['exact', 'exact', 'more', 'less', 'other']),
          ending: pick(['end', 'end', 'end', 'reset']),
        };
        next = { answer, content };
        let peak = 0;
        const sampler = setInterval(() => (peak = Math.max(peak, statSync(partial, { throwIfNoEntry: false })?.size ?? 0)), 1);
        const result = await fetcher.ensure(teammate.deviceId, address, hash, size).then(
          () => 'stored',
          (err: unknown) => err,
        );
        clearInterval(sampler);
        peak = Math.max(peak, statSync(partial, { throwIfNoEntry: false })?.size ?? 0);
        const what = `round ${round} (${JSON.stringify(answer)}, ${size} bytes, honest name ${honestName})`;
        if (peak > Math.max(size, planted)) problems.push(`${what}: ${peak} bytes on disk`);
        if (result === 'stored') {
          outcomes.stored = (outcomes.stored ?? 0) + 1;
          const kept = readFileSync(store.pathOf(hash));
          if (sha256(kept) !== hash || kept.length !== size) problems.push(`${what}: stored bytes that are not the blob`);
          if (existsSync(partial)) problems.push(`${what}: partial file left after success`);
          continue;
        }
        if (!(result instanceof TroupeError)) {
          problems.push(`${what}: not a TroupeError: ${String(result)}`);
          continue;
        }
        outcomes[result.code] = (outcomes[result.code] ?? 0) + 1;
        if (!['bad-frame', 'peer-unreachable', 'not-found'].includes(result.code))
          problems.push(`${what}: code ${result.code}: ${result.message}`);
        if (result.code === 'bad-frame' && existsSync(partial)) problems.push(`${what}: damaged bytes kept (${result.message})`);
        if ((await store.size(hash)) !== null && !honestName) problems.push(`${what}: a lie was stored`);
        if (existsSync(partial) && statSync(partial).size > size) problems.push(`${what}: partial longer than declared kept`);
      }
      console.log(`fuzz-budgets seed ${SEED}: ${JSON.stringify(outcomes)}`);
      expect(problems.slice(0, 20)).toEqual([]);
      expect((await room.now()).availableBytes).toBe(available); // every reservation given back
      expect(outcomes.stored ?? 0).toBeGreaterThan(ROUNDS / 20);
      expect(outcomes['bad-frame'] ?? 0).toBeGreaterThan(ROUNDS / 20);
    },
  );
});
