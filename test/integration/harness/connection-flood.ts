// A stranger on the LAN holding connections open to an agent's peer port: raw TCP that never
// speaks, TLS without a certificate, and TLS with a certificate of its own that then never sends a
// request. Spread over the given source addresses. Until `durationMs` is over, a connection the
// agent closed after holding it is opened again after `retryMs`, one it refused at once after
// `retryRefusedMs` (make that small for a reconnect storm). Prints JSON lines for a test to read:
//   {"type":"status","t":…,"held":…,"busiestAddress":…,"opened":…,"closedFast":…}   every 250 ms
//   {"type":"done","maxHeld":…,"maxBusiestAddress":…,"maxHeldMs":…,"opened":…,"closedFast":…}
// "Held" counts connections open for a second or more: the kernel completes a TCP handshake before
// the agent accepts it, so a connection the agent closes at once is open for a moment here too.
// Usage: node connection-flood.js '<json: {target, count, addresses, durationMs, retryMs, retryRefusedMs, identityDir, kinds?}>'

import net from 'node:net';
import tls from 'node:tls';
import { loadOrCreateIdentity } from '../../../electron/agent/identity/identity-store.js';

interface Plan {
  target: string;
  count: number;
  addresses: string[];
  durationMs: number;
  retryMs: number;
  retryRefusedMs: number;
  identityDir: string;
  /** Which kinds to open, in turn: 0 raw TCP, 1 TLS without a certificate, 2 TLS with one (default all). */
  kinds?: number[];
  /**
   * Keep going past durationMs until this many were held at once (up to untilMs): on a busy
   * machine the stranger itself is slow to open them, and the test is of the agent's cap.
   */
  untilHeld?: number;
  untilMs?: number;
}

const plan = JSON.parse(process.argv[2]!) as Plan;
const identity = await loadOrCreateIdentity(plan.identityDir, { allowNew: true, hasTeam: false });
const [host, port] = [plan.target.slice(0, plan.target.lastIndexOf(':')), Number(plan.target.slice(plan.target.lastIndexOf(':') + 1))];
const started = Date.now();
/** Open connections: when each came up, and from which source address. */
const live = new Map<object, { upAt: number; from: string }>();
let maxHeld = 0;
let maxBusiestAddress = 0;
let maxHeldMs = 0;
let opened = 0;
let closedFast = 0;

/** Whether the flood goes on: its time, then (if asked) until it has held its target once. */
function going(): boolean {
  const elapsed = Date.now() - started;
  if (elapsed <= plan.durationMs) return true;
  return plan.untilHeld !== undefined && maxHeld < plan.untilHeld && elapsed <= (plan.untilMs ?? plan.durationMs);
}

function connect(slot: number): void {
  if (!going()) return;
  const localAddress = plan.addresses[slot % plan.addresses.length]!;
  const kinds = plan.kinds ?? [0, 1, 2];
  const kind = kinds[slot % kinds.length]!;
  let upAt = 0;
  const key = {};
  const up = (): void => {
    upAt = Date.now();
    opened++;
    live.set(key, { upAt, from: localAddress });
  };
  const tcp = net.connect({ host, port, localAddress });
  const socket =
    kind === 0 ? tcp : tls.connect({ socket: tcp, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...(kind === 2 ? { cert: identity.certPem, key: identity.keyPem } : {}) });
  if (kind !== 0) tcp.on('error', () => undefined);
  socket.once(kind === 0 ? 'connect' : 'secureConnect', up);
  socket.on('error', () => undefined);
  socket.on('data', () => undefined);
  socket.once('close', () => {
    const held = upAt ? Date.now() - upAt : 0;
    live.delete(key);
    if (held < 1000) closedFast++;
    else maxHeldMs = Math.max(maxHeldMs, held);
    setTimeout(() => connect(slot), held < 1000 ? plan.retryRefusedMs : plan.retryMs);
  });
}

for (let i = 0; i < plan.count; i++) {
  connect(i);
  if (i % 200 === 199) await new Promise((r) => setTimeout(r, 20)); // a burst, not one SYN storm
}
const report = (type: string): void => {
  const now = Date.now();
  const byAddress = new Map<string, number>();
  let held = 0;
  for (const c of live.values()) {
    if (now - c.upAt < 1000) continue;
    held++;
    byAddress.set(c.from, (byAddress.get(c.from) ?? 0) + 1);
  }
  const busiestAddress = Math.max(0, ...byAddress.values());
  maxHeld = Math.max(maxHeld, held);
  maxBusiestAddress = Math.max(maxBusiestAddress, busiestAddress);
  console.log(JSON.stringify({ type, t: now - started, held, busiestAddress, maxHeld, maxBusiestAddress, maxHeldMs, opened, closedFast }));
};
const timer = setInterval(() => {
  report('status');
  if (!going() && live.size === 0) {
    clearInterval(timer);
    report('done');
    process.exit(0);
  }
}, 250);
