import os from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineHost, type EngineHostOptions } from '../../../../../electron/agent/engines/engine-host.js';
import { readRssBytes } from '../../../../../electron/agent/engines/process-rss.js';
import { TroupeError } from '../../../../../shared/errors.js';
import { alive } from '../../../../support/process-stats.js';

const MiB = 2 ** 20;
const ENTRY = new URL('./test-engine-child.ts', import.meta.url);
const hosts: EngineHost[] = [];
afterAll(() => Promise.all(hosts.map((h) => h.close())));

function host(options: Partial<EngineHostOptions> = {}): EngineHost {
  const h = new EngineHost({ label: 'the test engine', entry: ENTRY, memoryLimitBytes: 1024 * MiB, heapLimitMb: 256, ...options });
  hosts.push(h);
  return h;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('EngineHost', () => {
  it('runs tasks one after another in one kept-alive process, with progress and binary results', async () => {
    const h = host();
    expect((await h.run({ kind: 'echo', value: { a: [1, 2] } })).value).toEqual({ a: [1, 2] });
    const pid = h.pid!;
    const steps: string[] = [];
    await h.run({ kind: 'progress', steps: 3 }, { onProgress: (done, total) => steps.push(`${done}/${total}`) });
    expect(steps).toEqual(['1/3', '2/3', '3/3']);
    const { payload } = await h.run({ kind: 'payload', bytes: 5 * MiB + 3 }, { maxPayloadBytes: 6 * MiB });
    expect(payload!.byteLength).toBe(5 * MiB + 3);
    expect(payload![MiB + 7]).toBe((MiB + 7) & 0xff);
    const [a, b] = await Promise.all([h.run({ kind: 'echo', value: 1 }), h.run({ kind: 'echo', value: 2 })]);
    expect([a.value, b.value]).toEqual([1, 2]);
    expect(h.pid).toBe(pid);
    expect(h.starts).toBe(1);
  });

  it('starts plain node with a heap limit, and asks the kernel to kill it before the agent', async () => {
    const { value } = await host({ heapLimitMb: 300 }).run({ kind: 'info' });
    const info = value as { oomScoreAdj: string; execArgv: string[]; priority: number };
    expect(info.oomScoreAdj).toBe('1000');
    // Below normal: the owner's programs, the agent and the app's window come first.
    expect(info.priority).toBe(10);
    expect(info.execArgv).toContain('--max-old-space-size=300');
    expect(process.versions.electron).toBeUndefined();
  });

  it('an engine the owner waits on (the check of their own scene) keeps the agent\'s priority', async () => {
    const { value } = await host({ interactive: true }).run({ kind: 'info' });
    expect((value as { priority: number }).priority).toBe(os.getPriority());
  });

  it('passes an engine refusal on with its code and words', async () => {
    const err = await failure(host().run({ kind: 'refuse' }));
    expect(err).toBeInstanceOf(TroupeError);
    expect(err).toMatchObject({ code: 'bad-scene', message: 'that scene is refused' });
  });

  it('kills a child above its memory limit (ArrayBuffers, outside the JS heap), and starts a new one for the next task', async () => {
    const h = host({ memoryLimitBytes: 200 * MiB });
    await h.run({ kind: 'echo', value: 0 });
    const pid = h.pid!;
    const rssBefore = process.memoryUsage.rss();
    const err = await failure(h.run({ kind: 'hold', mib: 400, ms: 30_000 }));
    expect(err).toMatchObject({ code: 'bad-scene' });
    expect(err.message).toMatch(
      /^the test engine needed more than the 200 MiB of memory it may use on this machine \(it reached [\d.]+ MiB\) and was stopped/,
    );
    expect(h.lastTaskPeakRssBytes).toBeGreaterThan(200 * MiB);
    expect(h.lastTaskPeakRssBytes).toBeLessThan(400 * MiB); // stopped on the way up
    expect(alive(pid)).toBe(false);
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(20 * MiB);
    // A task's own allowance comes on top of the limit.
    expect((await h.run({ kind: 'hold', mib: 250, ms: 200 }, { extraMemoryBytes: 300 * MiB })).value).toBe(250);
    expect(h.starts).toBe(2);
    expect(h.pid).not.toBe(pid);
  });

  it('reports a JS heap that outgrows --max-old-space-size as running out of memory', async () => {
    const err = await failure(host({ heapLimitMb: 64 }).run({ kind: 'heap' }));
    expect(err.message).toMatch(/^the test engine ran out of memory: its JavaScript heap may hold 64 MiB/);
  });

  it('fails the task with the last error a crashed child printed, then runs the next one', async () => {
    const h = host();
    const err = await failure(h.run({ kind: 'crash' }));
    expect(err).toMatchObject({ code: 'internal' });
    expect(err.message).toMatch(/^the test engine stopped unexpectedly \(exit code 1\): Error: boom in the engine$/);
    expect((await h.run({ kind: 'echo', value: 'again' })).value).toBe('again');
  });

  it('cancels a task that listens, and kills one that does not after the grace period', async () => {
    const h = host({ cancelGraceMs: 300 });
    const polite = new AbortController();
    const waiting = h.run({ kind: 'wait' }, { signal: polite.signal });
    setTimeout(() => polite.abort(), 1500);
    expect(await failure(waiting)).toMatchObject({ name: 'AbortError' });
    expect(h.starts).toBe(1);
    expect(alive(h.pid!)).toBe(true); // it stopped by itself

    const deaf = new AbortController();
    // It would spin for 10 minutes: only killing it ends this before the test's own timeout.
    const spinning = h.run({ kind: 'spin', ms: 600_000 }, { signal: deaf.signal });
    setTimeout(() => deaf.abort(), 300);
    expect(await failure(spinning)).toMatchObject({ name: 'AbortError' });
    expect((await h.run({ kind: 'echo', value: 'after' })).value).toBe('after');
    expect(h.starts).toBe(2); // the deaf one was killed
  });

  it('refuses a result larger than the task may return, without allocating it', async () => {
    const h = host();
    const err = await failure(h.run({ kind: 'payload', bytes: 4 * MiB }, { maxPayloadBytes: MiB }));
    expect(err.message).toMatch(/was stopped: it sent a result of 4194304 bytes where at most 1048576 were expected/);
  });

  it('ends an idle child after its idle time, and starts again on demand', async () => {
    const h = host({ idleTimeoutMs: 200 });
    await h.run({ kind: 'echo', value: 1 });
    const pid = h.pid!;
    // Ended by its idle timer, however late a busy machine fires it (the deadline only catches a hang).
    for (const end = Date.now() + 30_000; h.pid !== undefined && Date.now() < end; ) await new Promise((r) => setTimeout(r, 20));
    expect(h.pid).toBeUndefined();
    expect(alive(pid)).toBe(false);
    expect((await h.run({ kind: 'echo', value: 2 })).value).toBe(2);
    expect(h.starts).toBe(2);
  });

  it('reads a process resident memory from /proc', () => {
    const rss = readRssBytes(process.pid)!;
    expect(Math.abs(rss - process.memoryUsage.rss())).toBeLessThan(64 * MiB);
    expect(readRssBytes(2 ** 22 + 12345)).toBeNull();
  });
});
