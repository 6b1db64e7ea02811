// Owns one physics worker thread: it runs each task it is sent, one at a time (the runner waits
// for each answer), reports progress, and posts each result with its large arrays transferred
// (not copied); for the coordinator, it reads a submitted scene or joins a bake's chunks. It
// lives until the runner ends it: Rapier stays compiled between tasks.

import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../../../../../shared/errors.js';
import { inspectPhysicsScene, joinBake } from '../coordinator/physics-coordinator-work.js';
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
  const answer = async (request: PhysicsWorkerRequest): Promise<void> => {
    if (request.type === 'inspect') return reply({ type: 'done', result: await inspectPhysicsScene(request.inspection) });
    if (request.type === 'join') {
      const joined = await joinBake(request.join);
      return reply({ type: 'done', result: joined }, [joined.glb.buffer as ArrayBuffer]);
    }
    const result = await runPhysicsTaskInProcess(request.task, {
      onProgress: (stepsDone, steps) => reply({ type: 'progress', stepsDone, steps }),
      onMemoryBound: (bytes) => reply({ type: 'memory', bytes }),
    });
    const { keyframes, snapshot, glb } = result;
    reply({ type: 'done', result }, [keyframes.poses.buffer, keyframes.steps.buffer, snapshot.buffer, ...(glb ? [glb.buffer] : [])] as ArrayBuffer[]);
  };
  port.on('message', (request: PhysicsWorkerRequest) => {
    answer(request).catch((err: unknown) => {
      const { code, message } = toErrorBody(err);
      reply({ type: 'error', name: err instanceof Error ? err.constructor.name : 'Error', code, message });
    });
  });
}
