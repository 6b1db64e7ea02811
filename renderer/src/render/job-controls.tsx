import { useState } from 'react';
import type { JobView } from '../../../shared/model/jobs.js';
import { MAX_PRIORITY, MIN_PRIORITY } from '../../../shared/model/jobs.js';
import { errorText } from '../format/error-text.js';
import { useTroupe } from '../store/index.js';

const FINISHED = new Set(['done', 'failed', 'cancelled']);

/** Pause, resume, cancel and priority of one job, with the agent's answer if it refuses. */
export function JobControls({ job }: { job: JobView }) {
  const pauseJob = useTroupe((s) => s.pauseJob);
  const resumeJob = useTroupe((s) => s.resumeJob);
  const cancelJob = useTroupe((s) => s.cancelJob);
  const setJobPriority = useTroupe((s) => s.setJobPriority);
  const online = useTroupe((s) => s.eventStream === 'open');
  const [error, setError] = useState<string | null>(null);
  const [priority, setPriority] = useState(String(job.submission.priority));
  const name = job.submission.name;
  if (FINISHED.has(job.state)) return null;

  const act = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const applyPriority = () => {
    const value = Number(priority);
    if (!Number.isInteger(value) || value < MIN_PRIORITY || value > MAX_PRIORITY) {
      setError(`Priority is a whole number from ${MIN_PRIORITY} to ${MAX_PRIORITY}.`);
      return;
    }
    if (value !== job.submission.priority) void act(() => setJobPriority(job.jobId, value));
  };

  return (
    <div className="job-controls">
      {job.state === 'paused' ? (
        <button type="button" className="button" disabled={!online} onClick={() => act(() => resumeJob(job.jobId))} aria-label={`Resume ${name}`}>
          Resume
        </button>
      ) : (
        <button type="button" className="button" disabled={!online} onClick={() => act(() => pauseJob(job.jobId))} aria-label={`Pause ${name}`}>
          Pause
        </button>
      )}
      <button type="button" className="button danger" disabled={!online} onClick={() => act(() => cancelJob(job.jobId))} aria-label={`Cancel ${name}`}>
        Cancel
      </button>
      <label className="priority">
        Priority
        <input
          type="number"
          min={MIN_PRIORITY}
          max={MAX_PRIORITY}
          step={1}
          value={priority}
          aria-label={`Priority of ${name}`}
          onChange={(e) => setPriority(e.target.value)}
          onBlur={applyPriority}
          onKeyDown={(e) => e.key === 'Enter' && applyPriority()}
        />
      </label>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
