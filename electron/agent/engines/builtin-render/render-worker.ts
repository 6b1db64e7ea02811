// Owns one render thread: it keeps the scene it last loaded and the frames it last built, then
// takes rows of the requested region off a shared counter until none are left or the job is aborted.

import { statSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { toErrorBody } from '../../../../shared/errors.js';
import { buildFrameScene, type FrameScene } from './frame-scene.js';
import { PathTracer } from './path-tracer.js';
import { loadScene } from './scene-loader.js';
import type { SceneModel } from './scene-model.js';
import { CONTROL_ABORT, CONTROL_NEXT_ROW, type RenderJobMessage, type WorkerReply } from './worker-protocol.js';

// Two frames: a bucketed frame is asked for again and again, an animation moves on one by one.
const FRAME_CACHE_SIZE = 2;

let scene: { key: string; model: SceneModel } | null = null;
const frames = new Map<string, FrameScene>();

async function frameFor(scenePath: string, frame: number, fps: number): Promise<FrameScene> {
  const stat = statSync(scenePath, { throwIfNoEntry: false });
  const key = `${scenePath}|${stat?.mtimeMs}|${stat?.size}|${stat?.ino}`;
  if (scene?.key !== key) {
    frames.clear();
    scene = null;
    scene = { key, model: await loadScene(scenePath) };
  }
  const frameKey = `${frame}|${fps}`;
  let built = frames.get(frameKey);
  if (!built) {
    built = buildFrameScene(scene.model, frame / fps);
    if (frames.size >= FRAME_CACHE_SIZE) frames.delete(frames.keys().next().value!);
    frames.set(frameKey, built);
  }
  return built;
}

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
  port.on('message', (job: RenderJobMessage) => {
    frameFor(job.scenePath, job.settings.frame, job.settings.fps)
      .then((frame) => {
        renderRows(frame, job, reply);
        reply({ type: 'done', jobId: job.jobId });
      })
      .catch((err: unknown) => {
        const { code, message } = toErrorBody(err);
        reply({ type: 'error', jobId: job.jobId, code, message });
      });
  });
}
