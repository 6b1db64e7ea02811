import type { JobView, TaskView } from '../../../shared/model/jobs.js';

export interface WorkerContribution {
  workerId: string;
  tasksDone: number;
  workMs: number;
}

/** The attempt that finished a done task: its worker is the one credited (speculative copies lose). */
export function finishingAttempt(task: TaskView) {
  for (let i = task.attempts.length - 1; i >= 0; i--) if (task.attempts[i]!.outcome === 'done') return task.attempts[i]!;
  return null;
}

/** The attempt running now, if any. */
/** How far a running task is (0..1), as its worker last told it; null when it has not told. */
export function runningProgress(task: TaskView): number | null {
  const progress = runningAttempt(task)?.progress;
  return progress ? Math.min(1, progress.done / progress.total) : null;
}

export function runningAttempt(task: TaskView) {
  for (let i = task.attempts.length - 1; i >= 0; i--) if (task.attempts[i]!.outcome === 'running') return task.attempts[i]!;
  return null;
}

/** Done tasks and work time per machine, most work first. */
export function contributions(tasks: TaskView[]): WorkerContribution[] {
  const byWorker = new Map<string, WorkerContribution>();
  for (const task of tasks) {
    const attempt = task.state === 'done' ? finishingAttempt(task) : null;
    if (!attempt) continue;
    const entry = byWorker.get(attempt.workerId) ?? { workerId: attempt.workerId, tasksDone: 0, workMs: 0 };
    entry.tasksDone += 1;
    entry.workMs += attempt.workMs ?? 0;
    byWorker.set(attempt.workerId, entry);
  }
  return [...byWorker.values()].sort((a, b) => b.workMs - a.workMs || b.tasksDone - a.tasksDone);
}

export interface JobTiming {
  elapsedMs: number;
  /** Time left at the pace so far, by task cost; null when there is no pace yet or the job is over. */
  etaMs: number | null;
}

export function jobTiming(job: JobView, tasks: TaskView[], nowMs: number): JobTiming {
  const end = job.finishedAtMs ?? nowMs;
  const elapsedMs = Math.max(0, end - job.createdAtMs);
  if (job.finishedAtMs !== null || job.state !== 'running') return { elapsedMs, etaMs: null };
  let total = 0;
  let done = 0;
  for (const t of tasks) {
    if (t.state === 'cancelled') continue;
    total += t.cost;
    if (t.state === 'done') done += t.cost;
  }
  if (done <= 0 || elapsedMs <= 0) return { elapsedMs, etaMs: null };
  return { elapsedMs, etaMs: ((total - done) / done) * elapsedMs };
}

/** Failed tasks with each failing worker's words. */
export function taskFailures(tasks: TaskView[]): { taskId: string; workerId: string; error: string }[] {
  const out: { taskId: string; workerId: string; error: string }[] = [];
  for (const t of tasks)
    for (const a of t.attempts) if (a.outcome === 'failed' && a.error) out.push({ taskId: t.taskId, workerId: a.workerId, error: a.error });
  return out;
}
