import { useEffect, useMemo, useState } from 'react';
import { isRenderJob, jobShape } from './job-kinds.js';
import type { OpenedFolder } from '../../../shared/control-api/responses.js';
import type { JobView } from '../../../shared/model/jobs.js';
import { errorText } from '../format/error-text.js';
import { formatDuration } from '../format/human-units.js';
import { useNow } from '../format/use-now.js';
import { useTroupe } from '../store/index.js';
import type { TasksById } from '../store/jobs-slice.js';
import { BucketCanvas, WorkerLegend } from './bucket-canvas.js';
import { FrameGrid } from './frame-grid.js';
import { contributions, jobTiming, taskFailures } from './job-stats.js';
import type { TilePainterFactory } from './tile-painter.js';
import { useWorkerNames } from './use-worker-names.js';
import { ResultTableView } from './result-table.js';

const NO_TASKS: TasksById = {};

/** The open job: its picture assembling, who did how much, time so far and left, where it lands. */
export function JobDetail({ createPainter }: { createPainter?: TilePainterFactory }) {
  const jobId = useTroupe((s) => s.selectedJobId);
  const job = useTroupe((s) => (jobId ? s.jobs[jobId] : undefined));
  const tasksById = useTroupe((s) => (jobId ? (s.tasksByJob[jobId] ?? NO_TASKS) : NO_TASKS));
  const loadJob = useTroupe((s) => s.loadJob);
  const names = useWorkerNames();
  const now = useNow(1000);
  const [loadError, setLoadError] = useState<string | null>(null);
  const tasks = useMemo(() => Object.values(tasksById), [tasksById]);

  useEffect(() => {
    if (!jobId) return;
    setLoadError(null);
    loadJob(jobId).catch((err) => setLoadError(errorText(err)));
  }, [jobId, loadJob]);

  if (!jobId || !job) return null;
  const timing = jobTiming(job, tasks, now);
  const shares = contributions(tasks);
  const failures = taskFailures(tasks);

  return (
    <section className="panel job-detail" role="region" aria-labelledby="job-detail-heading">
      <h2 id="job-detail-heading">{job.submission.name}</h2>
      <p className="muted small">
        {jobShape(job)} ·{' '}
        {job.tasksDone}/{job.tasksTotal} tasks · elapsed <span data-testid="job-elapsed">{formatDuration(timing.elapsedMs)}</span>
        {timing.etaMs !== null && (
          <>
            {' '}
            · about <span data-testid="job-eta">{formatDuration(timing.etaMs)}</span> left
          </>
        )}
      </p>
      {loadError && (
        <p className="error-text" role="alert">
          {loadError}
        </p>
      )}
      {!isRenderJob(job) ? (
        <>
          {job.about.tables.map((t) => (
            <ResultTableView key={t.name} job={job} info={t} />
          ))}
          <WorkerLegend workers={shares.map((s) => s.workerId)} names={names} />
        </>
      ) : job.about.images.still ? (
        <BucketCanvas job={job} tasks={tasks} workerNames={names} createPainter={createPainter} />
      ) : (
        <>
          <FrameGrid job={job} tasks={tasks} />
          <WorkerLegend workers={shares.map((s) => s.workerId)} names={names} />
        </>
      )}
      {shares.length > 0 && (
        <table className="contributions" aria-label="Work per machine">
          <thead>
            <tr>
              <th scope="col">Machine</th>
              <th scope="col">Tasks done</th>
              <th scope="col">Work time</th>
            </tr>
          </thead>
          <tbody>
            {shares.map((s) => (
              <tr key={s.workerId} data-worker={s.workerId}>
                <td>{names.get(s.workerId) ?? s.workerId.slice(0, 8)}</td>
                <td>{s.tasksDone}</td>
                <td>{formatDuration(s.workMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {jobWarnings(job).length > 0 && (
        <div className="job-warnings" role="group" aria-label="Warnings">
          <h3>Warnings</h3>
          <ul className="warnings">
            {jobWarnings(job).map((w, i) => (
              <li key={`warning-${i}`}>{w}</li>
            ))}
          </ul>
        </div>
      )}
      {(failures.length > 0 || job.errors.length > 0) && (
        <div className="failures" role="group" aria-label="Errors">
          <h3>Errors</h3>
          <ul>
            {job.errors.map((e, i) => (
              <li key={`job-${i}`} className="error-text">
                {e}
              </li>
            ))}
            {failures.map((f, i) => (
              <li key={`${f.taskId}-${i}`} className="error-text" data-worker={f.workerId}>
                {names.get(f.workerId) ?? f.workerId.slice(0, 8)}: {f.error}
              </li>
            ))}
          </ul>
        </div>
      )}
      <OpenOutput jobId={job.jobId} outputDir={job.submission.outputDir} />
    </section>
  );
}

function OpenOutput({ jobId, outputDir }: { jobId: string; outputDir: string }) {
  const openOutput = useTroupe((s) => s.openOutput);
  const [answer, setAnswer] = useState<OpenedFolder | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const open = async () => {
    setError(null);
    setCopied(false);
    try {
      setAnswer(await openOutput(jobId));
    } catch (err) {
      setError(errorText(err));
    }
  };
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(answer?.path ?? outputDir);
      setCopied(true);
    } catch {
      setError('Could not copy; select the path and copy it by hand.');
    }
  };
  return (
    <div className="open-output">
      <button type="button" className="button" onClick={open}>
        Open output folder
      </button>
      {answer && !answer.opened && (
        <div role="status">
          {answer.message && <p>{answer.message}</p>}
          <p className="row">
            <code className="path" data-testid="output-path">
              {answer.path}
            </code>
            <button type="button" className="button subtle" onClick={copy}>
              {copied ? 'Copied' : 'Copy path'}
            </button>
          </p>
        </div>
      )}
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** What the user should know of a job: what it was sent with, then what its tasks warned of (a file missing on a teammate). */
function jobWarnings(job: JobView): string[] {
  return [...new Set([...job.about.warnings, ...(job.warnings ?? [])])];
}
