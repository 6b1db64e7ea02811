// Bad input: throws over 100,000 random and mutated frames at a peer link and 100,000 hostile
// requests at the control API of a real agent (or as many as fit in 35 s, at least 20,000), plus raw
// non-HTTP bytes and refused /api/events upgrades, while a real teammate stays linked to it.
// Every frame that fails validation must be answered with an `error` frame or its connection
// closed; every HTTP request must get a JSON 4xx (or 200) and never a 5xx; nothing may hang; the
// agent must stay alive, small, and online for its teammate.
//
// Runs on loopback (no namespaces needed): the test process reaches both ports itself, and it dials
// /link as the paired teammate B, with B's own certificate. It never sends a valid `hello`, so its
// links stay pending and the real B link is never displaced: any `memberOffline` is a failure.
// FUZZ_SEED=<n> replays a run.

import http from 'node:http';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, type AgentProcess, type AgentEvent } from './harness/testbed.js';
import { pair } from './harness/team-helpers.js';
import { loadOrCreateIdentity, type Identity } from '../../electron/agent/identity/identity-store.js';
import { decodeFrame, encodeFrame } from '../../electron/agent/transport/frame-codec.js';
import { opId } from '../../electron/agent/pairing/roster-op.js';
import { linkMessageSchema, MAX_FRAME_BYTES, type RosterOp } from '../../shared/protocol/index.js';
import { ERROR_CODES } from '../../shared/errors.js';
import {
  addNearbyBody,
  jobPriorityBody,
  renameBody,
  sharingBody,
  startPairingBody,
  submitJobBody,
  teamNameBody,
} from '../../shared/control-api/index.js';
import { rssMb, alive } from '../support/process-stats.js';
import { fuzzSeed, seededRandom } from '../support/seeded-random.js';

process.env.TROUPE_TEST_LOOPBACK = '1'; // read when the Testbed is constructed, below
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;

const LINK_FRAMES = 100_000;
const HTTP_TARGET = 100_000;
const HTTP_BUDGET_MS = 35_000;
const HTTP_MIN = 20_000;
const SEED = fuzzSeed();

const { rnd, int, pick, chance } = seededRandom(SEED);
function bytes(n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}
function randomString(max: number): string {
  const alphabets = [
    'abcdefghijklmnopqrstuvwxyz',
    '0123456789abcdef',
    '\u0000\u0001\n\r\t"\\/%.',
    'ÄÖÜ€😀\u202e\ufffd',
    'type hello error roster.ops roster.want heartbeat',
  ];
  const alphabet = pick(alphabets);
  let s = '';
  const n = int(0, max);
  for (let i = 0; i < n; i++) s += pick([...alphabet]);
  return s;
}

// ---- link frames ----

type Obj = Record<string, unknown>;
const capacity = (): Obj => ({
  cores: 8,
  freeCores: 6.5,
  memoryBytes: 16e9,
  freeMemoryBytes: 8e9,
  load: 0.4,
  sharing: { mode: 'on', coreCap: null },
});

function validMessages(ops: RosterOp[], members: string[]): Obj[] {
  const heads = { teamId: ops[0]!.teamId, heads: [opId(ops.at(-1)!)] };
  const addresses: Obj = {};
  for (const id of members) addresses[id] = ['127.0.0.1:47800', '10.0.0.7:47800'];
  return [
    { type: 'hello', protocol: 2, minor: 0, features: [], name: 'beta', listenPort: 47800, capacity: capacity(), roster: heads },
    { type: 'heartbeat', seq: 42, sentAtMs: Date.now(), capacity: capacity(), name: 'beta', hasWork: false, roster: heads },
    { type: 'heartbeat', seq: 43, sentAtMs: Date.now(), capacity: capacity(), name: 'beta', hasWork: true, roster: null },
    { type: 'roster.want', teamId: heads.teamId, heads: heads.heads },
    { type: 'roster.ops', ops, answer: false, more: false },
    { type: 'roster.ops', ops: ops.slice(0, 1), answer: true, more: true },
    { type: 'team.addresses', addresses },
    { type: 'error', code: 'bad-frame', message: 'Received a message this version of Troupe cannot read' },
    { type: 'work.available' },
    { type: 'work.request', requestId: 7, freeCores: 2 },
    {
      type: 'work.lease',
      requestId: 7,
      leaseId: 'lease-1',
      jobId: '0123456789abcdef',
      engine: 'builtin-render',
      task: { taskId: 'f1-2', kind: 'frames', frames: [1, 2], region: { x: 0, y: 0, width: 64, height: 64 }, dependsOn: [], cost: 2 },
      settings: { width: 64, height: 64, samplesPerPixel: 4, seed: 1, frameStart: 1, frameEnd: 2, fps: 24, format: 'png' },
      scene: 'scene.gltf',
      assets: [{ name: 'scene.gltf', hash: 'ab'.repeat(32), sizeBytes: 1234 }],
      leaseMs: 30_000,
    },
    { type: 'work.none', requestId: 7 },
    { type: 'task.started', leaseId: 'lease-1' },
    {
      type: 'task.done',
      leaseId: 'lease-1',
      startedAtMs: 1,
      endedAtMs: 2,
      outputs: { 'frame-0001.png': { hash: 'cd'.repeat(32), sizeBytes: 99 } },
    },
    { type: 'task.failed', leaseId: 'lease-1', error: 'out of memory' },
    { type: 'task.cancel', leaseId: 'lease-1', reason: 'job cancelled' },
  ];
}

