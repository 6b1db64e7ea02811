import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AgentEndpoint } from '../../../../electron/main/agent-endpoint.js';
import { AgentSupervisor, type AgentProcess, type SupervisorState } from '../../../../electron/main/agent-supervisor.js';
import { restartDelayMs } from '../../../../electron/main/restart-backoff.js';

/** A fake agent process: it "answers" once `up` is set, and exits when told. */
class FakeProcess implements AgentProcess {
  static nextPid = 100;
  readonly pid = FakeProcess.nextPid++;
  killed = false;
  exited = false;
  private exitListener: ((code: number | null) => void) | null = null;
  onExit(listener: (code: number | null) => void): void {
    this.exitListener = listener;
  }
  kill(): void {
    this.killed = true;
    this.exit(null);
  }
  exit(code: number | null): void {
    this.exited = true;
    const l = this.exitListener;
    this.exitListener = null;
    l?.(code);
  }
}

function harness(opts: { external?: AgentEndpoint | null; answersAfterLaunch?: boolean } = {}) {
  const states: SupervisorState[] = [];
  const processes: FakeProcess[] = [];
  let external = opts.external ?? null;
  let ours: AgentEndpoint | null = null;
  const world = {
    states,
    processes,
    setExternal: (e: AgentEndpoint | null) => (external = e),
    /** Our latest process starts answering on this endpoint. */
    up: (e: AgentEndpoint) => (ours = e),
    down: () => (ours = null),
  };
  const supervisor = new AgentSupervisor(
    {
      probe: async () => external ?? (processes.some((p) => !p.exited) ? ours : null),
      launch: () => {
        const p = new FakeProcess();
        processes.push(p);
        if (opts.answersAfterLaunch) ours = { port: 4000 + processes.length, token: 't' };
        return p;
      },
      onState: (s) => states.push(s),
      log: () => undefined,
    },
    { readyTimeoutMs: 2000, pollMs: 100, healthCheckMs: 1000, unansweredChecks: 2, stableMs: 10_000, stopTimeoutMs: 500 },
  );
  return { supervisor, world };
}

const kinds = (states: SupervisorState[]) => states.map((s) => s.kind);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('AgentSupervisor', () => {
  it('uses an agent that already answers for the data directory and starts none', async () => {
    const { supervisor, world } = harness({ external: { port: 3000, token: 'x' } });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(supervisor.state).toEqual({ kind: 'attached', endpoint: { port: 3000, token: 'x' } });
    expect(supervisor.endpoint).toEqual({ port: 3000, token: 'x' });
    expect(world.processes).toHaveLength(0);
    await supervisor.stop();
    expect(kinds(world.states).at(-1)).toBe('stopped');
  });

  it('starts an agent when none answers, and runs it once it answers', async () => {
    const { supervisor, world } = harness({ answersAfterLaunch: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(supervisor.state.kind).toBe('launching');
    expect(supervisor.endpoint).toBeNull();
    await vi.advanceTimersByTimeAsync(100);
    expect(supervisor.state).toMatchObject({ kind: 'running', endpoint: { port: 4001 }, pid: world.processes[0]!.pid });
    expect(kinds(world.states)).toEqual(['probing', 'launching', 'running']);
  });

  it('restarts a crashed agent with growing delays, and from the first delay after a stable run', async () => {
    const { supervisor, world } = harness({ answersAfterLaunch: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(100);
    world.processes[0]!.exit(1);
    expect(supervisor.state).toMatchObject({ kind: 'waiting', failures: 1 });
    await vi.advanceTimersByTimeAsync(restartDelayMs(0) + 100);
    expect(world.processes).toHaveLength(2);
    expect(supervisor.state.kind).toBe('running');
    world.processes[1]!.exit(1);
    expect(supervisor.state).toMatchObject({ kind: 'waiting', failures: 2 });
    await vi.advanceTimersByTimeAsync(restartDelayMs(0) + 100);
    expect(world.processes).toHaveLength(2); // second delay is longer
    await vi.advanceTimersByTimeAsync(restartDelayMs(1));
    expect(world.processes).toHaveLength(3);
    expect(supervisor.state.kind).toBe('running');
    // Up long enough: the next crash starts from the first delay again.
    await vi.advanceTimersByTimeAsync(10_000);
    world.processes[2]!.exit(1);
    expect(supervisor.state).toMatchObject({ kind: 'waiting', failures: 1 });
  });

  it('kills an agent that does not answer in time, and tries again', async () => {
    const { supervisor, world } = harness();
    supervisor.start();
    await vi.advanceTimersByTimeAsync(2100);
    expect(world.processes[0]!.killed).toBe(true);
    expect(supervisor.state.kind).toBe('waiting');
    world.up({ port: 4100, token: 't' });
    await vi.advanceTimersByTimeAsync(restartDelayMs(0) + 100);
    expect(world.processes).toHaveLength(2);
    expect(supervisor.state).toMatchObject({ kind: 'running', endpoint: { port: 4100 } });
  });

  it('kills our agent when it stops answering (hung), then restarts it', async () => {
    const { supervisor, world } = harness({ answersAfterLaunch: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(100);
    world.down();
    await vi.advanceTimersByTimeAsync(2000);
    expect(world.processes[0]!.killed).toBe(true);
    expect(supervisor.state.kind).toBe('waiting');
  });

  it('starts its own agent when the one it was using goes away, and follows one that moved', async () => {
    const { supervisor, world } = harness({ external: { port: 3000, token: 'x' }, answersAfterLaunch: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(0);
    world.setExternal({ port: 3001, token: 'y' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(supervisor.endpoint).toEqual({ port: 3001, token: 'y' });
    world.setExternal(null);
    await vi.advanceTimersByTimeAsync(2000);
    expect(world.processes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(supervisor.state.kind).toBe('running');
  });

  it('stop() kills only the agent it started and schedules nothing more', async () => {
    const { supervisor, world } = harness({ answersAfterLaunch: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(100);
    await supervisor.stop();
    expect(world.processes[0]!.killed).toBe(true);
    expect(supervisor.state.kind).toBe('stopped');
    await vi.advanceTimersByTimeAsync(120_000);
    expect(world.processes).toHaveLength(1);
  });

  it('stop() gives up waiting for an agent that does not exit', async () => {
    const { supervisor, world } = harness({ answersAfterLaunch: true });
    supervisor.start();
    await vi.advanceTimersByTimeAsync(100);
    world.processes[0]!.kill = () => undefined; // ignores SIGTERM
    const stopping = supervisor.stop();
    await vi.advanceTimersByTimeAsync(500);
    await expect(stopping).resolves.toBeUndefined();
  });
});

describe('restartDelayMs', () => {
  it('doubles from one second to a minute', () => {
    expect([0, 1, 2, 3, 6, 7, 100].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 8000, 60_000, 60_000, 60_000]);
    expect(restartDelayMs(2, { firstMs: 250, maxMs: 5000 })).toBe(1000);
  });
});
