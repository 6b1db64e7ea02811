// Owns one render thread: it takes rows of the requested region off a shared counter until none
// are left or the job is aborted. The frame arrives built, in shared memory: the thread neither
// reads the scene nor builds a BVH, so N threads hold one copy of the scene, not N.

import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../../../../../shared/errors.js';
import { frameFromShared, type FrameScene } from '../reading/frame-scene.js';
import { PathTracer } from './path-tracer.js';
import { CONTROL_ABORT, CONTROL_NEXT_ROW, type CollectMessage, type RenderJobMessage, type WorkerReply } from './worker-protocol.js';

function renderRows(frame: FrameScene, job: RenderJobMessage, reply: (m: WorkerReply) => void): void {
  const control = new Int32Array(job.control);
  const out = new Float32Array(job.output);
  const { region } = job;
  const tracer = new PathTracer(frame, job.settings);
  for (;;) {
    const row = Atomics.add(control, CONTROL_NEXT_ROW, 1);
    if (row >= region.height) return;
    const y = region.y + row;
    for (let i = 0; i < region.width; i++) {
      // Checked every few pixels, so an abort lands well within one row.
      if ((i & 7) === 0 && Atomics.load(control, CONTROL_ABORT) !== 0) return;
      tracer.renderPixel(region.x + i, y, out, (row * region.width + i) * 4);
    }
    reply({ type: 'row', jobId: job.jobId });
  }
}

const port = parentPort;
if (port) {
  const reply = (m: WorkerReply): void => port.postMessage(m);
  port.on('message', (job: RenderJobMessage | CollectMessage) => {
    if (job.type === 'collect') {
      (globalThis as { gc?: () => void }).gc?.(); // engine processes run with --expose-gc
      reply({ type: 'collected', jobId: job.jobId });
      return;
    }
    try {
      renderRows(frameFromShared(job.frame), job, reply);
      reply({ type: 'done', jobId: job.jobId });
    } catch (err) {
      const { code, message } = toErrorBody(err);
      reply({ type: 'error', jobId: job.jobId, code, message });
    }
  });
}