const HUGE: unknown[] = [
  2 ** 64,
  -(2 ** 63),
  2 ** 53 + 1,
  1e308,
  -1e308,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  NaN,
  Infinity,
  -Infinity,
  -0,
  0.5,
  -1,
  4294967296,
];
function randomValue(depth = 0): unknown {
  const kinds = depth > 3 ? 6 : 9;
  switch (int(0, kinds)) {
    case 0:
      return null;
    case 1:
      return chance(0.5);
    case 2:
      return pick(HUGE);
    case 3:
      return int(-1000, 1e6);
    case 4:
      return randomString(40);
    case 5:
      return new Uint8Array(bytes(int(0, 40)));
    case 6:
      return randomString(int(0, 1) ? 8 : 3000);
    case 7:
      return Array.from({ length: int(0, 6) }, () => randomValue(depth + 1));
    default: {
      const o: Obj = {};
      for (let i = int(0, 6); i > 0; i--) o[pick(['type', 'name', 'ops', 'code', randomString(12)])] = randomValue(depth + 1);
      return o;
    }
  }
}
function nested(depth: number, leaf: unknown): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
/** Every (object, key) pair inside a message, so a mutation can hit fields at any depth. */
function slots(root: unknown, out: [Obj | unknown[], string | number][] = []): [Obj | unknown[], string | number][] {
  if (Array.isArray(root)) {
    root.forEach((v, i) => {
      out.push([root, i]);
      slots(v, out);
    });
  } else if (root && typeof root === 'object' && !(root instanceof Uint8Array)) {
    for (const k of Object.keys(root)) {
      out.push([root as Obj, k]);
      slots((root as Obj)[k], out);
    }
  }
  return out;
}
const clone = <T>(v: T): T => structuredClone(v);

function mutateObject(base: Obj): unknown {
  const m = clone(base);
  const all = slots(m);
  const [holder, key] = all.length ? pick(all) : [m, 'type'];
  const set = (v: unknown): void => void ((holder as Obj)[key as string] = v);
  switch (int(0, 9)) {
    case 0:
      m.type = pick([
        'hello',
        'heartbeat',
        'roster.ops',
        'roster.want',
        'team.addresses',
        'error',
        'work.lease',
        'work.request',
        'task.done',
        'task.cancel',
        'pair.hello',
        'HELLO',
        '',
        'hello\u0000',
        7,
        null,
        ['hello'],
        { type: 'hello' },
      ]);
      break;
    case 1:
      for (let i = int(1, 3); i > 0; i--)
        (pick(all.filter(([h]) => !Array.isArray(h)) as [Obj, string][])?.[0] ?? m)[
          pick(['extra', 'type', '__proto__x', 'constructor', randomString(10)])
        ] = randomValue();
      break;
    case 2:
      set(pick(HUGE));
      break;
    case 3:
      set(nested(int(1, 120), pick([0, 'x', null, {}])));
      break; // the encoder stops at depth 100
    case 4:
      set(randomValue());
      break;
    case 5:
      if (!Array.isArray(holder)) delete (holder as Obj)[key as string];
      else holder.splice(key as number, 1);
      break;
    case 6:
      set(randomString(chance(0.2) ? 5000 : 100));
      break;
    case 7:
      set(Array.from({ length: int(0, 3000) }, () => 'x'));
      break;
    case 8:
      set(new Uint8Array(bytes(int(0, 64))));
      break;
    default:
      return pick([m, [m], [m.type, m], Object.values(m), m.type]); // wrong shape around a right message
  }
  return m;
}

function mutateBytes(valid: Uint8Array[], src: Uint8Array): Buffer {
  let buf = Buffer.from(src);
  for (let round = int(1, 3); round > 0; round--) {
    if (buf.length === 0) buf = Buffer.from(pick(valid));
    switch (int(0, 8)) {
      case 0:
        for (let i = int(1, 8); i > 0; i--) {
          const at = int(0, buf.length - 1);
          buf[at] = buf[at]! ^ (1 << int(0, 7));
        }
        break; // bit flips
      case 1:
        buf = buf.subarray(0, int(0, buf.length - 1));
        break; // truncation
      case 2: {
        const other = pick(valid);
        buf = Buffer.concat([buf.subarray(0, int(0, buf.length)), other.subarray(int(0, other.length))]);
        break;
      } // splice
      case 3:
        buf[int(0, buf.length - 1)] = pick([
          0xc1, 0xc4, 0xc7, 0xd4, 0xd8, 0xdc, 0xdd, 0xde, 0xdf, 0xdb, 0xcf, 0xd3, 0xcb, 0xc0, 0xff, 0x80, 0x9f,
        ]);
        break; // msgpack type bytes
      case 4: {
        const at = int(0, buf.length);
        buf = Buffer.concat([buf.subarray(0, at), bytes(int(1, 16)), buf.subarray(at)]);
        break;
      } // insertion
      case 5: {
        const at = int(0, buf.length - 1);
        buf = Buffer.concat([buf.subarray(0, at), buf.subarray(at + int(1, 16))]);
        break;
      } // deletion
      case 6: {
        const at = int(0, buf.length - 1);
        buf.fill(pick([0xff, 0xdd, 0xdf, 0xdb, 0xc6]), at, Math.min(buf.length, at + 5));
        break;
      } // length fields to the max
      case 7:
        buf = Buffer.concat([buf, buf.subarray(0, int(0, buf.length))]);
        break; // trailing bytes
      default: {
        const at = int(0, buf.length);
        buf = Buffer.concat([buf.subarray(0, at), Buffer.alloc(int(1, 4000), pick([0x91, 0x81, 0xdc])), buf.subarray(at)]);
      } // deep nesting
    }
  }
  return buf;
}

