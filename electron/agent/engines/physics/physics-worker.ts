// Owns one physics worker thread: it runs each task it is sent, one at a time (the runner waits
// for each answer), reports progress, and posts each result with its large arrays transferred
// (not copied). It lives until the runner ends it: Rapier stays compiled between tasks.

import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../../../../shared/errors.js';
import { runPhysicsTaskInProcess } from './physics-task.js';
import type { PhysicsWorkerReply, PhysicsWorkerRequest } from './physics-worker-protocol.js';

// Below normal priority, like the other engines' processes (the owner's programs and the agent
// come first). On Linux a nice value belongs to a thread, so this lowers this thread alone; on
// other systems it would lower the whole agent, so there the thread keeps the agent's priority.
if (process.platform === 'linux') {
  try {
    setPriority(10);
  } catch {
    // not allowed here: run at the agent's priority
  }
}

const port = parentPort;
if (port) {
  const reply = (m: PhysicsWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  port.on('message', (request: PhysicsWorkerRequest) => {
    runPhysicsTaskInProcess(request.task, { onProgress: (stepsDone, steps) => reply({ type: 'progress', stepsDone, steps }) }).then(
      (result) => {
        const { keyframes, snapshot, glb } = result;
        reply({ type: 'done', result }, [keyframes.poses.buffer, keyframes.steps.buffer, snapshot.buffer, ...(glb ? [glb.buffer] : [])] as ArrayBuffer[]);
      },
      (err: unknown) => {
        const { code, message } = toErrorBody(err);
        reply({ type: 'error', name: err instanceof Error ? err.constructor.name : 'Error', code, message });
      },
    );
  });
}
