// @vitest-environment jsdom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { VariantRow } from '../../../shared/control-api/responses.js';
import type { JobView } from '../../../shared/model/jobs.js';
import { VariantsTable } from '../../../renderer/src/render/variants-table.js';
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
  state: 'running',
  createdAtMs: 0,
  finishedAtMs: null,
  tasksDone: 2,
  tasksTotal: 2,
  outputs: [],
  errors: [],
  warnings: [],
};
const row = (index: number, maxSpeed: number, restSeconds: number | null): VariantRow => ({ index, label: `friction=${index}`, hash: 'ab'.repeat(32), maxSpeed, contacts: 3 + index, restSeconds, file: `tower_v000${index}.glb` });

describe('a wedge\'s variants in the job view', () => {
  it('lists the done variants and asks the agent to sort them', async () => {
    const agent = fakeAgent({ jobVariants: (p: unknown) => ((p as { sortKey: string }).sortKey === '-maxSpeed' ? [row(1, 4, null), row(0, 2.5, 1.5)] : [row(0, 2.5, 1.5), row(1, 4, null)]) });
    await renderWithAgent(<VariantsTable job={job} />, agent);
    const table = screen.getByRole('table', { name: 'Variants done' });
    await screen.findByText('still moving', {}, { timeout: 30_000 }); // only a hang fails it
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-variant'))).toEqual(['0', '1']);
    expect(within(table).getByText('still moving')).toBeTruthy();
    expect(within(table).getByText('1.50 s')).toBeTruthy();
    await act(async () => fireEvent.change(screen.getByLabelText('Sort'), { target: { value: '-maxSpeed' } }));
    expect(agent.calls.filter((c) => c.name === 'jobVariants').map((c) => (c.args[0] as { sortKey: string }).sortKey)).toEqual(['index', '-maxSpeed']);
    expect(within(table).getAllByRole('row').slice(1).map((r) => r.getAttribute('data-variant'))).toEqual(['1', '0']);
  });
});