interface Frame {
  data: Buffer | string;
  binary: boolean;
  /** The agent must answer it with an error frame (or close): it fails the same validation locally. */
  bad: boolean;
  kind: string;
}
function classify(data: Buffer | string, binary: boolean, kind: string): Frame | null {
  try {
    const msg = decodeFrame(linkMessageSchema, binary ? data : Buffer.from(data), binary);
    // A well-formed hello from B's own certificate is B reconnecting, not bad input: it would
    // take part in the duplicate-link rule. Leave it out; heartbeats, syncs and errors stay.
    if (msg.type === 'hello') return null;
    return { data, binary, bad: false, kind };
  } catch {
    return { data, binary, bad: true, kind };
  }
}

class FrameSource {
  private readonly encoded: Uint8Array[];
  constructor(private readonly messages: Obj[]) {
    this.encoded = messages.map((m) => encodeFrame(m));
  }
  next(): Frame {
    for (;;) {
      const r = rnd();
      let f: Frame | null;
      if (r < 0.3) f = classify(bytes(int(0, 2000)), true, 'random');
      else if (r < 0.6) f = classify(mutateBytes(this.encoded, pick(this.encoded)), true, 'byte-mutation');
      else if (r < 0.9) {
        let encoded: Uint8Array;
        try {
          encoded = encodeFrame(mutateObject(pick(this.messages) as Obj));
        } catch {
          continue; // the encoder refused it (too deep for its recursion): not a frame
        }
        f = classify(Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength), true, 'object-mutation');
      } else if (r < 0.995) f = classify(Buffer.from(pick(this.encoded)), true, 'valid');
      else f = classify(chance(0.5) ? randomString(300) : JSON.stringify(pick(this.messages)), false, 'text');
      if (f) return f;
    }
  }
}

// ---- one link session: open /link as B, send frames, count answers ----

interface SessionResult {
  sent: number;
  bad: number;
  answered: number;
  inFlightAtClose: number;
  closeCode: number | null;
  unexpected: string[];
}

