// Owns a physics sweep's result table ("variants"): one row per done variant, from the summary
// JSON it wrote into the job's output folder, with the numbers users sort by (top speed, contacts,
// when all came to rest).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../../../../shared/errors.js';
import type { ResultTable, ResultTableInfo, TaskView } from '../../../../../shared/model/jobs.js';
import { variantFileName } from './physics-job-files.js';
import { parsePhysicsSummary } from '../physics-output.js';
import type { PhysicsSubmission } from '../physics-wire.js';

/** A done variant and its summary numbers, and its baked file. */
interface VariantRow {
  index: number;
  label: string;
  /** The run's hash: equal variants on any machine give equal hashes. */
  hash: string;
  /** The fastest any body went (m/s). */
  maxSpeed: number;
  /** Contacts begun, all bodies together. */
  contacts: number;
  /** When the last body came to rest (s); null if one still moves at the end. */
  restSeconds: number | null;
  /** The variant's baked .glb, relative to the job's output folder. */
  file: string;
}

const SORT_KEYS = ['index', 'maxSpeed', 'contacts', 'restSeconds'] as const;
type SortKey = (typeof SORT_KEYS)[number];

/** The table a sweep offers (JobAbout.tables). */
export const VARIANTS_TABLE: ResultTableInfo = {
  name: 'variants',
  title: 'Variants',
  columns: [
    { key: 'index', label: 'Variant', sortable: true },
    { key: 'maxSpeed', label: 'Max speed', unit: 'm/s', sortable: true },
    { key: 'contacts', label: 'Contacts', sortable: true },
    { key: 'restSeconds', label: 'At rest', unit: 's', sortable: true },
    { key: 'hash', label: 'Hash', sortable: false },
    { key: 'file', label: 'File', sortable: false },
    { key: 'label', label: 'Parameters', sortable: false },
  ],
  defaultSort: 'index',
};

/**
 * Rows already read, by job, variant and when its result was accepted: the app asks again after
 * every finished task, and a wedge of thousands would otherwise read every summary each time. A
 * task done again (a distrusted worker's) has a new time, so its new summary is read.
 */
const rowCache = new Map<string, VariantRow>();
const ROW_CACHE_MAX = 20_000;

export async function variantTable(submission: PhysicsSubmission, jobId: string, table: string, tasks: readonly TaskView[], sort: string): Promise<ResultTable> {
  if (table !== VARIANTS_TABLE.name || submission.physics.job !== 'wedge') throw new TroupeError('not-found', `Job ${submission.name} has no table "${table}": only a physics sweep has one, "variants"`);
  const key = sort.replace(/^-/, '') as SortKey;
  if (!SORT_KEYS.includes(key)) throw new TroupeError('bad-request', `A sweep's variants sort by ${SORT_KEYS.join(', ')} (a leading "-": descending), not "${sort}"`);
  const labels = new Map(submission.physics.variants.map((v) => [v.index, v.label]));
  const rows: VariantRow[] = [];
  for (const task of tasks) {
    if (task.kind !== 'variant' || task.state !== 'done') continue;
    const index = task.frames[0]!;
    const cacheKey = `${jobId}:${index}:${task.attempts.findLast((a) => a.outcome === 'done')?.endedAtMs ?? ''}`;
    const known = rowCache.get(cacheKey);
    if (known) {
      rows.push(known);
      continue;
    }
    let text: string;
    try {
      text = await readFile(join(submission.outputDir, variantFileName(submission, index, 'json')), 'utf8');
    } catch {
      continue; // its file was moved or deleted from the output folder: nothing to show
    }
    // A teammate wrote it (and anyone may edit the output folder): a row only from a summary of this job's shape.
    const summary = parsePhysicsSummary(text, submission.physics.bodies);
    if (!summary) continue;
    // Loops, not Math.max(...list): a scene of a few hundred thousand bodies would pass the engine's argument limit.
    let maxSpeed = 0;
    let contacts = 0;
    let restSeconds: number | null = 0;
    for (const b of summary.bodies) {
      if (b.maxSpeedMPerS !== null && b.maxSpeedMPerS > maxSpeed) maxSpeed = b.maxSpeedMPerS;
      contacts += b.contacts;
      if (b.kind === 'kinematic' || restSeconds === null) continue;
      restSeconds = b.restSeconds === null ? null : Math.max(restSeconds, b.restSeconds);
    }
    const row = { index, label: labels.get(index) ?? '', hash: summary.hash, maxSpeed, contacts, restSeconds, file: variantFileName(submission, index, 'glb') };
    if (rowCache.size >= ROW_CACHE_MAX) rowCache.delete(rowCache.keys().next().value!);
    rowCache.set(cacheKey, row);
    rows.push(row);
  }
  const sign = sort.startsWith('-') ? -1 : 1;
  // Nulls ("still moving") sort last either way; ties by index, so the order is the same every time.
  const value = (r: VariantRow): number | null => r[key];
  rows.sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
    return sign * (x - y) || a.index - b.index;
  });
  return { columns: VARIANTS_TABLE.columns, rows: rows.map((r) => ({ ...r })) };
}
