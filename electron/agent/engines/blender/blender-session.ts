// Owns one Blender process kept alive for one .blend: started once, then given task after task,
// so a job pays Blender's start-up and the scene's loading once per worker instead of per frame.
// Blender always starts with --factory-startup (no add-ons or preferences of the worker's owner)
// and --disable-autoexec: a file from a teammate never runs its scripts here.
//
//   starting --ready--> idle --command--> busy --answer--> idle --quit--> ended
//       |                 |                 |
//       +-- exit/timeout -+-- cancel/exit --+--> ended (the task in hand fails with the last log lines)
//
// A crash, a time limit or a cancel kills the process; the task in hand fails with Blender's last
// lines, and the session is over (the engine starts another for the next task).

import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Sandbox, SandboxLaunch, SandboxPolicy } from '../../sandbox/sandbox.js';
import { sessionServerScript } from './blender-assets.js';
import { BlenderTaskError, type BlenderFailure } from './blender-errors.js';
import {
  ANSWER_FD,
  type SessionAnswer,
  type SessionCommandName,
  type SessionCommands,
  type SessionFacts,
} from './blender-session-protocol.js';
import { DEFAULT_LOG_LINES, LogTail } from './log-tail.js';

export interface BlenderSessionOptions {
  blenderPath: string;
  blendFile: string;
  /** The session script; assets/blender/session_server.py by default. */
  serverScript?: string;
  /** Render threads (Blender's -t); all cores when absent. */
  threads?: number;
  /** Start-up and loading the file; a huge scene on a slow disk needs more. */
  startTimeoutMs?: number;
  /** Run below normal priority, so the machine's owner comes first. Default true. */
  lowPriority?: boolean;
  logLines?: number;
  env?: NodeJS.ProcessEnv;
  /** Run in this sandbox with this policy (a teammate's file); without it Blender runs as the agent does. */
  contained?: { sandbox: Sandbox; policy: SandboxPolicy };
}

export interface CommandOptions {
  /** The task's time limit; past it Blender is killed and the task fails. No limit when absent. */
  timeoutMs?: number;
  /** Progress lines the command sends before its answer (e.g. `frame_done`). */
  onEvent?: (event: string, fields: Record<string, unknown>) => void;
}

/** A finished command: its result and what Blender printed while it ran. */
export interface TaskOutcome<T> {
  result: T;
  log: string[];
  elapsedMs: number;
}

const DEFAULT_START_TIMEOUT_MS = 120_000;
/** How long `quit` waits for Blender to exit by itself before killing it. */
const QUIT_GRACE_MS = 10_000;

interface Pending {
  id: number;
  name: string;
  resolve: (answer: { result: unknown }) => void;
  reject: (err: BlenderTaskError) => void;
  onEvent: CommandOptions['onEvent'];
  logMark: number;
}

/** Blender's render stats line for a sample ("… | Sample 12/64"), as Cycles prints it in the background. */
const SAMPLES_LINE = /\| Sample (\d+)\/(\d+)/g;
/** The engine's progress needs a few a second at most. */
const SAMPLES_EVERY_MS = 250;

export class BlenderSession {
  private readonly log: LogTail;
  private nextId = 1;
  private pending: Pending | null = null;
  private samplesToldAtMs = 0;
  /** Commands run one at a time: Blender has one main thread. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the process is being ended by us, so its exit is told as that and not as a crash. */
  private ending: { failure: BlenderFailure; message: string } | null = null;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;
  private onReady: ((facts: SessionFacts) => void) | null = null;