function openLink(port: number, identity: Identity): Promise<{ ws: WebSocket; messages: unknown[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`wss://127.0.0.1:${port}/link`, {
      cert: identity.certPem,
      key: identity.keyPem,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
      perMessageDeflate: false,
      handshakeTimeout: 30_000,
    });
    const messages: unknown[] = [];
    ws.on('message', (data, isBinary) => messages.push(isBinary ? data : `text:${String(data)}`));
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`/link refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function session(port: number, identity: Identity, frames: Frame[], timeoutMs = 20_000): Promise<SessionResult> {
  const { ws, messages } = await openLink(port, identity);
  const bad = frames.filter((f) => f.bad).length;
  const result: SessionResult = { sent: 0, bad, answered: 0, inFlightAtClose: 0, closeCode: null, unexpected: [] };
  let helloSeen = false;
  const onMessage = (raw: unknown): void => {
    if (typeof raw === 'string') return void result.unexpected.push(raw.slice(0, 100));
    try {
      const msg = decodeFrame(linkMessageSchema, raw, true);
      if (msg.type === 'hello' && !helloSeen) helloSeen = true;
      else if (msg.type === 'error' && msg.code === 'bad-frame') result.answered++;
      else result.unexpected.push(`${msg.type}${msg.type === 'error' ? `:${msg.code}` : ''}`);
    } catch (err) {
      result.unexpected.push(`undecodable reply: ${(err as Error).message.slice(0, 100)}`);
    }
  };
  messages.splice(0).forEach(onMessage);
  return new Promise<SessionResult>((resolve) => {
    let settled = false;
    const finish = (closeCode: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      result.closeCode = closeCode;
      if (closeCode !== null) result.inFlightAtClose = bad - result.answered;
      if (result.answered > bad) result.unexpected.push(`more answers (${result.answered}) than bad frames (${bad})`);
      resolve(result);
    };
    const timer = setTimeout(() => {
      result.unexpected.push(`hang: ${result.answered}/${bad} answered after ${timeoutMs} ms`);
      ws.terminate();
      finish(null);
    }, timeoutMs);
    ws.removeAllListeners('message');
    ws.on('message', (data, isBinary) => {
      onMessage(isBinary ? data : `text:${String(data)}`);
      if (result.answered >= bad && !settled) {
        // Every bad frame answered: hang up ourselves and wait for the close handshake.
        ws.once('close', () => finish(null));
        ws.close(1000);
      }
    });
    ws.on('error', () => undefined); // e.g. EPIPE while writing past an oversize close; 'close' follows
    ws.on('close', (code) => {
      if (result.answered < bad) finish(code);
    });
    for (const f of frames) {
      if (ws.readyState !== ws.OPEN) break; // the agent closed already: the rest count as in flight
      ws.send(f.data, { binary: f.binary });
    }
    result.sent = frames.length;
    if (bad === 0) {
      // Nothing to answer: give the agent a moment to (wrongly) answer, then hang up.
      setTimeout(() => {
        ws.once('close', () => finish(null));
        ws.close(1000);
      });
    }
  });
}

// ---- control API requests ----

interface HttpCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Exact status we can predict, when we can. */
  expect?: number;
  /** Refused by the HTTP parser itself, before the agent sees it: no JSON body. */
  rawHttpError?: boolean;
  category: string;
}
interface HttpAnswer {
  status: number;
  body: string;
  contentType: string | undefined;
}

const ROUTES: [string, string][] = [
  ['GET', '/api/status'],
  ['GET', '/api/nearby'],
  ['POST', '/api/nearby'],
  ['GET', '/api/team'],
  ['PUT', '/api/team/name'],
  ['DELETE', '/api/team/members/x'],
  ['POST', '/api/pairings'],
  ['GET', '/api/pairings/0a1b'],
  ['GET', '/api/pair-requests'],
  ['POST', '/api/pair-requests/0123456789abcdef/accept'],
  ['POST', '/api/pair-requests/0123456789abcdef/reject'],
  ['PUT', '/api/sharing'],
  ['PUT', '/api/name'],
  ['POST', '/api/jobs'],
  ['GET', '/api/jobs'],
  ['GET', '/api/jobs/0123456789abcdef'],
  ['POST', '/api/jobs/0123456789abcdef/cancel'],
  ['POST', '/api/jobs/0123456789abcdef/pause'],
  ['POST', '/api/jobs/0123456789abcdef/resume'],
  ['PUT', '/api/jobs/0123456789abcdef/priority'],
];
const BODY_SCHEMAS: Record<string, { safeParse(v: unknown): { success: boolean } }> = {
  'POST /api/nearby': addNearbyBody,
  'PUT /api/team/name': teamNameBody,
  'POST /api/pairings': startPairingBody,
  'PUT /api/sharing': sharingBody,
  'PUT /api/name': renameBody,
  'POST /api/jobs': submitJobBody,
  'PUT /api/jobs/0123456789abcdef/priority': jobPriorityBody,
};
const PATH_TRICKS = [
  '/api/team/members/..%2f..%2fetc%2fpasswd',
  '/api/team/members/%E0%A4%A',
  '/api/team/members/%',
  '/api/team/members/%ZZ',
  '/api/team/members/%c0%af',
  '/api/team/members/%00',
  '/api/team/members/.',
  '/api/team/members/..',
  '/api/../api/status',
  '/api/status/',
  '/api//status',
  '/API/STATUS',
  '/api/status?token=x',
  '/api/status#frag',
  '/api/status%00',
  '/api/pairings/' + 'f'.repeat(17),
  '/api/pairings/ZZZZ',
  '/api/pair-requests/../accept',
  '/api/events',
  '/',
  '*',
  'http://evil.example/api/status',
  '/' + 'a'.repeat(3000),
  '/api/team/members/' + 'x'.repeat(101),
  '/api/jobs/' + '0'.repeat(16),
  '/api/jobs/' + 'F'.repeat(16),
  '/api/jobs/../../status',
  '/api/jobs/0123456789abcdef/priority/',
];
/** Not valid HTTP (raw bytes over 0x7f in the request line): Node's parser answers 400 and hangs up. */
const BAD_HTTP_PATHS = ['/api/team/members/\u00e9\u00e9', '/api/st\u00e4tus', '/\u00ff'];

function memberSegment(): string {
  // Never one that could name a real member: resolveMember matches names and any id prefix, so
  // a segment must keep some character besides letters, digits and dashes after decoding.
  for (;;) {
    const raw = pick([
      () => encodeURIComponent(randomString(30)),
      () => pick(['%E0%A4%A', '%', '%ZZ', '..%2f..%2f', '%2e%2e', '~', '%7e%7e', '.%2f']) + randomString(5).replace(/[^a-z0-9]/g, ''),
      () => '.' + bytes(8).toString('hex'),
    ])();
    if (!/^[^/?#]{1,100}$/.test(raw)) continue;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return raw; // undecodable: must be a 400, never a removal
    }
    if (/[^A-Za-z0-9\s-]/.test(decoded.trim())) return raw;
  }
}

function jsonBody(): Buffer {
  switch (int(0, 6)) {
    case 0:
      return Buffer.from(JSON.stringify(randomJson()));
    case 1:
      return bytes(int(0, 2000));
    case 2:
      return Buffer.alloc(int(64 * 1024 + 1, 100 * 1024), '{"a":1}'); // oversize
    case 3:
      return Buffer.from('');
    case 4:
      return Buffer.from(
        pick([
          '{',
          '[',
          'null',
          '"x"',
          '1e999',
          '{"__proto__":{"admin":true}}',
          '{"name":"x","name":"y"}',
          '{"constructor":{"prototype":{}}}',
        ]),
      );
    case 5:
      return Buffer.from(JSON.stringify({ [pick(['name', 'address', 'target', 'mode', 'coreCap', 'priority'])]: randomJson() }));
    default: {
      const n = int(1, 30_000);
      return Buffer.from('['.repeat(n) + '1' + ']'.repeat(n));
    }
  }
}
function randomJson(depth = 0): unknown {
  switch (int(0, depth > 2 ? 4 : 6)) {
    case 0:
      return null;
    case 1:
      return pick([0, -1, 1.5, 1e308, 4096, 4097, 2 ** 53]);
    case 2:
      return randomString(pick([5, 70, 400]));
    case 3:
      return chance(0.5);
    case 4:
      return pick(['on', 'off', 'idle', 'beta', 'alpha', '127.0.0.1:1']);
    case 5:
      return Array.from({ length: int(0, 4) }, () => randomJson(depth + 1));
    default: {
      const o: Obj = {};
      for (let i = int(0, 4); i > 0; i--)
        o[pick(['name', 'address', 'target', 'mode', 'coreCap', 'priority', 'scenePath', 'outputDir', randomString(8)])] = randomJson(
          depth + 1,
        );
      return o;
    }
  }
}

function httpCase(port: number, token: string): HttpCase {
  const host = `127.0.0.1:${port}`;
  const headers: Record<string, string> = { host: chance(0.5) ? host : `localhost:${port}` };
  let category = 'authorized';
  let expect: number | undefined;
  const r = rnd();
  if (r < 0.08) {
    headers.host = pick([
      'evil.example',
      `127.0.0.1:${port + 1}`,
      `127.0.0.1`,
      `[::1]:${port}`,
      `LOCALHOST:${port}`,
      '',
      `127.0.0.1:${port}.evil.example`,
    ]);
    category = 'bad-host';
    expect = 403;
  } else if (r < 0.16) {
    headers.origin = pick([
      'http://evil.example',
      'null',
      `https://127.0.0.1:${port}`,
      `http://127.0.0.1:${port}.evil.example`,
      'file://',
      '',
    ]);
    category = 'bad-origin';
    expect = 403;
  }
  if (r >= 0.16 && r < 0.32) {
    category = 'bad-token';
    expect = 401;
    const wrong = pick([
      () => '',
      () => 'Bearer',
      () => 'Bearer ',
      () => `bearer ${token}`,
      () => `Basic ${token}`,
      () => `Bearer ${token.slice(1)}`,
      () => `Bearer ${token}x`,
      () => `Bearer ${token.toUpperCase()}`,
      () => `Bearer ${'0'.repeat(64)}`,
      () => `Bearer  ${token}`,
      () => `Bearer ${randomString(100).replace(/[^\x21-\x7e]/g, '')}`,
    ])();
    if (wrong === '' || chance(0.2)) {
      if (chance(0.5)) headers['sec-websocket-protocol'] = pick([`troupe-token.${token.slice(2)}`, 'troupe-token.', 'x, y']);
    } else headers.authorization = wrong;
  } else {
    headers.authorization = `Bearer ${token}`;
    if (category === 'authorized' && chance(0.05)) headers.origin = `http://${headers.host}`;
  }
  let method: string;
  let path: string;
  if (chance(0.7)) [method, path] = pick(ROUTES);
  else [method, path] = [pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND']), pick(PATH_TRICKS)];
  if (chance(0.15)) method = pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD']);
  if (path === '/api/team/members/x') path = `/api/team/members/${memberSegment()}`;
  if (chance(0.05)) path += `?${randomString(20).replace(/[^a-z0-9=&]/g, '')}`;
  if (chance(0.002)) return { method, path: pick(BAD_HTTP_PATHS), headers, expect: 400, category: 'bad-http', rawHttpError: true };
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD' ? chance(0.9) : chance(0.1)) {
    body = jsonBody();
    // Node's client sends a GET/DELETE/OPTIONS body with no length at all, which the server can
    // only read as the next request; say how long it is, as any real client does.
    headers['content-length'] = String(body.length);
    headers['content-type'] = pick([
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      '',
    ]);
    if (headers['content-type'] === '') delete headers['content-type'];
  }
  // With the right token a valid body would act: pair, probe addresses, rename. Make it invalid.
  const schema = BODY_SCHEMAS[`${method} ${path.split('?')[0]}`];
  if (schema && category === 'authorized' && body) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      parsed = undefined;
    }
    if (parsed !== undefined && schema.safeParse(parsed).success) {
      body = Buffer.from(JSON.stringify({ ...(parsed as Obj), fuzz: 1 }));
      headers['content-length'] = String(body.length);
    }
  }
  if (
    category === 'authorized' &&
    method === 'GET' &&
    ['/api/status', '/api/nearby', '/api/team', '/api/pair-requests', '/api/jobs'].includes(path)
  )
    expect = 200;
  return { method, path, headers, body, expect, category };
}

