// Steps many integration tests share: pairing two agents the way a user would (the CLI on one
// side, approval on the other) and waiting on what the CLI reports.

import { expect } from 'vitest';
import { hangDeadline, type AgentProcess, type Testbed } from './testbed.js';

/**
 * Pairing as two people do it: `troupe pair` on `from` shows a code; `to` shows its request with a
 * code; the codes are compared; `from` confirms (`troupe confirm`) and `to` approves (`troupe
 * accept`). Returns the codes both sides showed.
 */
export async function pair(from: AgentProcess, to: AgentProcess, target: string = to.name): Promise<{ shownCode: string; requestCode: string }> {
  const mark = to.events.length;
  const proc = from.spawnCli(['pair', target]);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? -1)));
  const request = (await to.waitFor((e) => e.type === 'pairRequestReceived', 10_000, mark)).request as { requestId: string; code: string };
  const first = JSON.parse(await eventually(() => out.split('\n')[0] || undefined, 5000, 'the pairing code')) as { pairingId: string; code: string };
  expect(first.code).toBe(request.code); // the people compare: same code on both screens
  await from.cli(['confirm', first.pairingId]);
  await to.cli(['accept', request.requestId]);
  expect(await exited, out).toBe(0);
  const last = JSON.parse(out.trim().split('\n').slice(1).join('\n')) as { state: string };
  expect(last.state).toBe('paired');
  return { shownCode: first.code, requestCode: request.code };
}

/**
 * Polls `check` until it returns a value (not undefined/false) or the time is up. The deadline only
 * catches hangs (at least HANG_FLOOR_MS, whatever is asked).
 */
export async function eventually<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  requestedMs: number,
  what: string,
  intervalMs = 250,
): Promise<T> {
  const timeoutMs = hangDeadline(requestedMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Two agents, alpha and beta, each on a host of its own, paired, with beta online and (if given)
 * advertising `engine`. `pinned`: each agent on one core of its own (benchmarks of scaling).
 */
export async function pairedTeamOfTwo(
  bed: Testbed,
  options: { engine?: string; pinned?: boolean; alphaEnv?: Record<string, string> } = {},
): Promise<[AgentProcess, AgentProcess]> {
  const hosts = [bed.addHost(), bed.addHost()];
  const a = bed.agent(hosts[0]!, 'alpha');
  const b = bed.agent(hosts[1]!, 'beta');
  await Promise.all([a.start([], options.pinned ? 0 : undefined, options.alphaEnv ?? {}), b.start([], options.pinned ? 1 : undefined)]);
  await a.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as unknown[]).length >= 1, 10_000);
  await pair(a, b);
  type Member = { self: boolean; online: boolean; capacity: { engines?: { id: string }[] } | null };
  await eventually(
    async () => (await a.cli<{ members: Member[] }>(['team'])).members.some((m) => !m.self && m.online && (!options.engine || m.capacity?.engines?.some((e) => e.id === options.engine))),
    15_000,
    `beta online${options.engine ? ` advertising ${options.engine}` : ''}`,
  );
  return [a, b];
}
