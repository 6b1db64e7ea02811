// Owns the agent's life as the app sees it: use the agent of our data directory if one already
// answers (the CLI and the app share it), otherwise start one and restart it with backoff when it
// dies; stop the one we started, and only that one, when the app quits. How a process is started
// (Electron's utilityProcess) and how an agent is asked whether it is there are given to it, so
// this state machine is tested in plain Node.
//
//   start()
//     │
//     ▼              answers
//   probing ─────────────────────────────▶ attached (someone else's agent)
//     │  ▲  no answer                          │ stops answering
//     │  └─────────────────────────────────────┘
//     ▼
//   launching ──answers──▶ running (ours) ──exit, or hung──▶ waiting (backoff) ──▶ probing
//     │ exit, or no answer in readyTimeoutMs                     ▲
//     └──────────────────────────────────────────────────────────┘
//   any ──stop()──▶ stopped (our process killed, waited for)

import type { AgentEndpoint } from './agent-endpoint.js';
import { AGENT_RESTART_BACKOFF, restartDelayMs, type BackoffOptions } from './restart-backoff.js';

export type SupervisorState =
  | { kind: 'idle' }
  | { kind: 'probing' }
  | { kind: 'launching'; pid: number | undefined }
  | { kind: 'running'; endpoint: AgentEndpoint; pid: number | undefined }
  | { kind: 'attached'; endpoint: AgentEndpoint }
  | { kind: 'waiting'; retryAtMs: number; failures: number }
  | { kind: 'stopped' };

/** A started agent process, as the supervisor needs it. */
export interface AgentProcess {
  readonly pid: number | undefined;
  /** Called once, when the process has exited (by itself or killed). */
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface SupervisorDeps {
  /** The endpoint of an agent for our data directory that answers now, or null. */
  probe(): Promise<AgentEndpoint | null>;
  /** Starts an agent for our data directory. */
  launch(): AgentProcess;
  onState(state: SupervisorState): void;
  log(line: string): void;
}

export interface SupervisorOptions {
  /** How long a new agent may take before it answers (first start makes its identity). */
  readyTimeoutMs: number;
  pollMs: number;
  healthCheckMs: number;
  /** Failed checks in a row before an agent is given up: someone else's, or ours (then killed). */
  unansweredChecks: number;
  /** An agent that ran this long had no crash loop: the next restart starts from the first delay. */
  stableMs: number;
  /** How long stop() waits for our agent to exit. */
  stopTimeoutMs: number;
  backoff: BackoffOptions;
}

export const DEFAULT_SUPERVISOR_OPTIONS: SupervisorOptions = {
  readyTimeoutMs: 30_000,
  pollMs: 250,
  healthCheckMs: 5000,
  unansweredChecks: 3,
  stableMs: 60_000,
  stopTimeoutMs: 5000,
  backoff: AGENT_RESTART_BACKOFF,
};

export class AgentSupervisor {
  private current: SupervisorState = { kind: 'idle' };
  private child: AgentProcess | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped on every transition: an answer that arrives for an older state is dropped. */
  private generation = 0;
  private failures = 0;
  private runningSinceMs = 0;
  private unanswered = 0;
  private readonly options: SupervisorOptions;
  private childExited: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: SupervisorDeps,
    options: Partial<SupervisorOptions> = {},
  ) {
    this.options = { ...DEFAULT_SUPERVISOR_OPTIONS, ...options };
  }

  get state(): SupervisorState {
    return this.current;
  }

  /** The agent to talk to now, ours or not; null while there is none. */
  get endpoint(): AgentEndpoint | null {
    return this.current.kind === 'running' || this.current.kind === 'attached' ? this.current.endpoint : null;
  }

  start(): void {
    if (this.current.kind === 'idle') void this.probe();
  }

