import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import type { TaskView } from '../../../shared/model/jobs.js';
import type { RenderJobView } from './job-kinds.js';
import { useConnection } from '../store/index.js';
import { finishingAttempt, runningAttempt, runningProgress } from './job-stats.js';
import { canvasTilePainter, type TilePainter, type TilePainterFactory } from './tile-painter.js';
import { useWorkerColour } from './use-worker-colours.js';

interface BucketCanvasProps {
  job: RenderJobView;
  tasks: TaskView[];
  workerNames: Map<string, string>;
  createPainter?: TilePainterFactory;
}

/** Tile images fetched at once: enough to keep up with a team, few enough not to starve the agent. */
const MAX_TILE_FETCHES = 4;

/**
 * A still assembling bucket by bucket. Each finished bucket's image is fetched once and drawn
 * into its place; nothing already drawn is drawn again (a bucket event reaches pixels in one
 * fetch and one drawImage). Outlines are DOM over the canvas, coloured by the machine that did
 * the work, dashed while running.
 */
export function BucketCanvas({ job, tasks, workerNames, createPainter = canvasTilePainter }: BucketCanvasProps) {
  const { client } = useConnection();
  const colourOf = useWorkerColour();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const painter = useRef<TilePainter | null>(null);
  const requested = useRef(new Set<string>());
  const waiting = useRef<TaskView[]>([]);
  const inFlight = useRef(0);
  const alive = useRef(true);
  const [failedTiles, setFailedTiles] = useState(0);
  const { width, height } = job.about.images;

  useLayoutEffect(() => {
    alive.current = true;
    painter.current = createPainter(canvasRef.current!);
    painter.current.reset(width, height);
    requested.current = new Set();
    waiting.current = [];
    return () => {
      alive.current = false;
    };
  }, [job.jobId, width, height, createPainter]);

  useEffect(() => {
    const pump = () => {
      while (inFlight.current < MAX_TILE_FETCHES && waiting.current.length > 0) {
        const task = waiting.current.shift()!;
        const region = task.region ?? { x: 0, y: 0, width, height };
        inFlight.current++;
        client
          .taskImage({ jobId: job.jobId, taskId: task.taskId })
          .then((png) => (alive.current ? painter.current?.drawTile(png, region) : undefined))
          // At the next frame the drawn tile is on screen: bench:ui times the event to this mark.
          .then(() => void requestAnimationFrame(() => performance.mark(`troupe:task-painted:${task.taskId}`)))
          .catch(() => alive.current && setFailedTiles((n) => n + 1))
          .finally(() => {
            inFlight.current--;
            pump();
          });
      }
    };
    const done = tasks.filter((t) => t.state === 'done');
    const merge = done.find((t) => t.kind === 'merge');
    // Opened after the end: one stitched image instead of every bucket.
    if (merge && requested.current.size === 0) {
      requested.current.add(merge.taskId);
      for (const t of tasks) requested.current.add(t.taskId);
      waiting.current.push(merge);
    }
    for (const t of done) {
      if (t.kind !== 'bucket' || requested.current.has(t.taskId)) continue;
      requested.current.add(t.taskId);
      waiting.current.push(t);
    }
    pump();
  }, [tasks, client, job.jobId, width, height]);

  const outlines = tasks.flatMap((t) => {
    if (t.kind !== 'bucket' || !t.region) return [];
    const attempt = t.state === 'done' ? finishingAttempt(t) : t.state === 'running' || t.state === 'leased' ? runningAttempt(t) : null;
    if (!attempt) return [];
    return [{ task: t, region: t.region, workerId: attempt.workerId, running: t.state !== 'done', progress: t.state === 'running' ? runningProgress(t) : null }];
  });
  const workers = [...new Set(outlines.map((o) => o.workerId))];

  return (
    <div className="bucket-view">
      <div className="bucket-stage" style={{ aspectRatio: `${width} / ${height}` }}>
        <canvas ref={canvasRef} data-testid="bucket-canvas" aria-label={`${job.submission.name}, rendering in buckets`} role="img" />
        <div className="bucket-outlines" aria-hidden="true">
          {outlines.map((o) => (
            <span
              key={o.task.taskId}
              className={`bucket-outline${o.running ? ' running' : ''}`}
              data-worker={o.workerId}
              data-task-id={o.task.taskId}
              data-state={o.running ? 'running' : 'done'}
              data-progress={o.progress === null ? undefined : Math.round(o.progress * 100)}
              style={
                {
                  '--x': `${(o.region.x / width) * 100}%`,
                  '--y': `${(o.region.y / height) * 100}%`,
                  '--w': `${(o.region.width / width) * 100}%`,
                  '--h': `${(o.region.height / height) * 100}%`,
                  '--worker': colourOf(o.workerId),
                  '--progress': o.progress === null ? '0%' : `${(o.progress * 100).toFixed(1)}%`,
                } as CSSProperties
              }
            />
          ))}
        </div>
      </div>
      <WorkerLegend workers={workers} names={workerNames} />
      {failedTiles > 0 && (
        <p className="error-text" role="alert">
          {failedTiles} finished {failedTiles === 1 ? 'bucket' : 'buckets'} could not be shown; the image in the output folder is complete.
        </p>
      )}
    </div>
  );
}

export function WorkerLegend({ workers, names }: { workers: string[]; names: Map<string, string> }) {
  const colourOf = useWorkerColour();
  if (workers.length === 0) return null;
  return (
    <ul className="legend" aria-label="Machines">
      {workers.map((w) => (
        <li key={w} data-worker={w}>
          <span className="swatch" style={{ '--swatch': colourOf(w) } as CSSProperties} aria-hidden="true" />
          {names.get(w) ?? w.slice(0, 8)}
        </li>
      ))}
    </ul>
  );
}
