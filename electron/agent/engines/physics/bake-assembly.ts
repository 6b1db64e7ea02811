// Owns joining a bake's chunks, on the coordinator: their keyframes, in order, written into the
// scene as its animation. At the end, `<name>.baked.glb` and the last chunk's summary (the whole
// run's: top speeds, contacts and rest times are carried from chunk to chunk) go into the output
// folder; for a bake that is rendered as it goes, each bake so far (and the final one) is also
// kept as a blob, which the render's frames are leased with.

import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SubmissionOf } from '../../../../shared/model/jobs.js';
import type { PHYSICS_ENGINE } from '../../../../shared/model/physics-jobs.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { FinishedPart, ResultFiles, TaskOutputs } from '../../jobs/job-type.js';
import { BAKED_SO_FAR } from './bake-render-tasks.js';
import { readPhysicsFile } from './gltf-physics-reader.js';
import { decodeKeyframes } from './keyframes-codec.js';
import { OUT, safeJobName } from './physics-job-type.js';
import { writePhysicsGlb } from './physics-output.js';
import { checkPhysicsSettings } from './physics-settings.js';
import { mergeKeyframes } from './simulated-poses.js';

type PhysicsJob = SubmissionOf<typeof PHYSICS_ENGINE>;

/** A merge's outputs name files it wrote here, not blobs: their hash is this placeholder. */
const NO_BLOB = '0'.repeat(64);

/** The chunks among `parts`, in order. */
function chunksOf(parts: FinishedPart[]): FinishedPart[] {
  return parts.filter((p) => p.spec.kind === 'chunk').sort((a, b) => a.spec.frames[0]! - b.spec.frames[0]!);
}

/** The scene with the chunks' keyframes as its animation. */
async function bakedGlb(job: PhysicsJob, chunks: FinishedPart[], files: ResultFiles): Promise<{ glb: Uint8Array; warnings: string[] }> {
  const keyframes = mergeKeyframes(await Promise.all(chunks.map(async (c) => decodeKeyframes(new Uint8Array(await readFile(files.pathOf(c.outputs[OUT.keyframes]!.hash))), job.physics.bodies))));
  // The scene as the workers had it: its files laid out under their names (a .gltf names its buffers).
  const dir = await mkdtemp(join(tmpdir(), 'troupe-bake-'));
  try {
    for (const asset of job.assets) {
      const path = join(dir, checkAssetName(asset.name));
      await mkdir(dirname(path), { recursive: true });
      await symlink(files.pathOf(asset.hash), path);
    }
    const file = await readPhysicsFile({ scenePath: join(dir, checkAssetName(job.scene)) });
    const { dtSeconds, substeps, totalSteps, gravity, fps } = job.physics.settings;
    return await writePhysicsGlb(file, checkPhysicsSettings({ dtSeconds, substeps, steps: totalSteps, gravity, fps }), keyframes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The bake so far (after a chunk), kept as a blob for the render's frames it covers. */
export async function bakeSoFar(job: PhysicsJob, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
  const { glb } = await bakedGlb(job, chunksOf(parts), files);
  return { [BAKED_SO_FAR]: await files.storeBytes(glb) };
}

export async function assembleBake(job: PhysicsJob, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
  const chunks = chunksOf(parts);
  const { glb, warnings } = await bakedGlb(job, chunks, files);
  const name = safeJobName(job);
  const last = JSON.parse(await readFile(files.pathOf(chunks.at(-1)!.outputs[OUT.summary]!.hash), 'utf8')) as { warnings?: string[] };
  const summary = JSON.stringify({ ...last, chunks: chunks.length, warnings: [...(last.warnings ?? []), ...warnings] }, null, 2);
  await files.writeBytes(job.outputDir, `${name}.baked.glb`, glb);
  await files.writeBytes(job.outputDir, `${name}.summary.json`, new TextEncoder().encode(summary));
  return {
    [`${name}.baked.glb`]: { hash: NO_BLOB, sizeBytes: glb.byteLength },
    [`${name}.summary.json`]: { hash: NO_BLOB, sizeBytes: Buffer.byteLength(summary) },
    ...(job.thenRender ? { [BAKED_SO_FAR]: await files.storeBytes(glb) } : {}),
  };
}
