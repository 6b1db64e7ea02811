// Owns one HTTP request to the local agent on 127.0.0.1 with node:http. Node's global fetch loads
// its HTTP client (undici) on first use, which cost the CLI's quick commands about a fifth of a
// second each; this needs nothing that is not loaded already.

import { request } from 'node:http';

export interface LoopbackAnswer {
  status: number;
  bytes: Uint8Array;
  contentType: string;
}

/** A whole job with every task is the largest answer the agent gives: far below this. */
const MAX_ANSWER_BYTES = 512 * 1024 * 1024;

/**
 * `path` on 127.0.0.1:`port`; rejects if nothing answers (refused, reset, or silent for
 * `timeoutMs`), or if the answer passes `maxBytes` (whatever holds the port may not be the agent).
 */
export function loopbackRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body: Uint8Array | null = null,
  timeoutMs = 0,
  maxBytes = MAX_ANSWER_BYTES,
): Promise<LoopbackAnswer> {
  return new Promise((resolve, reject) => {
    // agent: false, a connection of its own: Node 20 keeps pooled connections alive, and one the
    // agent closed while it sat idle fails the next request that picks it (ECONNRESET).
    const req = request({ host: '127.0.0.1', port, method, path, agent: false, headers: { ...headers, ...(body ? { 'content-length': String(body.byteLength) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > maxBytes) return req.destroy(new Error(`the answer passed ${maxBytes} bytes`));
        chunks.push(chunk);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes: new Uint8Array(Buffer.concat(chunks)), contentType: String(res.headers['content-type'] ?? '') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (timeoutMs > 0) req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.end(body ?? undefined);
  });
}

/** The answer's JSON, or null if it is not JSON. */
export function answerJson(answer: LoopbackAnswer): unknown {
  try {
    return JSON.parse(Buffer.from(answer.bytes).toString('utf8'));
  } catch {
    return null;
  }
}