  private constructor(
    private readonly child: ChildProcess,
    logLines: number,
    private readonly launch: SandboxLaunch | null = null,
  ) {
    this.log = new LogTail(logLines);
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.log.push(chunk);
        this.reportSamples(chunk);
      });
    }
    // Blender gone: writes to its stdin fail with EPIPE, which the exit handler reports instead.
    child.stdin?.on('error', () => {});
    const answers = createInterface({ input: child.stdio[ANSWER_FD] as Readable, crlfDelay: Infinity });
    answers.on('line', (line) => this.onAnswer(line));
    this.exited = new Promise((resolve) => {
      child.once('error', (err) => {
        this.ending ??= { failure: 'start-failed', message: `Blender could not be started: ${err.message}` };
        this.exitInfo ??= { code: null, signal: null };
        this.failPending();
        resolve();
      });
      // 'close' comes after every pipe is drained: the last log lines are in by then.
      child.once('close', (code, signal) => {
        const said = this.launch?.stopReason();
        if (said) this.ending ??= { failure: 'sandbox-limit', message: `Blender was stopped by its sandbox: ${said}` };
        this.launch?.dispose();
        this.exitInfo = { code, signal };
        this.log.flush();
        this.failPending();
        resolve();
      });
    });
  }

  /** Starts Blender on `blendFile` and waits until the file is loaded and the session answers. */
  static async start(options: BlenderSessionOptions): Promise<{ session: BlenderSession; facts: SessionFacts }> {
    const script = options.serverScript ?? sessionServerScript();
    const threads = options.threads ? ['-t', String(options.threads)] : [];
    const args = ['-b', '--factory-startup', '--disable-autoexec', '-noaudio', ...threads, options.blendFile, '--python', script];
    const { contained } = options;
    const launch = contained ? contained.sandbox.launch(options.blenderPath, args, { ...contained.policy, lowPriority: options.lowPriority !== false }) : null;
    const child = spawn(launch?.command ?? options.blenderPath, launch?.args ?? args, {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
      env: { ...(launch?.env ?? options.env ?? process.env), TROUPE_ANSWER_FD: String(ANSWER_FD) },
      windowsHide: true,
    });
    // Contained, the launcher lowers the priority before Blender exists.
    if (!launch && options.lowPriority !== false && child.pid !== undefined) {
      try {
        // Before Blender starts its render threads, which inherit the priority on Linux.
        os.setPriority(child.pid, os.constants.priority.PRIORITY_BELOW_NORMAL);
      } catch {
        /* not allowed here: run at normal priority */
      }
    }
    const session = new BlenderSession(child, options.logLines ?? DEFAULT_LOG_LINES, launch);
    const facts = await session.waitReady(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    if (!facts.blendFile) {
      session.kill('start-failed', `Blender could not open ${options.blendFile}`);
      await session.exited;
      throw new BlenderTaskError('start-failed', `Blender could not open ${options.blendFile}`, session.log.last(20));
    }
    return { session, facts };
  }

  get alive(): boolean {
    return this.exitInfo === null && this.ending === null;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Blender's last output lines, oldest first. */
  /**
   * The running command's progress in samples, read from the render stats Blender prints
   * ("Fra:1 Mem:… | Sample 12/64"; its render_stats handler gets no text in 3.4), as "samples"
   * events at most every SAMPLES_EVERY_MS. A line cut between two chunks is simply missed.
   */
  private reportSamples(chunk: string): void {
    const pending = this.pending;
    if (!pending?.onEvent) return;
    let last: RegExpExecArray | null = null;
    for (const m of chunk.matchAll(SAMPLES_LINE)) last = m;
    const now = Date.now();
    if (!last || now - this.samplesToldAtMs < SAMPLES_EVERY_MS) return;
    this.samplesToldAtMs = now;
    pending.onEvent('samples', { done: Number(last[1]), total: Number(last[2]) });
  }

  logTail(count?: number): string[] {
    return this.log.last(count);
  }

  run<N extends SessionCommandName>(
    name: N,
    args: SessionCommands[N]['args'],
    options: CommandOptions = {},
  ): Promise<TaskOutcome<SessionCommands[N]['result']>> {
    const task = this.queue.then(() => this.send(name, args, options));
    this.queue = task.catch(() => {});
    return task as Promise<TaskOutcome<SessionCommands[N]['result']>>;
  }

  /** Kills Blender: the task in hand fails as cancelled. */
  cancel(reason = 'The task was cancelled'): Promise<void> {
    this.kill('cancelled', reason);
    return this.exited;
  }

  /** Asks the session to end, and kills Blender if it does not within a grace period. */
  async quit(): Promise<void> {
    if (this.exitInfo) return;
    if (!this.pending && this.alive) this.child.stdin?.write(JSON.stringify({ id: 0, cmd: 'quit' }) + '\n');
    this.child.stdin?.end();
    const timer = setTimeout(() => this.kill('cancelled', 'Blender did not quit when asked'), QUIT_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  private send(name: string, args: unknown, options: CommandOptions): Promise<TaskOutcome<unknown>> {
    if (!this.alive) return Promise.reject(this.endedError('The Blender session has ended', this.log.last(20)));
    const started = Date.now();
    return new Promise<TaskOutcome<unknown>>((resolve, reject) => {
      const id = this.nextId++;
      const logMark = this.log.mark();
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        this.pending = null;
      };
      this.pending = {
        id,
        name,
        logMark,
        onEvent: options.onEvent,
        resolve: ({ result }) => {
          settle();
          resolve({ result, log: this.log.since(logMark), elapsedMs: Date.now() - started });
        },
        reject: (err) => {
          settle();
          reject(err);
        },
      };
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () => this.kill('timed-out', `Blender took longer than ${Math.round(options.timeoutMs! / 1000)} s on ${name}`),
          options.timeoutMs,
        );
      }
      this.child.stdin?.write(JSON.stringify({ id, cmd: name, args }) + '\n');
    });
  }

  private waitReady(timeoutMs: number): Promise<SessionFacts> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => this.kill('start-failed', `Blender did not load the file within ${Math.round(timeoutMs / 1000)} s`),
        timeoutMs,
      );
      this.onReady = (facts) => {
        clearTimeout(timer);
        resolve(facts);
      };
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(this.endedError('Blender exited before the session was ready', this.log.last(20)));
      });
    });
  }

  private onAnswer(line: string): void {
    let answer: SessionAnswer;
    try {
      answer = JSON.parse(line) as SessionAnswer;
    } catch {
      this.log.push(`[troupe] unreadable answer: ${line.slice(0, 200)}\n`);
      return;
    }
    if ('event' in answer && answer.event === 'ready' && !('id' in answer)) {
      this.onReady?.(answer);
      this.onReady = null;
      return;
    }
    const pending = this.pending;
    if (!pending || !('id' in answer) || answer.id !== pending.id) return;
    if ('event' in answer) {
      const { id: _id, event, ...fields } = answer;
      pending.onEvent?.(event, fields);
    } else if (answer.ok) {
      pending.resolve({ result: answer.result });
    } else {
      const log = this.log.since(pending.logMark);
      pending.reject(new BlenderTaskError('command-failed', answer.error.message, log, answer.error.code));
    }
  }

  private kill(failure: BlenderFailure, message: string): void {
    if (this.exitInfo) return;
    this.ending ??= { failure, message };
    this.child.kill('SIGKILL');
  }

  private failPending(): void {
    const pending = this.pending;
    if (!pending) return;
    pending.reject(this.endedError(`Blender stopped during ${pending.name}`, this.log.last()));
  }

  /** The error for a session that ended: our reason if we ended it, else a crash with its exit status. */
  private endedError(fallback: string, logTail: string[]): BlenderTaskError {
    if (this.ending) return new BlenderTaskError(this.ending.failure, this.ending.message, logTail);
    // Contained, Blender is bubblewrap's child: a signal that ended it comes back as 128 + its number.
    const code = this.exitInfo?.code ?? null;
    const sandboxed = this.launch && code !== null && code > 128 ? signalName(code - 128) : null;
    const signal = this.exitInfo?.signal ?? sandboxed;
    const how = signal ? `killed by ${signal}` : `exit code ${code ?? 'unknown'}`;
    return new BlenderTaskError('crashed', `${fallback} (${how})`, logTail);
  }
}

function signalName(n: number): string | null {
  return Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0] ?? null;
}
