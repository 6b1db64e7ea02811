import type { OpenedFolder } from '../../../shared/control-api/responses.js';
import type { RouteBody } from '../../../shared/control-api/routes.js';
import type { JobView, TaskView } from '../../../shared/model/jobs.js';
import type { EventReducer, SliceCreator } from './troupe-state.js';

export type TasksById = Record<string, TaskView>;

export interface JobsSlice {
  /** Jobs this machine coordinates, by id. */
  jobs: Record<string, JobView>;
  /** Tasks of the jobs whose detail was read (or that changed since the app opened), by job then task id. */
  tasksByJob: Record<string, TasksById>;
  selectedJobId: string | null;
  selectJob(jobId: string | null): void;
  /** Reads a job with all its tasks: the starting point its progress view builds on. */
  loadJob(jobId: string): Promise<void>;
  submitJob(body: RouteBody<'submitJob'>): Promise<JobView>;
  pauseJob(jobId: string): Promise<void>;
  resumeJob(jobId: string): Promise<void>;
  cancelJob(jobId: string): Promise<void>;
  setJobPriority(jobId: string, priority: number): Promise<void>;
  openOutput(jobId: string): Promise<OpenedFolder>;
}

export const createJobsSlice: SliceCreator<JobsSlice> = (set, get, { client }) => {
  const putJob = (job: JobView) => set({ jobs: { ...get().jobs, [job.jobId]: job } });
  return {
    jobs: {},
    tasksByJob: {},
    selectedJobId: null,
    selectJob(jobId) {
      set({ selectedJobId: jobId });
    },
    async loadJob(jobId) {
      const { job, tasks } = await client.call('job', { jobId });
      // Tasks that changed while the answer travelled are newer than it: keep them.
      const known = get().tasksByJob[jobId] ?? {};
      const merged: TasksById = Object.fromEntries(tasks.map((t) => [t.taskId, t]));
      for (const [id, t] of Object.entries(known)) if (!merged[id] || newer(t, merged[id])) merged[id] = t;
      set({ jobs: { ...get().jobs, [jobId]: job }, tasksByJob: { ...get().tasksByJob, [jobId]: merged } });
    },
    async submitJob(body) {
      const job = await client.call('submitJob', body);
      putJob(job);
      set({ selectedJobId: job.jobId });
      return job;
    },
    async pauseJob(jobId) {
      putJob(await client.call('pauseJob', { jobId }));
    },
    async resumeJob(jobId) {
      putJob(await client.call('resumeJob', { jobId }));
    },
    async cancelJob(jobId) {
      putJob(await client.call('cancelJob', { jobId }));
    },
    async setJobPriority(jobId, priority) {
      putJob(await client.call('setJobPriority', { jobId }, { priority }));
    },
    openOutput(jobId) {
      return client.call('openOutput', { jobId });
    },
  };
};

/** A task view with more attempts, or a finished one, is the later of two. */
function newer(a: TaskView, b: TaskView): boolean {
  if (a.attempts.length !== b.attempts.length) return a.attempts.length > b.attempts.length;
  const rank = (t: TaskView) => (t.state === 'done' || t.state === 'failed' || t.state === 'cancelled' ? 2 : t.state === 'queued' ? 0 : 1);
  return rank(a) > rank(b);
}

export const reduceJobs: EventReducer = (state, event) => {
  if (event.type === 'jobChanged') return { jobs: { ...state.jobs, [event.job.jobId]: event.job } };
  if (event.type === 'taskChanged') {
    const tasks = { ...(state.tasksByJob[event.jobId] ?? {}), [event.task.taskId]: event.task };
    return { tasksByJob: { ...state.tasksByJob, [event.jobId]: tasks } };
  }
  return null;
};

/** Jobs newest first. */
export function jobsNewestFirst(jobs: Record<string, JobView>): JobView[] {
  return Object.values(jobs).sort((a, b) => b.createdAtMs - a.createdAtMs);
}
