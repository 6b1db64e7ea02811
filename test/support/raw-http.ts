// A plain HTTP request to a local port, with nothing added: the status, headers and body as the
// server sent them (fetch would follow redirects and hide some headers).

import http from 'node:http';

export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function rawRequest(
  port: number,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: init.method ?? 'GET', headers: init.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The session a login link's answer hands the page (a `<meta name="troupe-session">` in it); fails the test if there is none. */
export function sessionOfLoginAnswer(res: RawAnswer): string {
  const m = /<meta name="troupe-session" content="([A-Za-z0-9_-]+)">/.exec(res.body.toString());
  if (res.status !== 200 || !m) throw new Error(`not a signed-in page (${res.status}): ${res.body.toString().slice(0, 200)}`);
  return m[1]!;
}
