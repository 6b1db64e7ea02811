// Steps many integration tests share: pairing two agents the way a user would (the CLI on one
// side, approval on the other) and waiting on what the CLI reports.

import { expect } from 'vitest';
import type { AgentProcess } from './testbed.js';

/** `troupe pair` on `from`, `troupe accept` on `to`; returns the codes both sides showed. */
export async function pair(from: AgentProcess, to: AgentProcess): Promise<{ shownCode: string; requestCode: string }> {
  const mark = to.events.length;
  const proc = from.spawnCli(['pair', to.name]);
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number>((r) => proc.on('exit', (code) => r(code ?? -1)));
  const request = (await to.waitFor((e) => e.type === 'pairRequestReceived', 10_000, mark)).request as { requestId: string; code: string };
  to.cli(['accept', request.requestId]);
  expect(await exited).toBe(0);
  const lines = out.trim().split('\n');
  const first = JSON.parse(lines[0]!) as { code: string };
  const last = JSON.parse(lines.slice(1).join('\n')) as { state: string };
  expect(last.state).toBe('paired');
  return { shownCode: first.code, requestCode: request.code };
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs: number, what: string, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
