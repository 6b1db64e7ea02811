import type { JobAbout, JobView } from '../../../shared/model/jobs.js';

/** A job that makes images (its job type says so in JobView.about): the frame and bucket views apply. */
export type RenderJobView = JobView & { about: JobAbout & { images: NonNullable<JobAbout['images']> } };

export function isRenderJob(job: JobView): job is RenderJobView {
  return job.about.images !== null;
}

/** One line on what a job makes, in its job type's words: "48 frames, 1280×720, 64 samples", "physics sweep of 16 variants, …". */
export function jobShape(job: JobView): string {
  return job.about.description;
}