function request(agent: http.Agent, port: number, c: HttpCase, timeoutMs = 10_000): Promise<HttpAnswer | { error: string }> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    try {
      req = http.request({ host: '127.0.0.1', port, method: c.method, path: c.path, headers: c.headers, agent, setHost: false });
    } catch (err) {
      return resolve({ error: `client refused: ${(err as Error).message}` });
    }
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] });
      });
      res.on('error', (err) => (clearTimeout(timer), resolve({ error: err.message })));
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ error: err.message });
    });
    req.end(c.body);
  });
}

function rawGarbage(port: number, payload: Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    const timer = setTimeout(() => (socket.destroy(), resolve('hang')), timeoutMs);
    socket.on('connect', () => socket.end(payload));
    socket.on('data', (d) => (data += d.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(data)?.[1];
      resolve(status ? `http-${status}` : 'closed');
    });
  });
}

function eventsUpgrade(port: number, opts: { path: string; headers: Record<string, string>; protocols?: string[] }): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${opts.path}`, opts.protocols ?? [], { headers: opts.headers, handshakeTimeout: 30_000 });
    ws.on('unexpected-response', (_req, res) => (res.resume(), ws.terminate(), resolve(`http-${res.statusCode}`)));
    ws.on('open', () => {
      ws.send(bytes(int(0, 5000))); // the stream is one-way; whatever we send must be ignored or refused
      ws.close();
      resolve('open');
    });
    ws.on('error', (err) => resolve(`error:${err.message}`));
  });
}

// ---- agent helpers ----

interface TeamJson {
  members: { deviceId: string; name: string; online: boolean }[];
}

async function eventLoopLagProbe(port: number, token: string): Promise<number> {
  const started = Date.now();
  const agent = new http.Agent({ keepAlive: false });
  const answer = await request(agent, port, {
    method: 'GET',
    path: '/api/status',
    headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}` },
    category: 'probe',
  });
  agent.destroy();
  expect('status' in answer && answer.status).toBe(200);
  return Date.now() - started;
}

