import type { TaskState, TaskView } from '../../../shared/model/jobs.js';
import { finishingAttempt, runningAttempt, runningProgress } from './job-stats.js';

/** What one frame's cell in the grid shows. */
export interface FrameCell {
  frame: number;
  state: TaskState;
  /** The machine rendering it now, or the one that rendered (most of) it. */
  workerId: string | null;
  /** The task whose image is this frame's thumbnail, once done. */
  imageTask: TaskView | null;
  /** How far it is (0..1) while running, as its machine last told; null when unknown. */
  progress: number | null;
}

/**
 * Each frame's state, whichever way the job was compiled: a frames task (one or several frames
 * each), or, when frames are few and machines many, a frame split into buckets that a merge task
 * stitches (the frame is done when its merge is, and is being rendered while any bucket is).
 */
export function frameCells(tasks: TaskView[], frames: number[]): FrameCell[] {
  const framesTask = new Map<number, TaskView>();
  const merge = new Map<number, TaskView>();
  const buckets = new Map<number, TaskView[]>();
  for (const t of tasks) {
    if (t.state === 'cancelled') continue;
    const f = t.frames[0]!;
    if (t.kind === 'frames') for (const g of t.frames) framesTask.set(g, t);
    else if (t.kind === 'merge') merge.set(f, t);
    else buckets.set(f, [...(buckets.get(f) ?? []), t]);
  }
  return frames.map((frame) => {
    const whole = framesTask.get(frame);
    if (whole) {
      const attempt = whole.state === 'done' ? finishingAttempt(whole) : runningAttempt(whole);
      return {
        frame,
        state: whole.state,
        workerId: attempt?.workerId ?? null,
        imageTask: whole.state === 'done' && whole.frames[0] === frame ? whole : null,
        progress: whole.state === 'running' ? runningProgress(whole) : null,
      };
    }
    const parts = buckets.get(frame) ?? [];
    const stitch = merge.get(frame);
    if (stitch?.state === 'done') return { frame, state: 'done', workerId: mostBuckets(parts), imageTask: stitch, progress: null };
    // A frame in buckets: its done buckets, plus the running ones' progress, of all of them.
    const partly = parts.reduce((sum, p) => sum + (p.state === 'done' ? 1 : p.state === 'running' ? (runningProgress(p) ?? 0) : 0), 0);
    const progress = parts.length > 0 && partly > 0 ? partly / parts.length : null;
    const running = parts.map(runningAttempt).find((a) => a !== null);
    if (running) return { frame, state: 'running', workerId: running.workerId, imageTask: null, progress };
    const failed = stitch?.state === 'failed' || parts.some((p) => p.state === 'failed');
    const started = parts.some((p) => p.state !== 'queued');
    return { frame, state: failed ? 'failed' : started ? 'running' : 'queued', workerId: null, imageTask: null, progress: failed ? null : progress };
  });
}

/** The machine that finished the most of a frame's buckets. */
function mostBuckets(parts: TaskView[]): string | null {
  const counts = new Map<string, number>();
  for (const p of parts) {
    const w = finishingAttempt(p)?.workerId;
    if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [w, n] of counts) if (best === null || n > counts.get(best)!) best = w;
  return best;
}
