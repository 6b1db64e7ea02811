// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView, ResultTableInfo } from '../../../shared/model/jobs.js';
import { ResultTableView } from '../../../renderer/src/render/result-table.js';
import { fakeAgent, renderWithAgent } from './fake-agent.js';

afterEach(cleanup);

const job: JobView = {
  jobId: '0123456789abcdef',
  submission: {
    name: 'tower',
    engine: 'physics',
    scene: 'tower.glb',
    assets: [],
    outputDir: '/out',
    priority: 0,
    physics: {
      job: 'wedge',
      settings: { dtSeconds: 1 / 60, substeps: 1, totalSteps: 180, gravity: [0, -9.81, 0], fps: 30, keyframeCount: 91 },
      variants: [0, 1].map((index) => ({ index, label: `friction=${index}`, overrides: { friction: index } })),
      chunkSteps: 180,
      bodies: 13,
      warnings: [],
    },
    thenRender: null,
  },
  about: { description: 'physics sweep of 2 variants', images: null, warnings: [], tables: [] },
  state: 'running',
  createdAtMs: 0,
  finishedAtMs: null,
  tasksDone: 2,
  tasksTotal: 2,
  outputs: [],
  errors: [],
  warnings: [],
};
/** A table as a job type offers it: what the view knows of it before any row. */
const info: ResultTableInfo = {
  name: 'variants',
  title: 'Variants',
  columns: [
    { key: 'index', label: 'Variant', sortable: true },
    { key: 'maxSpeed', label: 'Max speed', unit: 'm/s', sortable: true },
    { key: 'restSeconds', label: 'At rest', unit: 's', sortable: true },
    { key: 'file', label: 'File', sortable: false },
  ],
  defaultSort: 'index',
};
const row = (index: number, maxSpeed: number, restSeconds: number | null) => ({ index, label: `friction=${index}`, hash: 'ab'.repeat(32), maxSpeed, contacts: 3 + index, restSeconds, file: `tower_v000${index}.glb` });

describe("a job's result table in the job view", () => {
  it('shows the rows done with their units, and asks the agent to sort by a column either way', async () => {
    const rows = (sort: string) => (sort === '-maxSpeed' ? [row(1, 4, null), row(0, 2.5, 1.5)] : [row(0, 2.5, 1.5), row(1, 4, null)]);
    const agent = fakeAgent({ jobTable: (p: unknown) => ({ columns: info.columns, rows: rows((p as { sortKey: string }).sortKey) }) });
    await renderWithAgent(<ResultTableView job={job} info={info} />, agent);
    const table = screen.getByRole('table', { name: 'Variants done' });
    await screen.findByText('1.50 s', {}, { timeout: 30_000 }); // only a hang fails it
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-row'))).toEqual(['0', '1']);
    expect(within(table).getByText('4 m/s')).toBeTruthy();
    expect(within(table).getByText('–')).toBeTruthy(); // still moving: no time at rest
    // Sortable columns only, both ways; the file column is not one.
    expect(within(screen.getByLabelText('Sort')).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['index', '-index', 'maxSpeed', '-maxSpeed', 'restSeconds', '-restSeconds']);
    await act(async () => fireEvent.change(screen.getByLabelText('Sort'), { target: { value: '-maxSpeed' } }));
    expect(agent.calls.filter((c) => c.name === 'jobTable').map((c) => c.args[0] as { table: string; sortKey: string })).toEqual([
      expect.objectContaining({ table: 'variants', sortKey: 'index' }),
      expect.objectContaining({ table: 'variants', sortKey: '-maxSpeed' }),
    ]);
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-row'))).toEqual(['1', '0']);
  });
});
