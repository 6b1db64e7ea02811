// Owns one physics worker thread: it runs the one task it is sent, reports progress, posts the
// result with its large arrays transferred (not copied), and is then ended by the runner.

import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../../../../shared/errors.js';
import { runPhysicsTaskInProcess } from './physics-task.js';
import type { PhysicsWorkerReply, PhysicsWorkerRequest } from './physics-worker-protocol.js';

const port = parentPort;
if (port) {
  const reply = (m: PhysicsWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
  port.once('message', (request: PhysicsWorkerRequest) => {
    runPhysicsTaskInProcess(request.task, { onProgress: (stepsDone, steps) => reply({ type: 'progress', stepsDone, steps }) }).then(
      (result) => {
        const { keyframes, snapshot } = result;
        reply({ type: 'done', result }, [keyframes.poses.buffer, keyframes.steps.buffer, snapshot.buffer] as ArrayBuffer[]);
      },
      (err: unknown) => {
        const { code, message } = toErrorBody(err);
        reply({ type: 'error', name: err instanceof Error ? err.constructor.name : 'Error', code, message });
      },
    );
  });
}
