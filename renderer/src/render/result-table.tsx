import { useEffect, useState } from 'react';
import type { JobView, ResultTable, ResultTableInfo } from '../../../shared/model/jobs.js';
import { errorText } from '../format/error-text.js';
import { useConnection } from '../store/index.js';

/** One cell as read: numbers with two decimals and their column's unit; nothing is "–" (the engine's words say what it means). */
function cellText(value: string | number | null | undefined, unit: string | undefined): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'string') return value;
  const n = Number.isInteger(value) ? String(value) : value.toFixed(2);
  return unit ? `${n} ${unit}` : n;
}

/**
 * One of a job's result tables (its job type offers them in JobView.about.tables: a sweep's
 * variants), as its rows arrive, sortable by each sortable column both ways (the agent sorts).
 */
export function ResultTableView({ job, info }: { job: JobView; info: ResultTableInfo }) {
  const { client } = useConnection();
  const [sort, setSort] = useState(info.defaultSort);
  const [table, setTable] = useState<ResultTable | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    client
      .call('jobTable', { jobId: job.jobId, table: info.name, sortKey: sort })
      .then((t) => alive && (setTable(t), setError(null)))
      .catch((err: unknown) => alive && setError(errorText(err)));
    return () => {
      alive = false;
    };
  }, [client, job.jobId, job.tasksDone, info.name, sort]);
  const sortable = info.columns.filter((c) => c.sortable);
  const key = info.columns[0]!.key;
  return (
    <div className="result-table" role="group" aria-label={info.title}>
      <div className="row">
        <label htmlFor={`sort-${job.jobId}-${info.name}`}>Sort</label>
        <select id={`sort-${job.jobId}-${info.name}`} value={sort} onChange={(e) => setSort(e.target.value)}>
          {sortable.flatMap((c) => [
            <option key={c.key} value={c.key}>
              {c.label}, lowest first
            </option>,
            <option key={`-${c.key}`} value={`-${c.key}`}>
              {c.label}, highest first
            </option>,
          ])}
        </select>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <table className="contributions" aria-label={`${info.title} done`}>
        <thead>
          <tr>
            {info.columns.map((c) => (
              <th scope="col" key={c.key}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(table?.rows ?? []).map((r, i) => (
            <tr key={String(r[key] ?? i)} data-row={String(r[key] ?? i)}>
              {info.columns.map((c) => (
                <td key={c.key}>{c.sortable ? cellText(r[c.key], c.unit) : <code>{cellText(r[c.key], c.unit)}</code>}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
