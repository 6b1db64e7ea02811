import { useEffect, useRef, useState, type CSSProperties } from 'react';
import type { TaskView } from '../../../shared/model/jobs.js';
import type { RenderJobView } from './job-kinds.js';
import { useConnection } from '../store/index.js';
import { frameCells } from './frame-cells.js';
import { useWorkerColour } from './use-worker-colours.js';

/** Frames shown as cells; a longer animation shows its first ones and says how many more. */
const MAX_CELLS = 240;
const MAX_THUMB_FETCHES = 3;

/**
 * An animation's frames filling in. A frames task may cover several frames; its image is its
 * first frame, so the others show "done" without a picture.
 */
export function FrameGrid({ job, tasks }: { job: RenderJobView; tasks: TaskView[] }) {
  const { client } = useConnection();
  const colourOf = useWorkerColour();
  const [thumbs, setThumbs] = useState<Record<string, string>>({});
  const requested = useRef(new Set<string>());
  const waiting = useRef<TaskView[]>([]);
  const inFlight = useRef(0);
  const urls = useRef<string[]>([]);
  const { frameStart, frameEnd } = job.about.images;

  useEffect(
    () => () => {
      for (const u of urls.current) URL.revokeObjectURL(u);
      urls.current = [];
    },
    [],
  );

  useEffect(() => {
    // jsdom and very old engines have no object URLs: the grid still shows each frame's state.
    if (typeof URL.createObjectURL !== 'function') return;
    const pump = () => {
      while (inFlight.current < MAX_THUMB_FETCHES && waiting.current.length > 0) {
        const task = waiting.current.shift()!;
        inFlight.current++;
        client
          .taskImage({ jobId: job.jobId, taskId: task.taskId })
          .then((png) => {
            const url = URL.createObjectURL(new Blob([png as BlobPart], { type: 'image/png' }));
            urls.current.push(url);
            setThumbs((t) => ({ ...t, [task.taskId]: url }));
          })
          .catch(() => undefined)
          .finally(() => {
            inFlight.current--;
            pump();
          });
      }
    };
    for (const t of tasks) {
      // A frame's picture: its frames task's, or its merge's when the frame was split into buckets.
      if ((t.kind !== 'frames' && t.kind !== 'merge') || t.state !== 'done' || requested.current.has(t.taskId)) continue;
      if ((t.frames[0] ?? 0) - frameStart >= MAX_CELLS) continue;
      requested.current.add(t.taskId);
      waiting.current.push(t);
    }
    pump();
  }, [tasks, client, job.jobId, frameStart]);

  const count = frameEnd - frameStart + 1;
  const cells = frameCells(
    tasks,
    Array.from({ length: Math.min(count, MAX_CELLS) }, (_, i) => frameStart + i),
  );

  return (
    <div className="frame-grid-wrap">
      <ol
        className="frame-grid"
        aria-label={`Frames of ${job.submission.name}`}
        data-testid="frame-grid"
        style={{ '--frame-aspect': `${job.about.images.width} / ${job.about.images.height}` } as CSSProperties}
      >
        {cells.map(({ frame, state, workerId, imageTask, progress }) => {
          const attempt = workerId ? { workerId } : null;
          const thumb = imageTask ? thumbs[imageTask.taskId] : undefined;
          return (
            <li
              key={frame}
              className={`frame-cell state-${state}`}
              data-frame={frame}
              data-state={state}
              data-worker={attempt?.workerId}
              style={attempt ? ({ '--worker': colourOf(attempt.workerId) } as CSSProperties) : undefined}
            >
              {thumb ? <img src={thumb} alt={`Frame ${frame}`} /> : <span className="frame-placeholder">{state === 'done' ? '✓' : state === 'running' || state === 'leased' ? '…' : ''}</span>}
              {progress !== null && state !== 'done' && (
                <span
                  className="frame-progress"
                  role="progressbar"
                  aria-label={`Frame ${frame}`}
                  aria-valuemin={0}
                  aria-valuemax={100}
                  aria-valuenow={Math.round(progress * 100)}
                  style={{ '--progress': `${(progress * 100).toFixed(1)}%` } as CSSProperties}
                />
              )}
              <span className="frame-number">
                {frame}
                <span className="visually-hidden"> {state}</span>
              </span>
            </li>
          );
        })}
      </ol>
      {count > MAX_CELLS && <p className="muted small">Showing the first {MAX_CELLS} of {count} frames.</p>}
    </div>
  );
}
