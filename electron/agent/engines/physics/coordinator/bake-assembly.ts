// Owns joining a bake's chunks, on the coordinator: their keyframes, in order, written into the
// scene as its animation. At the end, `<name>.baked.glb` and the last chunk's summary (the whole
// run's: top speeds, contacts and rest times are carried from chunk to chunk) go into the output
// folder; for a bake that is rendered as it goes, each bake so far (and the final one) is also
// kept as a blob, which the render's frames are leased with.

import { copyFile, link, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TaskSpec } from '../../../../../shared/model/jobs.js';
import type { PhysicsSubmission } from '../physics-wire.js';
import { checkAssetName } from '../../../jobs/asset-name.js';
import type { FinishedPart, ResultFiles, TaskOutputs } from '../../../jobs/job-type.js';
import { BAKED_SO_FAR, partialBakeWindow } from './bake-render-tasks.js';
import { BadPhysicsChunksError } from '../physics-errors.js';
import { chunkSteps, OUT, safeJobName } from './physics-job-files.js';
import { boundedWarnings, parsePhysicsSummary } from '../physics-output.js';
import { coordinatorThread } from '../worker/physics-runner.js';

type PhysicsJob = PhysicsSubmission;

/** A merge's outputs name files it wrote here, not blobs: their hash is this placeholder. */
const NO_BLOB = '0'.repeat(64);

/** The chunks among `parts`, in order. */
function chunksOf(parts: FinishedPart[]): FinishedPart[] {
  return parts.filter((p) => p.spec.kind === 'chunk').sort((a, b) => a.spec.frames[0]! - b.spec.frames[0]!);
}

/** The scene with the chunks' keyframes (or `window` of them) as its animation, joined on a physics thread (never in the agent's own). */
async function bakedGlb(job: PhysicsJob, chunks: FinishedPart[], files: ResultFiles, window?: { first: number; end: number }): Promise<{ glb: Uint8Array; warnings: string[] }> {
  // The scene as the workers had it: its files laid out under their names (a .gltf names its
  // buffers). Linked or copied, not symlinked: the reader follows a buffer's symlink and refuses a
  // file outside the scene's folder, which the blob store is (a .gltf with a .bin never joined).
  const dir = await mkdtemp(join(tmpdir(), 'troupe-bake-'));
  try {
    for (const asset of job.assets) {
      const path = join(dir, checkAssetName(asset.name));
      await mkdir(dirname(path), { recursive: true });
      await link(files.pathOf(asset.hash), path).catch(() => copyFile(files.pathOf(asset.hash), path));
    }
    const { dtSeconds, substeps, totalSteps, gravity, fps } = job.physics.settings;
    return await coordinatorThread().join({
      scenePath: join(dir, checkAssetName(job.scene)),
      settings: { dtSeconds, substeps, steps: totalSteps, gravity, fps },
      keyframesPaths: chunks.map((c) => files.pathOf(c.outputs[OUT.keyframes]!.hash)),
      bodies: job.physics.bodies,
      ...(window ? { window } : {}),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The bake so far after chunk `task.frames[0]`, kept as a blob for the render's frames it covers: only their keyframes (bake-render-tasks). */
export async function bakeSoFar(job: PhysicsJob, task: TaskSpec, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
  const { first, end, chunks } = partialBakeWindow(job.physics.settings, task.frames[0]!, (i) => chunkSteps(job, i));
  const done = chunksOf(parts);
  const needed = chunks.map((i) => done.find((c) => c.spec.frames[0] === i));
  if (needed.some((c) => c === undefined)) throw new BadPhysicsChunksError(`the bake so far after chunk ${task.frames[0]} needs chunks ${chunks.join(', ')}, which are not all done`);
  const { glb } = await bakedGlb(job, needed as FinishedPart[], files, { first, end });
  return { [BAKED_SO_FAR]: await files.storeBytes(glb) };
}

export async function assembleBake(job: PhysicsJob, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
  const chunks = chunksOf(parts);
  const { glb, warnings } = await bakedGlb(job, chunks, files);
  const name = safeJobName(job);
  // The last chunk's summary, as checked when it arrived (physics-job-type): the whole run's.
  const last = parsePhysicsSummary(await readFile(files.pathOf(chunks.at(-1)!.outputs[OUT.summary]!.hash), 'utf8'), job.physics.bodies);
  if (!last) throw new BadPhysicsChunksError('the last chunk\'s summary.json is not a summary of this bake');
  const summary = JSON.stringify({ ...last, chunks: chunks.length, warnings: boundedWarnings([...last.warnings, ...warnings]) }, null, 2);
  await files.writeBytes(job.outputDir, `${name}.baked.glb`, glb);
  await files.writeBytes(job.outputDir, `${name}.summary.json`, new TextEncoder().encode(summary));
  return {
    [`${name}.baked.glb`]: { hash: NO_BLOB, sizeBytes: glb.byteLength },
    [`${name}.summary.json`]: { hash: NO_BLOB, sizeBytes: Buffer.byteLength(summary) },
    ...(job.thenRender ? { [BAKED_SO_FAR]: await files.storeBytes(glb) } : {}),
  };
}