// ---- the test ----

describe(`bad input (${bed.mode})`, () => {
  let controlPort = 0;
  let token = '';
  let listenPort = 0;

  beforeAll(async () => {
    const host = bed.addHost();
    a = bed.agent(host, 'alpha');
    b = bed.agent(host, 'beta');
    const [readyA] = await Promise.all([a.start(), b.start()]);
    listenPort = readyA.listenPort as number;
    controlPort = readyA.controlPort as number;
    token = readFileSync(join(a.dataDir, 'control-token'), 'utf8').trim();
    await pair(a, b, `127.0.0.1:${b.events[0]!.listenPort as number}`);
    await a.waitFor((e) => e.type === 'memberOnline' && e.deviceId === b.deviceId, 10_000);
  });
  afterAll(() => bed.destroy());

  it('survives 100,000 bad frames on a peer link and a flood of bad control API requests', async () => {
    expect(bed.mode).toBe('loopback');
    const pid = a.pid!;
    const offlineB = (from: number) =>
      a.events.slice(from).filter((e: AgentEvent) => e.type === 'memberOffline' && e.deviceId === b.deviceId);
    const identity = await loadOrCreateIdentity(b.dataDir, { allowNew: false, hasTeam: true });
    expect(identity.deviceId).toBe(b.deviceId);
    const teamFile = JSON.parse(readFileSync(join(b.dataDir, 'team.json'), 'utf8')) as { ops: RosterOp[] };
    const corpus = validMessages(teamFile.ops, [a.deviceId, b.deviceId]);
    // The seeds must be valid today, or the mutations explore the wrong neighbourhood.
    for (const m of corpus) expect(() => decodeFrame(linkMessageSchema, encodeFrame(m), true), String(m.type)).not.toThrow();
    const source = new FrameSource(corpus);
    const rssBefore = rssMb(pid);
    const mark = a.events.length;

    // ---- phase 1: the peer link ----
    const link = {
      sent: 0,
      bad: 0,
      valid: 0,
      answered: 0,
      inFlightAtClose: 0,
      sessions: 0,
      closes: {} as Record<string, number>,
      kinds: {} as Record<string, number>,
      unexpected: [] as string[],
      maxLagMs: 0,
    };
    const linkStart = Date.now();
    type Plan = { frames: Frame[]; expectClose: number | null };
    const plans: Plan[] = [];
    // Oversize frames: the agent closes with 1009 before reading them.
    for (let i = 0; i < 5; i++) {
      const frames = Array.from({ length: 20 }, () => source.next());
      frames.push({ data: bytes(MAX_FRAME_BYTES + int(1, 2 * MAX_FRAME_BYTES)), binary: true, bad: true, kind: 'oversize' });
      frames.push(...Array.from({ length: 20 }, () => source.next()));
      plans.push({ frames, expectClose: 1009 });
    }
    // Just-under-the-limit frames of deep nesting: the costliest kind of frame to decode.
    for (let i = 0; i < 20; i++) {
      const deep = Buffer.alloc(MAX_FRAME_BYTES - int(0, 64), pick([0x91, 0x9f, 0x81, 0xdc]));
      plans.push({
        frames: [{ data: deep, binary: true, bad: true, kind: 'deep-1mib' }, ...Array.from({ length: 50 }, () => source.next())],
        expectClose: null,
      });
    }
    const CONCURRENCY = 4;
    let planned = plans.reduce((n, p) => n + p.frames.length, 0);
    const nextPlan = (): Plan | null => {
      const fixed = plans.shift();
      if (fixed) return fixed;
      if (planned >= LINK_FRAMES) return null;
      // Mostly sessions of at most 200 bad frames (the agent's per-second budget: each one answered);
      // one in ten a flood past it, which the agent cuts off with 1008.
      const flood = chance(0.1);
      const frames: Frame[] = [];
      let bad = 0;
      const limit = flood ? int(250, 800) : int(1, 200);
      while (bad < limit) {
        const f = source.next();
        frames.push(f);
        if (f.bad) bad++;
      }
      planned += frames.length;
      return { frames, expectClose: flood ? 1008 : null };
    };
    const worker = async (): Promise<void> => {
      for (let plan = nextPlan(); plan; plan = nextPlan()) {
        const r = await session(listenPort, identity, plan.frames);
        link.sessions++;
        link.sent += r.sent;
        link.bad += r.bad;
        link.valid += r.sent - r.bad;
        link.answered += r.answered;
        link.inFlightAtClose += r.inFlightAtClose;
        const key = String(r.closeCode ?? 'by-us');
        link.closes[key] = (link.closes[key] ?? 0) + 1;
        for (const f of plan.frames) link.kinds[f.kind] = (link.kinds[f.kind] ?? 0) + 1;
        link.unexpected.push(...r.unexpected);
        if (plan.expectClose !== null && r.closeCode !== plan.expectClose)
          link.unexpected.push(`expected close ${plan.expectClose}, got ${r.closeCode} (${r.answered}/${r.bad} answered)`);
        if (plan.expectClose === null && r.closeCode !== null)
          link.unexpected.push(`closed by the agent with ${r.closeCode} after ${r.answered}/${r.bad} answers`);
      }
    };
    const lagSampler = setInterval(() => {
      void eventLoopLagProbe(controlPort, token).then(
        (ms) => (link.maxLagMs = Math.max(link.maxLagMs, ms)),
        () => undefined,
      );
    });
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    clearInterval(lagSampler);
    const linkMs = Date.now() - linkStart;
    const rssAfterLink = rssMb(pid);
    const linkOffline = offlineB(mark);

    expect(link.unexpected.slice(0, 20)).toEqual([]);
    expect(link.sent).toBeGreaterThanOrEqual(LINK_FRAMES);
    expect(link.answered + link.inFlightAtClose).toBe(link.bad);
    expect(alive(pid), a.stderr.slice(-3000)).toBe(true);
    expect(linkOffline).toEqual([]);

    // ---- phase 2: the control API ----
    const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const web = {
      requests: 0,
      byStatus: {} as Record<string, number>,
      byCategory: {} as Record<string, number>,
      closed: 0,
      failures: [] as string[],
      raw: {} as Record<string, number>,
      upgrades: {} as Record<string, number>,
    };
    const httpStart = Date.now();
    const check = (c: HttpCase, ans: HttpAnswer | { error: string }): void => {
      web.requests++;
      web.byCategory[c.category] = (web.byCategory[c.category] ?? 0) + 1;
      const what = `${c.method} ${c.path.slice(0, 80)} [${c.category}]`;
      if ('error' in ans) {
        // A connection the agent closed (it does so for a body over the limit) counts as an answer;
        // a timeout or a refused request does not.
        if (/timeout|client refused/.test(ans.error)) web.failures.push(`${what}: ${ans.error}`);
        else web.closed++;
        web.byStatus.closed = (web.byStatus.closed ?? 0) + 1;
        return;
      }
      web.byStatus[ans.status] = (web.byStatus[ans.status] ?? 0) + 1;
      if (ans.status >= 500 || (ans.status !== 200 && (ans.status < 400 || ans.status >= 500)))
        return void web.failures.push(`${what}: HTTP ${ans.status} ${ans.body.slice(0, 200)}`);
      // Outside /api/ the port serves the UI's pages, which need no token (they hold no secret) and
      // answer in HTML for people; Host and Origin still apply.
      const page = !c.path.split('?')[0]!.startsWith('/api/');
      const expected = page && c.category === 'bad-token' ? undefined : c.expect;
      if (expected !== undefined && ans.status !== expected)
        return void web.failures.push(`${what}: HTTP ${ans.status}, expected ${expected}: ${ans.body.slice(0, 200)}`);
      if (c.method === 'HEAD' || c.rawHttpError) return;
      if (page && ans.body.startsWith('<!doctype html>')) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(ans.body);
      } catch {
        return void web.failures.push(`${what}: HTTP ${ans.status} with a body that is not JSON: ${ans.body.slice(0, 100)}`);
      }
      if (ans.status >= 400) {
        const code = (parsed as { error?: { code?: unknown } } | null)?.error?.code;
        if (!(ERROR_CODES as readonly unknown[]).includes(code))
          web.failures.push(`${what}: HTTP ${ans.status} without an error code: ${ans.body.slice(0, 200)}`);
      }
    };
    let inFlight = 0;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (inFlight < 32 && web.requests + inFlight < HTTP_TARGET && Date.now() - httpStart < HTTP_BUDGET_MS) {
          const c = httpCase(controlPort, token);
          inFlight++;
          void request(httpAgent, controlPort, c).then((ans) => {
            inFlight--;
            check(c, ans);
            pump();
          });
        }
        if (inFlight === 0) resolve();
      };
      pump();
    });
    httpAgent.destroy();
    expect(alive(pid), `after HTTP requests: ${a.stderr.slice(-3000)}`).toBe(true);
    // Raw bytes that are not HTTP, or barely: the server answers 4xx or hangs up, never hangs.
    const rawPayloads = (): Buffer =>
      pick([
        () => bytes(int(0, 3000)),
        () => Buffer.from(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${controlPort}\r\nContent-Length: -1\r\n\r\n`),
        () =>
          Buffer.from(
            `POST /api/name HTTP/1.1\r\nHost: 127.0.0.1:${controlPort}\r\nTransfer-Encoding: chunked\r\nAuthorization: Bearer ${token}\r\n\r\nzz\r\n`,
          ),
        () => Buffer.from(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${controlPort}\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`),
        () => Buffer.from(`GET /api/status HTTP/9.9\r\n\r\n`),
        () =>
          Buffer.from(`GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:${controlPort}\r\nHost: evil\r\nAuthorization: Bearer ${token}\r\n\r\n`),
        () => Buffer.from(`GET ${'/'.repeat(70_000)} HTTP/1.1\r\n\r\n`),
        () =>
          Buffer.concat([
            Buffer.from(
              `PUT /api/sharing HTTP/1.1\r\nHost: 127.0.0.1:${controlPort}\r\nAuthorization: Bearer ${token}\r\nContent-Length: 10\r\n\r\n`,
            ),
            bytes(3),
          ]),
      ])();
    const rawResults = await Promise.all(Array.from({ length: 300 }, () => rawGarbage(controlPort, rawPayloads())));
    for (const r of rawResults) web.raw[r] = (web.raw[r] ?? 0) + 1;
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(pid), `after raw sockets: ${a.stderr.slice(-3000)}`).toBe(true);
    // The event stream: upgrades with wrong tokens, hosts, origins and paths are refused.
    const upgradeCases: [string, () => Promise<string>][] = [];
    for (let i = 0; i < 200; i++) {
      const good = { host: `127.0.0.1:${controlPort}` };
      upgradeCases.push(
        pick<[string, () => Promise<string>]>([
          ['http-401', () => eventsUpgrade(controlPort, { path: '/api/events', headers: good })],
          [
            'http-401',
            () => eventsUpgrade(controlPort, { path: '/api/events', headers: good, protocols: [`troupe-token.${token.slice(1)}`] }),
          ],
          ['http-401', () => eventsUpgrade(controlPort, { path: '/api/events', headers: { ...good, authorization: `Bearer ${token}0` } })],
          [
            'http-403',
            () => eventsUpgrade(controlPort, { path: '/api/events', headers: { host: 'evil.example', authorization: `Bearer ${token}` } }),
          ],
          [
            'http-403',
            () =>
              eventsUpgrade(controlPort, {
                path: '/api/events',
                headers: { ...good, origin: 'http://evil.example', authorization: `Bearer ${token}` },
              }),
          ],
          [
            'http-404',
            () =>
              eventsUpgrade(controlPort, {
                path: pick(['/api/status', '/link', '/api/events/', '/api/events%00', '/']),
                headers: { ...good, authorization: `Bearer ${token}` },
              }),
          ],
          ['open', () => eventsUpgrade(controlPort, { path: '/api/events', headers: good, protocols: [`troupe-token.${token}`] })],
        ]),
      );
    }
    for (const [want, run] of upgradeCases) {
      const got = await run();
      web.upgrades[got] = (web.upgrades[got] ?? 0) + 1;
      if (got !== want) web.failures.push(`events upgrade: wanted ${want}, got ${got}`);
    }
    const httpMs = Date.now() - httpStart;
    const summary = (): string =>
      `fuzz summary (seed ${SEED}): link ${link.sent} frames (${link.bad} invalid, ${link.valid} valid) in ${link.sessions} sessions over ${(linkMs / 1000).toFixed(1)} s: ` +
      `${link.answered} answered with an error frame, ${link.inFlightAtClose} in flight at a close; closes ${JSON.stringify(link.closes)}; kinds ${JSON.stringify(link.kinds)}; ` +
      `max control API latency during it ${link.maxLagMs} ms | control API ${web.requests} requests in ${(httpMs / 1000).toFixed(1)} s ` +
      `(${Math.round(web.requests / ((httpMs || 1) / 1000))}/s): statuses ${JSON.stringify(web.byStatus)}, categories ${JSON.stringify(web.byCategory)}; ` +
      `raw sockets ${JSON.stringify(web.raw)}; /api/events upgrades ${JSON.stringify(web.upgrades)} | ` +
      `agent RSS ${rssBefore.toFixed(0)} -> ${rssAfterLink.toFixed(0)} (after link) -> ${rssMb(pid).toFixed(0)} MB`;
    console.log(summary());

    expect(alive(pid), `after /api/events upgrades: ${a.stderr.slice(-3000)}`).toBe(true);
    expect(web.failures.slice(0, 20)).toEqual([]);
    expect(web.requests).toBeGreaterThanOrEqual(Math.min(HTTP_TARGET, HTTP_MIN));
    expect(web.byStatus['500'] ?? 0).toBe(0);
    expect(web.raw.hang ?? 0).toBe(0);

    // ---- afterwards: alive, answering, small, and B still online ----
    expect(alive(pid), a.stderr.slice(-3000)).toBe(true);
    const lagAfterMs = await eventLoopLagProbe(controlPort, token);
    const rssAfter = rssMb(pid);
    expect(rssAfter).toBeLessThan(300);
    expect(offlineB(mark)).toEqual([]);
    const team = await a.cli<TeamJson>(['team']);
    expect(team.members.find((m) => m.deviceId === b.deviceId)?.online).toBe(true);

    console.log(`fuzz after: status answered in ${lagAfterMs} ms, RSS ${rssAfter.toFixed(0)} MB, beta online throughout`);
  });
});
