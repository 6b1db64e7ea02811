import type { JobView, TaskView } from '../../../shared/model/jobs.js';

/** What one teammate is rendering for this machine's jobs right now. */
export interface WorkItem {
  jobId: string;
  jobName: string;
  label: string;
}

/**
 * Who is working on what, from the tasks of the jobs this machine coordinates: a task's running
 * attempt names its worker. Work a teammate does for another coordinator is not visible here.
 */
export function workByWorker(jobs: Record<string, JobView>, tasksByJob: Record<string, Record<string, TaskView>>): Map<string, WorkItem[]> {
  const out = new Map<string, WorkItem[]>();
  for (const [jobId, tasks] of Object.entries(tasksByJob)) {
    const job = jobs[jobId];
    if (!job || job.state === 'done' || job.state === 'cancelled' || job.state === 'failed') continue;
    for (const task of Object.values(tasks)) {
      if (task.state !== 'running' && task.state !== 'leased') continue;
      for (const attempt of task.attempts) {
        if (attempt.outcome !== 'running') continue;
        const items = out.get(attempt.workerId) ?? [];
        items.push({ jobId, jobName: job.submission.name, label: taskLabel(task) });
        out.set(attempt.workerId, items);
      }
    }
  }
  return out;
}

export function taskLabel(task: TaskView): string {
  const first = task.frames[0];
  const last = task.frames[task.frames.length - 1];
  if (task.kind === 'bucket') return `bucket of frame ${first}`;
  if (task.kind === 'merge') return `merging frame ${first}`;
  return first === last ? `frame ${first}` : `frames ${first}–${last}`;
}

/** "product-shot: bucket of frame 1" for one task, "product-shot: 3 tasks" for several, per job. */
export function describeWork(items: WorkItem[]): string {
  const byJob = new Map<string, WorkItem[]>();
  for (const item of items) byJob.set(item.jobName, [...(byJob.get(item.jobName) ?? []), item]);
  return [...byJob.entries()].map(([job, list]) => `${job}: ${list.length === 1 ? list[0]!.label : `${list.length} tasks`}`).join('; ');
}
