// Owns which agent events deserve a desktop notification and what it says: a pairing request
// (the code to compare, so the owner can check it against the other screen) and a job of ours
// that finished or failed. A job's events repeat (progress, priority); it is announced once per
// change into done or failed.

import type { ControlEvent } from '../../shared/control-api/responses.js';
import type { JobState } from '../../shared/model/jobs.js';

export interface DesktopNotice {
  /** Stable per subject, so a repeated notice replaces rather than stacks. */
  key: string;
  title: string;
  body: string;
  /** What a click does. */
  onClick: 'open-window';
  /** Needs the owner's answer soon (a pairing request expires). */
  urgent: boolean;
}

/** Jobs remembered; older ones are forgotten first (a job is announced at most once more). */
const MAX_JOBS_REMEMBERED = 1000;

export class DesktopNoticePlanner {
  private readonly jobStates = new Map<string, JobState>();

  noticeFor(event: ControlEvent): DesktopNotice | null {
    switch (event.type) {
      case 'pairRequestReceived': {
        const r = event.request;
        return {
          key: `pair-request:${r.requestId}`,
          title: `${r.name} asks to join your team`,
          body: `Code ${r.code}. If the same code shows on ${r.name}, accept it in Troupe (within a minute).`,
          onClick: 'open-window',
          urgent: true,
        };
      }
      case 'jobChanged': {
        const job = event.job;
        const before = this.jobStates.get(job.jobId);
        this.remember(job.jobId, job.state);
        if (before === job.state || (job.state !== 'done' && job.state !== 'failed')) return null;
        const name = job.submission.name;
        if (job.state === 'done')
          return {
            key: `job:${job.jobId}`,
            title: `Render finished: ${name}`,
            body: `${job.tasksDone} of ${job.tasksTotal} tasks done. Images are in ${job.submission.outputDir}.`,
            onClick: 'open-window',
            urgent: false,
          };
        return {
          key: `job:${job.jobId}`,
          title: `Render failed: ${name}`,
          body: job.errors[0] ?? `${job.tasksDone} of ${job.tasksTotal} tasks were done.`,
          onClick: 'open-window',
          urgent: false,
        };
      }
      default:
        return null;
    }
  }

  private remember(jobId: string, state: JobState): void {
    this.jobStates.delete(jobId);
    this.jobStates.set(jobId, state);
    if (this.jobStates.size > MAX_JOBS_REMEMBERED) this.jobStates.delete(this.jobStates.keys().next().value!);
  }
}
