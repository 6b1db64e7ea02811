// Owns the per-task events of the jobs this machine coordinates: when a job changes, it tells
// which of its tasks changed (leased, started, done, failed) so the app can outline a bucket the
// moment a machine takes it and paint it the moment it is done, without re-reading the job.

import type { TaskView } from '../../../shared/model/jobs.js';

/** What about a task the app shows: its state and its attempts' outcomes. */
function signature(t: TaskView): string {
  return `${t.state}|${t.attempts.map((a) => `${a.workerId.slice(0, 8)}:${a.outcome}`).join(',')}`;
}

export class TaskChangeFeed {
  /** Per job, the last signature told of each task. */
  private readonly told = new Map<string, Map<string, string>>();

  constructor(
    private readonly tasksOf: (jobId: string) => TaskView[],
    private readonly taskChanged: (jobId: string, task: TaskView) => void,
  ) {}

  /** A job changed: tell each of its tasks that is not as last told. A finished job's memory is dropped after. */
  jobChanged(jobId: string, finished: boolean): void {
    let seen = this.told.get(jobId);
    if (!seen) this.told.set(jobId, (seen = new Map()));
    for (const task of this.tasksOf(jobId)) {
      const sig = signature(task);
      if (seen.get(task.taskId) === sig) continue;
      seen.set(task.taskId, sig);
      this.taskChanged(jobId, task);
    }
    if (finished) this.told.delete(jobId);
  }
}
