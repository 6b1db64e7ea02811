// Owns the end of a bake, on the coordinator: every chunk's keyframes, in order, joined into the
// run's animation and written into the scene as `<name>.baked.glb`, with the last chunk's summary
// (the whole run's: top speeds, contacts and rest times are carried from chunk to chunk) beside it.

import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { SubmissionOf } from '../../../../shared/model/jobs.js';
import type { PHYSICS_ENGINE } from '../../../../shared/model/physics-jobs.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { FinishedPart, ResultFiles, TaskOutputs } from '../../jobs/job-type.js';
import { readPhysicsFile } from './gltf-physics-reader.js';
import { decodeKeyframes } from './keyframes-codec.js';
import { OUT, safeJobName } from './physics-job-type.js';
import { writePhysicsGlb } from './physics-output.js';
import { checkPhysicsSettings } from './physics-settings.js';
import { mergeKeyframes } from './simulated-poses.js';

type PhysicsJob = SubmissionOf<typeof PHYSICS_ENGINE>;

/** A merge's outputs name files it wrote here, not blobs: their hash is this placeholder. */
const NO_BLOB = '0'.repeat(64);

export async function assembleBake(job: PhysicsJob, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
  const chunks = parts.filter((p) => p.spec.kind === 'chunk').sort((a, b) => a.spec.frames[0]! - b.spec.frames[0]!);
  const bodies = job.physics.bodies;
  const keyframes = mergeKeyframes(await Promise.all(chunks.map(async (c) => decodeKeyframes(new Uint8Array(await readFile(files.pathOf(c.outputs[OUT.keyframes]!.hash))), bodies))));
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
    const settings = checkPhysicsSettings({ dtSeconds, substeps, steps: totalSteps, gravity, fps });
    const { glb, warnings } = await writePhysicsGlb(file, settings, keyframes);
    const name = safeJobName(job);
    const last = JSON.parse(await readFile(files.pathOf(chunks.at(-1)!.outputs[OUT.summary]!.hash), 'utf8')) as { warnings?: string[] };
    const summary = JSON.stringify({ ...last, chunks: chunks.length, warnings: [...(last.warnings ?? []), ...warnings] }, null, 2);
    await files.writeBytes(job.outputDir, `${name}.baked.glb`, glb);
    await files.writeBytes(job.outputDir, `${name}.summary.json`, new TextEncoder().encode(summary));
    return {
      [`${name}.baked.glb`]: { hash: NO_BLOB, sizeBytes: glb.byteLength },
      [`${name}.summary.json`]: { hash: NO_BLOB, sizeBytes: Buffer.byteLength(summary) },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