  /** Stops the agent we started (someone else's keeps running) and everything we scheduled. */
  async stop(): Promise<void> {
    if (this.current.kind === 'stopped') return this.childExited;
    this.enter({ kind: 'stopped' });
    const child = this.child;
    if (!child) return;
    this.deps.log(`stopping the agent (pid ${child.pid})`);
    child.kill();
    let timeout: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.childExited, new Promise<void>((resolve) => (timeout = setTimeout(resolve, this.options.stopTimeoutMs)))]);
    clearTimeout(timeout);
  }

  private async probe(): Promise<void> {
    const generation = this.enter({ kind: 'probing' });
    const found = await this.deps.probe();
    if (generation !== this.generation) return;
    if (found) {
      this.deps.log(`using the agent already running on port ${found.port}`);
      this.enter({ kind: 'attached', endpoint: found });
      this.scheduleHealthCheck();
    } else {
      this.launch();
    }
  }

  private launch(): void {
    let child: AgentProcess;
    try {
      child = this.deps.launch();
    } catch (err) {
      this.deps.log(`could not start the agent: ${err instanceof Error ? err.message : String(err)}`);
      return this.backOff();
    }
    this.child = child;
    this.childExited = new Promise((resolve) =>
      child.onExit((code) => {
        resolve();
        this.exited(child, code);
      }),
    );
    const generation = this.enter({ kind: 'launching', pid: child.pid });
    this.deps.log(`started the agent (pid ${child.pid})`);
    const deadline = Date.now() + this.options.readyTimeoutMs;
    const poll = async (): Promise<void> => {
      const found = await this.deps.probe();
      if (generation !== this.generation) return;
      if (found) {
        this.runningSinceMs = Date.now();
        this.enter({ kind: 'running', endpoint: found, pid: child.pid });
        this.scheduleHealthCheck();
      } else if (Date.now() >= deadline) {
        this.deps.log(`the agent did not answer within ${this.options.readyTimeoutMs / 1000} s; stopping it`);
        child.kill(); // its exit backs off and tries again
      } else {
        this.timer = setTimeout(() => void poll(), this.options.pollMs);
      }
    };
    this.timer = setTimeout(() => void poll(), this.options.pollMs);
  }

  private exited(child: AgentProcess, code: number | null): void {
    if (child !== this.child) return;
    this.child = null;
    if (this.current.kind === 'stopped') return;
    this.deps.log(`the agent exited (code ${code})`);
    if (this.current.kind === 'running' && Date.now() - this.runningSinceMs >= this.options.stableMs) this.failures = 0;
    this.backOff();
  }

  private backOff(): void {
    const delayMs = restartDelayMs(this.failures, this.options.backoff);
    this.failures++;
    this.enter({ kind: 'waiting', retryAtMs: Date.now() + delayMs, failures: this.failures });
    this.timer = setTimeout(() => void this.probe(), delayMs);
  }

  private scheduleHealthCheck(): void {
    const generation = this.generation;
    this.unanswered = 0;
    const check = async (): Promise<void> => {
      const found = await this.deps.probe();
      if (generation !== this.generation) return;
      const state = this.current;
      if (state.kind !== 'running' && state.kind !== 'attached') return;
      if (found) {
        this.unanswered = 0;
        // Someone else's agent restarted on another port: follow it.
        if (state.kind === 'attached' && (found.port !== state.endpoint.port || found.token !== state.endpoint.token)) {
          this.current = { kind: 'attached', endpoint: found };
          this.deps.onState(this.current);
        }
      } else if (++this.unanswered >= this.options.unansweredChecks) {
        if (state.kind === 'attached') {
          this.deps.log('the agent we were using stopped answering');
          return void this.probe();
        }
        this.deps.log('our agent stopped answering; restarting it');
        this.child?.kill(); // its exit backs off and starts another
        return;
      }
      this.timer = setTimeout(() => void check(), this.options.healthCheckMs);
    };
    this.timer = setTimeout(() => void check(), this.options.healthCheckMs);
  }

  private enter(state: SupervisorState): number {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.current = state;
    this.deps.onState(state);
    return ++this.generation;
  }
}
