// Owns running an engine in a child process of its own (plain node, never electron), kept alive
// across tasks as the render threads were: one task at a time, progress and cancel over IPC,
// binary results on a pipe (payload-reader), and limits that make an input too big for this
// machine fail its task, never the agent. Measured on Linux (2026-11-28), the limits are:
//   - a watchdog here reads the child's resident memory (/proc/<pid>/status, every 50 ms while
//     a task runs) and kills it above its limit. Scenes and textures live in ArrayBuffers,
//     outside the JS heap, so --max-old-space-size alone would never stop them;
//   - --max-old-space-size still bounds the JS heap, which would otherwise grow to GiBs first;
//   - the child raises its own oom_score_adj to 1000 (engine-child), so if memory runs out
//     faster than the watchdog looks, the kernel kills the child and not the agent.
// Contained (a task that names the folders it may use, as every teammate's task does), the child
// runs in this machine's sandbox (../sandbox): then it is a launcher whose children do the work,
// memory and CPU are read over the process tree, and a task with another view of the disk (the
// next job's folders) gets a fresh child, so a job never sees another's files.
// RLIMIT_AS (prlimit) is not used: V8 reserves about 600 MiB of address space per worker thread
// (CodeRange) at start, so node with 8 threads did not start under a 4 GiB limit while resident
// in 112 MiB. Such a limit bounds reservations, not memory, and would depend on the core count.
//
//   none --run--> starting --ready--> idle --run--> busy --result / failed--> idle
//    ^               |                  |             |
//    +--- exit: crashed, over its memory limit, cancel not heeded, idle too long, closed ---+

