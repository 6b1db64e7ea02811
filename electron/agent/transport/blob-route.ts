// Owns GET/HEAD /blobs/<sha256> for teammates: the bytes of one stored blob, with single-range
// requests so an interrupted transfer resumes where it stopped.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { isBlobHash, type BlobStore } from '../storage/blob-store.js';

export async function serveBlob(store: BlobStore, hash: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return end(res, 405, 'Only GET and HEAD');
  if (!isBlobHash(hash)) return end(res, 400, 'Blob names are 64 lowercase hex characters (SHA-256)');
  const size = await store.size(hash);
  if (size === null) return end(res, 404, 'No blob with that hash here');
  const headers: Record<string, string | number> = { 'accept-ranges': 'bytes', 'content-type': 'application/octet-stream', etag: `"${hash}"` };
  const range = parseRange(req.headers.range, size);
  if (range === 'invalid') {
    res.writeHead(416, { 'content-range': `bytes */${size}` });
    return void res.end();
  }
  const { start, end: last } = range ?? { start: 0, end: size - 1 };
  if (range) headers['content-range'] = `bytes ${start}-${last}/${size}`;
  headers['content-length'] = size === 0 ? 0 : last - start + 1;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || size === 0) return void res.end();
  await pipeline(store.read(hash, { start, end: last }), res).catch(() => res.destroy());
}

/** One `bytes=a-b`, `bytes=a-` or `bytes=-n` range; multi-range requests get the whole blob. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return null;
  const [, a, b] = m;
  let start: number;
  let end: number;
  if (a === '') {
    if (b === '') return 'invalid';
    start = Math.max(0, size - Number(b));
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (a !== '' && b !== '' && Number(a) > Number(b)) return null; // malformed: RFC 9110 says ignore the header
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

function end(res: ServerResponse, status: number, message: string): void {
  const body = JSON.stringify({ code: status === 404 ? 'not-found' : 'bad-request', message });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
