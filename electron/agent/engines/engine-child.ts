// Owns the child's side of an engine host: it takes tasks one at a time, runs them with an abort
// signal and progress, writes binary results to the payload pipe, and stays out of the agent's
// way: the kernel is asked to kill it first under memory pressure, and it exits when the agent
// goes away (the IPC channel closes), so no orphan keeps a scene in memory.

import { writeFileSync } from 'node:fs';
import { Socket } from 'node:net';
import os from 'node:os';
import { toErrorBody } from '../../../shared/errors.js';
import { ENGINE_INTERACTIVE_ENV, PAYLOAD_FD, PAYLOAD_HEADER_BYTES, type ChildMessage, type HostMessage } from './engine-protocol.js';

const MEMORY_REPORT_MS = 250;

export interface EngineTaskContext {
  signal: AbortSignal;
  progress(done: number, total: number): void;
}

export interface EngineTaskResult {
  value: unknown;
  /** Binary output, sent on the payload pipe rather than through the IPC serializer. */
  payload?: Uint8Array;
}

/** What an engine implements to run in a child process. */
export interface EngineService {
  run(request: unknown, context: EngineTaskContext): Promise<EngineTaskResult>;
}

export function serveEngine(service: EngineService): void {
  const send = (message: ChildMessage): void => void process.send?.(message);
  raiseOomScore();
  if (process.env[ENGINE_INTERACTIVE_ENV] !== '1') lowerPriority();
  const payloadOut = new Socket({ fd: PAYLOAD_FD, readable: false, writable: true });
  let running: { taskId: number; controller: AbortController } | null = null;

  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: HostMessage) => {
    if (message.type === 'cancel') {
      if (running?.taskId === message.taskId) running.controller.abort();
      return;
    }
    if (message.type !== 'run' || running) return;
    const task = { taskId: message.taskId, controller: new AbortController() };
    running = task;
    const context: EngineTaskContext = {
      signal: task.controller.signal,
      progress: (done, total) => send({ type: 'progress', taskId: task.taskId, done, total }),
    };
    service
      .run(message.request, context)
      .then(async ({ value, payload }) => {
        if (payload) await writePayload(payloadOut, payload);
        send({ type: 'result', taskId: task.taskId, value, payloadBytes: payload?.byteLength ?? 0 });
      })
      .catch((err: unknown) => send({ type: 'failed', taskId: task.taskId, error: toErrorBody(err), aborted: task.controller.signal.aborted }))
      .finally(() => (running = null));
  });
  if (process.platform !== 'linux') {
    // Without /proc the host cannot read our memory; this report is its watchdog's only input.
    setInterval(() => send({ type: 'memory', rssBytes: process.memoryUsage.rss() }), MEMORY_REPORT_MS).unref();
  }
  send({ type: 'ready' });
}

function writePayload(out: Socket, payload: Uint8Array): Promise<void> {
  const header = Buffer.alloc(PAYLOAD_HEADER_BYTES);
  header.writeBigUInt64LE(BigInt(payload.byteLength));
  out.write(header);
  return new Promise((resolve, reject) => out.write(payload, (err) => (err ? reject(err) : resolve())));
}

/** 1000: under memory pressure the kernel's OOM killer takes this process before the agent. */
/**
 * Engines yield the CPU to everything else on the machine: the owner's programs, the agent that
 * answers teammates, the app's window (as BOINC's workers run at idle priority). Set before any
 * render thread exists: on Linux the nice value is per thread, and new threads inherit it.
 */
function lowerPriority(): void {
  try {
    os.setPriority(os.constants.priority.PRIORITY_BELOW_NORMAL);
  } catch {
    // Not allowed here (a sandbox): the engine runs at normal priority, as before.
  }
}

function raiseOomScore(): void {
  if (process.platform !== 'linux') return;
  try {
    writeFileSync('/proc/self/oom_score_adj', '1000');
  } catch {
    // Raising one's own score is always allowed; if /proc is not there, neither is the OOM killer.
  }
}