import { fork, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { TroupeError, isErrorCode } from '../../../shared/errors.js';
import { EngineOutOfMemoryError, EngineStoppedError } from './engine-errors.js';
import { ENGINE_INTERACTIVE_ENV, PAYLOAD_FD, isChildMessage, type ChildMessage, type HostMessage } from './engine-protocol.js';
import { formatBytes } from './format-bytes.js';
import { PayloadReader } from './payload-reader.js';
import { readTreeRssBytes } from './process-rss.js';
import { platformSandbox } from '../sandbox/platform-sandbox.js';
import { codeFolders, type Sandbox, type SandboxLaunch } from '../sandbox/sandbox.js';
import { sourceHooksExecArgv } from './source-modules.js';
import { trackEngineProcess, untrackEngineProcess } from './engine-cpu.js';

const WATCH_INTERVAL_MS = 50;
const CANCEL_GRACE_MS = 2000;
const START_TIMEOUT_MS = 30_000;
const OUTPUT_TAIL_CHARS = 4000;

export interface EngineHostOptions {
  /** How the user hears of it: "the built-in renderer". */
  label: string;
  /** The child's entry module: compiled .js, or a .ts source (run through source-modules). */
  entry: URL;
  args?: string[];
  /** Resident memory (heap, ArrayBuffers, threads) above which the child is killed. */
  memoryLimitBytes: number;
  /** The child's --max-old-space-size. */
  heapLimitMb: number;
  /** An idle child exits after this long and frees what it holds; 0 keeps it. */
  idleTimeoutMs?: number;
  /** How long a cancelled task may take to stop before its process is killed. */
  cancelGraceMs?: number;
  /** The sandbox contained tasks run in (default: this machine's); tests pass their own. */
  sandbox?: Sandbox;
  /** Contained: processes and threads the child may have at once. */
  maxProcesses?: number;
  /** Contained: the largest file the child may write. */
  maxFileBytes?: number;
  /**
   * The owner waits on its answer (the check of a scene they submit): the child keeps the agent's
   * priority instead of yielding to every other program. Beside a busy owner's programs a
   * below-normal process got about a twentieth of a core, and the render form took over a minute.
   */
  interactive?: boolean;
}

/** The folders a contained task may use: nothing else of the disk exists for its process. */
export interface EngineView {
  readable: string[];
  writable: string[];
}

export interface EngineRunOptions {
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** The largest binary result this task may return; more kills the child. */
  maxPayloadBytes?: number;
  /** Memory this task may use on top of memoryLimitBytes, such as its output buffer. */
  extraMemoryBytes?: number;
  /** Run contained, seeing only these folders; without it the child runs as the agent does (the owner's own files). */
  view?: EngineView;
}

export interface EngineRunResult {
  value: unknown;
  payload: Uint8Array | null;
}

interface Task {
  id: number;
  limitBytes: number;
  payload: PayloadReader;
  options: EngineRunOptions;
  aborted: boolean;
  finish(error: Error | null, result?: EngineRunResult): void;
}

export class EngineHost {
  /** How many times a child was started (a restart after a failure counts). */
  starts = 0;
  /** The highest resident memory the watchdog saw during the last task. */
  lastTaskPeakRssBytes = 0;
  private child: ChildProcess | null = null;
  /** The running child's view of the disk ('' uncontained) and its sandbox launch. */
  private childView = '';
  private launch: SandboxLaunch | null = null;
  private starting: Promise<ChildProcess> | null = null;
  private onReady: (() => void) | null = null;
  private task: Task | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextTaskId = 1;
  private stopReason: Error | null = null;
  private outputTail = '';
  private reportedRssBytes = 0;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: EngineHostOptions) {}

  /** The running child's process id, if there is one. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Tasks run one after another in one child, started on the first task. */
  run(request: unknown, options: EngineRunOptions = {}): Promise<EngineRunResult> {
    const result = this.queue.then(() => this.runNow(request, options));
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    // An idle child is unref'd, and its end must still be heard: its exit, and its pipes closing
    // (contained, the engine inside the sandbox closes them a moment after its launcher exits).
    for (const h of [child, child.channel, ...child.stdio] as ({ ref?(): void } | null | undefined)[]) h?.ref?.();
    this.stop(new EngineStoppedError(`${this.options.label} was closed`));
    await exited;
  }

  private async runNow(request: unknown, options: EngineRunOptions): Promise<EngineRunResult> {
    const { signal } = options;
    if (this.closed) throw new EngineStoppedError(`${this.options.label} was closed`);
    signal?.throwIfAborted();
    const view = options.view ? JSON.stringify(options.view) : '';
    if (this.child && !this.starting && this.childView !== view) await this.restartFor();
    const child = await this.ensureStarted(options.view ?? null);
    signal?.throwIfAborted();
    return new Promise<EngineRunResult>((resolve, reject) => {
      let cancelTimer: NodeJS.Timeout | null = null;
      const watch = setInterval(() => this.watchMemory(task), WATCH_INTERVAL_MS);
      watch.unref();
      const onAbort = (): void => {
        task.aborted = true;
        this.send({ type: 'cancel', taskId: task.id });
        // A child busy in synchronous work (reading a scene) hears the cancel only when done.
        cancelTimer = setTimeout(() => this.stop(new EngineStoppedError('cancelled')), this.options.cancelGraceMs ?? CANCEL_GRACE_MS);
        cancelTimer.unref();
      };
      const task: Task = {
        id: this.nextTaskId++,
        limitBytes: this.options.memoryLimitBytes + (options.extraMemoryBytes ?? 0),
        payload: new PayloadReader(options.maxPayloadBytes ?? 0),
        options,
        aborted: false,
        finish: (error, result) => {
          if (this.task !== task) return;
          this.task = null;
          clearInterval(watch);
          if (cancelTimer) clearTimeout(cancelTimer);
          signal?.removeEventListener('abort', onAbort);
          this.setBusy(false);
          if (task.aborted) reject(signal!.reason ?? new DOMException('The task was aborted', 'AbortError'));
          else if (error) reject(error);
          else resolve(result!);
        },
      };
      this.task = task;
      this.lastTaskPeakRssBytes = 0;
      this.setBusy(true);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (child !== this.child) task.finish(new EngineStoppedError(`${this.options.label} stopped before the task began`));
      else this.send({ type: 'run', taskId: task.id, request });
    });
  }

  private ensureStarted(view: EngineView | null): Promise<ChildProcess> {
    if (this.child && !this.starting) return Promise.resolve(this.child);
    this.starting ??= this.start(view).finally(() => (this.starting = null));
    return this.starting;
  }

  /** Ends the idle child, which sees another job's folders; the next task starts one for its own. */
  private async restartFor(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    this.stop(new EngineStoppedError(`${this.options.label} was restarted for another job`));
    await exited;
  }

  private start(view: EngineView | null): Promise<ChildProcess> {
    const { entry, heapLimitMb, args = [] } = this.options;
    const path = fileURLToPath(entry);
    const nodeFlags = [`--max-old-space-size=${heapLimitMb}`, '--expose-gc', ...(path.endsWith('.ts') ? sourceHooksExecArgv() : [])];
    const launch = view ? this.contain(path, view, nodeFlags) : null;
    // stdout too is a pipe: the agent's own stdout carries its --json events.
    const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'pipe', 'pipe', 'pipe', 'ipc'];
    const interactive = this.options.interactive ? { [ENGINE_INTERACTIVE_ENV]: '1' } : {};
    const child = launch
      ? fork(path, args, { execPath: launch.command, execArgv: launch.args, env: { ...launch.env, ...interactive }, serialization: 'advanced', stdio })
      : fork(path, args, { execArgv: nodeFlags, env: { ...process.env, ...interactive }, serialization: 'advanced', stdio });
    this.child = child;
    this.childView = view ? JSON.stringify(view) : '';
    this.launch = launch;
    trackEngineProcess(child.pid);
    child.once('exit', () => untrackEngineProcess(child.pid));
    this.starts++;
    this.outputTail = '';
    this.reportedRssBytes = 0;
    this.stopReason = null;
    const keepTail = (chunk: Buffer): void => {
      this.outputTail = (this.outputTail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout!.on('data', keepTail);
    child.stderr!.on('data', keepTail);
    (child.stdio[PAYLOAD_FD] as Socket).on('data', (chunk: Buffer) => this.payloadBytes(chunk));
    child.on('message', (message: unknown) => this.message(message));
    child.on('error', (err) => keepTail(Buffer.from(`\n${err.message}\n`)));
    this.setBusy(true);
    return new Promise<ChildProcess>((resolve, reject) => {
      const timer = setTimeout(() => this.stop(new EngineStoppedError(`${this.options.label} did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      this.onReady = () => {
        clearTimeout(timer);
        this.onReady = null;
        resolve(child);
      };
      // 'close', not 'exit': by then stderr has been read to its end, and with it the last error.
      child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        const why = this.exited(child, code, signal);
        if (this.onReady) {
          this.onReady = null;
          reject(why);
        }
      });
    });
  }

  /** The sandbox launch for a child that sees only `view`: node, its flags, then (from fork) the entry and args. */
  private contain(entryPath: string, view: EngineView, nodeFlags: string[]): SandboxLaunch {
    const { label, memoryLimitBytes } = this.options;
    return (this.options.sandbox ?? platformSandbox()).launch(process.execPath, nodeFlags, {
      label,
      readable: [...codeFolders(entryPath, process.execPath), ...view.readable],
      writable: view.writable,
      // The watchdog stops a task at its own limit and says why; this is the bound it cannot be outrun past.
      memoryBytes: Math.round(memoryLimitBytes * 1.5) + 256 * 2 ** 20,
      maxProcesses: this.options.maxProcesses ?? 256,
      maxFileBytes: this.options.maxFileBytes ?? 4 * 2 ** 30,
      tmpBytes: 64 * 2 ** 20,
    });
  }

  private message(raw: unknown): void {
    if (!isChildMessage(raw)) return;
    const message: ChildMessage = raw;
    const task = this.task;
    if (message.type === 'ready') this.onReady?.();
    else if (message.type === 'memory') this.reportedRssBytes = message.rssBytes;
    else if (!task || message.taskId !== task.id) return;
    else if (message.type === 'progress') {
      if (!task.aborted) task.options.onProgress?.(message.done, message.total);
    } else if (message.type === 'failed') {
      const { code, message: text } = message.error;
      task.finish(new TroupeError(isErrorCode(code) ? code : 'internal', String(text)));
    } else if (message.type === 'result') {
      if (message.payloadBytes === 0) task.finish(null, { value: message.value, payload: null });
      else {
        task.payload.take(message.payloadBytes).then(
          (payload) => task.finish(null, { value: message.value, payload }),
          (err: Error) => this.protocolError(err),
        );
      }
    }
  }

  private payloadBytes(chunk: Buffer): void {
    try {
      if (!this.task) throw new Error('it sent result bytes with no task running');
      this.task.payload.push(chunk);
    } catch (err) {
      this.protocolError(err as Error);
    }
  }

  private protocolError(err: Error): void {
    this.stop(new EngineStoppedError(`${this.options.label} was stopped: ${err.message}`));
  }

  private watchMemory(task: Task): void {
    const pid = this.child?.pid;
    if (pid === undefined || this.task !== task) return;
    const rss = readTreeRssBytes(pid) ?? this.reportedRssBytes;
    this.lastTaskPeakRssBytes = Math.max(this.lastTaskPeakRssBytes, rss);
    if (rss <= task.limitBytes) return;
    this.stop(
      new EngineOutOfMemoryError(
        `${this.options.label} needed more than the ${formatBytes(task.limitBytes)} of memory it may use on this machine ` +
          `(it reached ${formatBytes(rss)}) and was stopped; the scene is too large for this machine`,
      ),
    );
  }

  /** Why the child's exit failed its task: the reason it was stopped for, or what it left on stderr. */
  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Error {
    const sandboxSaid = this.child === child ? this.launch?.stopReason() : null;
    const why = this.stopReason ?? (sandboxSaid ? this.sandboxStop(sandboxSaid) : this.crashReason(code, signal));
    if (this.child === child) {
      this.launch?.dispose();
      this.launch = null;
      this.childView = '';
      this.child = null;
      this.stopReason = null;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      this.task?.finish(why);
    }
    return why;
  }

  private sandboxStop(said: string): Error {
    const text = `${this.options.label} was stopped by its sandbox: ${said}`;
    return /memory/.test(said) ? new EngineOutOfMemoryError(`${text}; the scene is too large for this machine`) : new EngineStoppedError(text);
  }

  private crashReason(code: number | null, signal: NodeJS.Signals | null): Error {
    const { label, heapLimitMb } = this.options;
    const tail = this.outputTail;
    if (/Reached heap limit|JavaScript heap out of memory|process out of memory/i.test(tail)) {
      return new EngineOutOfMemoryError(`${label} ran out of memory: its JavaScript heap may hold ${heapLimitMb} MiB; the scene is too large for this machine`);
    }
    // Contained, the engine is bubblewrap's child: a signal that ended it comes back as 128 + its number.
    if (signal === 'SIGKILL' || (this.childView !== '' && code === 128 + 9)) {
      return new EngineOutOfMemoryError(`${label} was killed by the system (SIGKILL), most likely because this machine ran out of memory`);
    }
    const lines = tail.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !l.startsWith('Node.js v'));
    const last = [...lines].reverse().find((l) => /^[A-Za-z]*Error\b/.test(l)) ?? lines.at(-1);
    return new EngineStoppedError(`${label} stopped unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})${last ? `: ${last.slice(0, 300)}` : ''}`);
  }

  /** Kills the child (if any) for `reason`, which its exit then reports. */
  private stop(reason: Error): void {
    if (!this.child) return;
    this.stopReason ??= reason;
    this.child.kill('SIGKILL');
  }

  private send(message: HostMessage): void {
    // A closed channel means the child is exiting; its exit reports what happened.
    this.child?.send(message, () => undefined);
  }

  /** A busy child keeps the agent's event loop alive; an idle one must not, and ends after a while. */
  private setBusy(busy: boolean): void {
    const child = this.child;
    if (!child) return;
    const handles = [child, child.channel, ...child.stdio] as ({ ref?(): void; unref?(): void } | null | undefined)[];
    for (const h of handles) {
      if (busy) h?.ref?.();
      else h?.unref?.();
    }
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const idleMs = this.options.idleTimeoutMs ?? 0;
    if (!busy && idleMs > 0) {
      this.idleTimer = setTimeout(() => {
        if (!this.task) this.stop(new EngineStoppedError(`${this.options.label} was idle`));
      }, idleMs);
      this.idleTimer.unref();
    }
  }
}
