// Owns the names and parts of a physics job that both of its halves and its tables use: the
// outputs a worker sends, the file names a job writes, a bake's chunk boundaries and how large a
// summary may be. Kept apart from the job type so the modules it uses need not import it.

import type { PhysicsSubmission } from '../physics-wire.js';

type PhysicsJob = PhysicsSubmission;

/** Output names a worker sends. */
export const OUT = { glb: 'result.glb', summary: 'summary.json', keyframes: 'keyframes', snapshot: 'snapshot' } as const;
/** The previous chunk's snapshot among a chunk's assets: a name no scene file can have (asset names are checked). */
export const SNAPSHOT_ASSET = 'troupe-chunk.snapshot';
/** A summary: a few hundred bytes a body (its name is the scene's), the scene's warnings (at most 64, each within 1000 characters). */
const MAX_SUMMARY_BYTES = 64 * 1024 * 1024;
export function maxSummaryBytes(job: PhysicsJob): number {
  const sceneBytes = job.assets.reduce((n, a) => n + a.sizeBytes, 0);
  return Math.min(MAX_SUMMARY_BYTES, 256 * 1024 + job.physics.bodies * 2048 + 2 * sceneBytes);
}

export function safeJobName(job: PhysicsJob): string {
  return job.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'physics';
}

export function variantFileName(job: PhysicsJob, index: number, ext: 'glb' | 'json'): string {
  return `${safeJobName(job)}_v${String(index).padStart(4, '0')}.${ext}`;
}

/** A rendered frame's file: `<name>_<nnnn>.<png|exr>`. */
export function renderFrameName(job: PhysicsJob, frame: number): string {
  return `${safeJobName(job)}_${String(frame).padStart(4, '0')}.${job.thenRender!.format}`;
}

/** Steps [from, to) of chunk `i`. */
export function chunkSteps(job: PhysicsJob, i: number): { fromStep: number; toStep: number } {
  const { totalSteps } = job.physics.settings;
  return { fromStep: i * job.physics.chunkSteps, toStep: Math.min(totalSteps, (i + 1) * job.physics.chunkSteps) };
}
