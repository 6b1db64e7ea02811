// One request to whatever holds the agent's port: its answer is read whole, but only up to a
// bound, since the listener may not be our agent at all.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopbackRequest } from '../../../../../electron/agent/control-api/loopback-http.js';

let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/flood') {
      // An endless answer: a stranger on the port, or a broken agent.
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const more = (): void => void (res.write(chunk) ? setImmediate(more) : res.once('drain', more));
      more();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('loopbackRequest', () => {
  it('reads an answer whole', async () => {
    const answer = await loopbackRequest(port, 'GET', '/small');
    expect([answer.status, Buffer.from(answer.bytes).toString(), answer.contentType]).toEqual([200, '{"ok":true}', 'application/json']);
  });

  it('gives up on an answer past its bound, instead of holding it all in memory', async () => {
    await expect(loopbackRequest(port, 'GET', '/flood', {}, null, 0, 256 * 1024)).rejects.toThrow('the answer passed 262144 bytes');
  });
});
