import { useEffect, useState } from 'react';
import type { VariantRow } from '../../../shared/control-api/responses.js';
import type { JobView } from '../../../shared/model/jobs.js';
import { errorText } from '../format/error-text.js';
import { useConnection } from '../store/index.js';

const SORTS: { key: string; label: string }[] = [
  { key: 'index', label: 'Variant' },
  { key: '-maxSpeed', label: 'Fastest first' },
  { key: 'maxSpeed', label: 'Slowest first' },
  { key: '-contacts', label: 'Most contacts' },
  { key: 'restSeconds', label: 'Settles soonest' },
];

/** A physics wedge's variants as they finish, sortable by what users compare (the control API sorts). */
export function VariantsTable({ job }: { job: JobView }) {
  const { client } = useConnection();
  const [sort, setSort] = useState('index');
  const [rows, setRows] = useState<VariantRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    client
      .call('jobVariants', { jobId: job.jobId, sortKey: sort })
      .then((r) => alive && (setRows(r), setError(null)))
      .catch((err: unknown) => alive && setError(errorText(err)));
    return () => {
      alive = false;
    };
  }, [client, job.jobId, job.tasksDone, sort]);
  return (
    <div className="variants" role="group" aria-label="Variants">
      <div className="row">
        <label htmlFor={`sort-${job.jobId}`}>Sort</label>
        <select id={`sort-${job.jobId}`} value={sort} onChange={(e) => setSort(e.target.value)}>
          {SORTS.map((s) => (
            <option key={s.key} value={s.key}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <table className="contributions" aria-label="Variants done">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Parameters</th>
            <th scope="col">Top speed</th>
            <th scope="col">Contacts</th>
            <th scope="col">At rest</th>
            <th scope="col">File</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.index} data-variant={r.index}>
              <td>{r.index}</td>
              <td>{r.label}</td>
              <td>{r.maxSpeed.toFixed(2)} m/s</td>
              <td>{r.contacts}</td>
              <td>{r.restSeconds === null ? 'still moving' : `${r.restSeconds.toFixed(2)} s`}</td>
              <td>
                <code>{r.file}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
