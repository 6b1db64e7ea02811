import type { JobView, RenderSubmission } from '../../../shared/model/jobs.js';

/** A job whose results are images (the built-in renderer's, Blender's): the frame and bucket views apply. */
export type RenderJobView = JobView & { submission: RenderSubmission };

export function isRenderJob(job: JobView): job is RenderJobView {
  return job.submission.engine !== 'physics';
}

/** One line on what a job makes: "48 frames", "still", "16 variants", "bake in 12 chunks". */
export function jobShape(job: JobView): string {
  if (job.submission.engine === 'physics') {
    const p = job.submission.physics;
    return p.job === 'wedge' ? `physics wedge, ${p.variants.length} variants` : `physics bake, ${(p.settings.totalSteps * p.settings.dtSeconds).toFixed(1)} s`;
  }
  const s = job.submission.settings;
  return job.submission.kind === 'still' ? 'still' : `${s.frameEnd - s.frameStart + 1} frames`;
}
