// Owns a physics wedge's table: one row per done variant, from the summary JSON it wrote into the
// job's output folder, with the numbers users sort by (top speed, contacts, when all came to rest).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../../../shared/errors.js';
import type { VariantRow } from '../../../../shared/control-api/index.js';
import type { JobView, TaskView } from '../../../../shared/model/jobs.js';
import { variantFileName } from './physics-job-type.js';
import { parsePhysicsSummary } from './physics-output.js';

type SortKey = 'index' | 'maxSpeed' | 'contacts' | 'restSeconds';

/**
 * Rows already read, by job, variant and when its result was accepted: the app asks again after
 * every finished task, and a wedge of thousands would otherwise read every summary each time. A
 * task done again (a distrusted worker's) has a new time, so its new summary is read.
 */
const rowCache = new Map<string, VariantRow>();
const ROW_CACHE_MAX = 20_000;

export async function variantTable(job: JobView, tasks: TaskView[], sort: string): Promise<VariantRow[]> {
  const submission = job.submission;
  if (submission.engine !== 'physics' || submission.physics.job !== 'wedge') throw new TroupeError('not-found', `Job ${job.jobId} is not a physics wedge: it has no variants`);
  const labels = new Map(submission.physics.variants.map((v) => [v.index, v.label]));
  const rows: VariantRow[] = [];
  for (const task of tasks) {
    if (task.kind !== 'variant' || task.state !== 'done') continue;
    const index = task.frames[0]!;
    const key = `${job.jobId}:${index}:${task.attempts.findLast((a) => a.outcome === 'done')?.endedAtMs ?? ''}`;
    const known = rowCache.get(key);
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
    rowCache.set(key, row);
    rows.push(row);
  }
  const key = sort.replace(/^-/, '') as SortKey;
  const sign = sort.startsWith('-') ? -1 : 1;
  // Nulls ("still moving") sort last either way; ties by index, so the order is the same every time.
  const value = (r: VariantRow): number | null => r[key];
  return rows.sort((a, b) => {
    const [x, y] = [value(a), value(b)];
    if (x === null || y === null) return x === y ? a.index - b.index : x === null ? 1 : -1;
    return sign * (x - y) || a.index - b.index;
  });
}
