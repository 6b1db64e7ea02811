import { useMemo, type CSSProperties } from 'react';
import { CAPACITY_HISTORY_MS } from '../../../shared/control-api/responses.js';
import { useWorkerColour } from '../render/use-worker-colours.js';
import { useTroupe } from '../store/index.js';
import { pathOf, utilisationSeries } from './utilisation-series.js';

const W = 600;
const H = 160;
const PAD = 4;

/** How busy each machine was over the last ten minutes: plain SVG paths, redrawn per sample (every 5 s). */
export function UtilisationChart() {
  const samples = useTroupe((s) => s.capacitySamples);
  const colourOf = useWorkerColour();
  const series = useMemo(() => utilisationSeries(samples), [samples]);
  const newest = samples[samples.length - 1]?.atMs ?? 0;
  const from = newest - CAPACITY_HISTORY_MS;
  const x = (t: number) => PAD + ((t - from) / CAPACITY_HISTORY_MS) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - v * (H - 2 * PAD);

  return (
    <figure className="chart" aria-labelledby="chart-caption">
      <figcaption id="chart-caption">Utilisation, last 10 minutes</figcaption>
      {samples.length < 2 ? (
        <p className="empty-state">The chart fills in as the team reports its load (every 5 seconds).</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Share of each machine's cores busy over the last 10 minutes" data-testid="utilisation-chart" preserveAspectRatio="none">
          {[0.25, 0.5, 0.75].map((v) => (
            <line key={v} className="gridline" x1={PAD} x2={W - PAD} y1={y(v)} y2={y(v)} />
          ))}
          {series.map((s) => (
            <path key={s.deviceId} d={pathOf(s.points, x, y)} className="series" style={{ '--worker': colourOf(s.deviceId) } as CSSProperties} data-worker={s.deviceId} />
          ))}
        </svg>
      )}
      <ul className="legend" aria-label="Machines in the chart">
        {series.map((s) => {
          const last = s.points[s.points.length - 1];
          return (
            <li key={s.deviceId} data-worker={s.deviceId}>
              <span className="swatch" style={{ '--swatch': colourOf(s.deviceId) } as CSSProperties} aria-hidden="true" />
              {s.name}: {last ? `${Math.round(last[1] * 100)} % busy` : 'offline'}
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
