import { useMemo } from 'react';
import { jobShape } from './job-kinds.js';
import { jobsNewestFirst, useTroupe } from '../store/index.js';
import { JobControls } from './job-controls.js';

const STATE_WORDS = { queued: 'Queued', running: 'Running', paused: 'Paused', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** Jobs this machine coordinates, newest first; one is open in the progress view. */
export function JobsList() {
  const jobs = useTroupe((s) => s.jobs);
  const selectedJobId = useTroupe((s) => s.selectedJobId);
  const selectJob = useTroupe((s) => s.selectJob);
  const list = useMemo(() => jobsNewestFirst(jobs), [jobs]);

  return (
    <section className="panel" role="region" aria-labelledby="jobs-heading">
      <h2 id="jobs-heading">Jobs</h2>
      {list.length === 0 ? (
        <p className="empty-state">No jobs yet. Drop a .glb or .gltf scene on the window, or choose one above, then press “Render on team”.</p>
      ) : (
        <ul className="jobs-list" aria-label="Jobs">
          {list.map((job) => {
            const share = job.tasksTotal > 0 ? job.tasksDone / job.tasksTotal : 0;
            return (
              <li key={job.jobId} className={`job-row state-${job.state}${job.jobId === selectedJobId ? ' is-selected' : ''}`} aria-label={job.submission.name} data-job-id={job.jobId}>
                <button type="button" className="job-open" aria-pressed={job.jobId === selectedJobId} onClick={() => selectJob(job.jobId)}>
                  <span className="job-name">{job.submission.name}</span>
                  <span className={`badge state-${job.state}`}>{STATE_WORDS[job.state]}</span>
                  <span className="muted small">
                    {jobShape(job)} ·{' '}
                    {job.tasksDone}/{job.tasksTotal} tasks
                  </span>
                </button>
                <progress max={1} value={share} aria-label={`${job.submission.name} progress`} />
                <JobControls job={job} />
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
