// Owns the physics engine's jobs on the coordinator. A wedge is one `variant` task per variant
// (the whole run, on any worker); a bake is a chain of `chunk` tasks, each starting from the
// previous one's snapshot (shipped as an asset of its lease), and a `merge` here that joins the
// chunks' keyframes into the baked glTF. Results: per variant `<name>_v<nnnn>.glb` and `.json`;
// per bake `<name>.baked.glb` and `<name>.summary.json`. The worker's half is PhysicsEngine.
//
//   bake:   c0 --snapshot--> c1 --snapshot--> ... --> c(n-1) --> merge (here: keyframes -> .glb)
//   wedge:  v0  v1  v2 ... (independent)

import type { EngineAdvert, JobAbout, ResultTable, TaskSpec, TaskView } from '../../../../../shared/model/jobs.js';
import { readFile } from 'node:fs/promises';
import type { CommandLine, CompileHints, FinishedPart, JobType, LeaseBase, ResultFiles, TaskOutputs } from '../../../jobs/job-type.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { keepFrames } from '../../../jobs/job-type.js';
import { frameFilePicture } from '../../../jobs/task-pictures.js';
import { TroupeError } from '../../../../../shared/errors.js';
import { maxFrameBytes } from '../../builtin-render/coordinator/path-tracer-job-type.js';
import { BUILTIN_RENDER_ENGINE, type BuiltinRenderLease } from '../../builtin-render/render-wire.js';
import { assembleBake, bakeSoFar } from './bake-assembly.js';
import { BAKED_SO_FAR, bakeRenderTasks, isPartialBake } from './bake-render-tasks.js';
import { checkChunkKeyframes, keyframesByteLength } from '../keyframes-codec.js';
// Rapier's snapshot holds the colliders' shapes (triangle meshes too): allowed well past the scene's size.
import { MAX_SNAPSHOT_BYTES, readSnapshotHeader } from '../worker/physics-chunk-state.js';
import { BadPhysicsChunksError } from '../physics-errors.js';
import { parsePhysicsSummary } from '../physics-output.js';
import { keyframeStep } from '../physics-settings.js';
import { chunkKeyframeRange } from '../worker/physics-stepper.js';
import { PHYSICS_COMMANDS, physicsRequestFromCommand } from './physics-command.js';
import { buildPhysicsSubmission } from './physics-submission.js';
import { OUT, SNAPSHOT_ASSET, chunkSteps, maxSummaryBytes, renderFrameName, variantFileName } from './physics-job-files.js';
import { VARIANTS_TABLE, variantTable } from './variant-table.js';
import { PHYSICS_ENGINE, PHYSICS_ENGINE_VERSION, PHYSICS_WIRE, bakeChunkCount, type PhysicsLease, type PhysicsRequest, type PhysicsSubmission } from '../physics-wire.js';

type PhysicsJob = PhysicsSubmission;

export class PhysicsJobType implements JobType<PhysicsSubmission, PhysicsRequest, PhysicsLease | BuiltinRenderLease> {
  readonly wire = PHYSICS_WIRE;
  private readonly engine = PHYSICS_ENGINE;
  readonly commands = PHYSICS_COMMANDS;
  /** Rapier's deterministic build: the same run gives the same bits on every machine. */
  readonly deterministic = true;

  prepare(request: PhysicsRequest, blobs: BlobStore): Promise<PhysicsJob> {
    return buildPhysicsSubmission(request, blobs);
  }

  requestFromCommand(command: CommandLine): Record<string, unknown> {
    return physicsRequestFromCommand(command);
  }

  about(job: PhysicsJob): JobAbout {
    const { settings, variants } = job.physics;
    const run = `${settings.totalSteps} steps of ${settings.dtSeconds.toFixed(4)} s`;
    if (job.physics.job === 'wedge') return { description: `physics sweep of ${variants.length} variants, ${run}`, images: null, warnings: job.physics.warnings, tables: [VARIANTS_TABLE] };
    const render = job.thenRender;
    const chunks = bakeChunkCount(settings.totalSteps, job.physics.chunkSteps);
    return {
      description: `physics bake in ${chunks} chunks, ${run}${render ? `, then ${render.frameEnd - render.frameStart + 1} frames rendered at ${render.width}×${render.height}` : ''}`,
      images: render ? { width: render.width, height: render.height, frameStart: render.frameStart, frameEnd: render.frameEnd, still: false } : null,
      warnings: job.physics.warnings,
      tables: [],
    };
  }

  table(job: PhysicsJob, jobId: string, name: string, tasks: readonly TaskView[], sort: string): Promise<ResultTable> {
    return variantTable(job, jobId, name, tasks, sort);
  }

  compile(jobId: string, job: PhysicsJob, _hints: CompileHints): TaskSpec[] {
    const { settings, bodies, variants } = job.physics;
    const stepCost = Math.max(1, bodies);
    if (job.physics.job === 'wedge')
      return variants.map((v) => ({ taskId: `${jobId}:v${v.index}`, kind: 'variant' as const, frames: [v.index], region: null, dependsOn: [], cost: stepCost * settings.totalSteps }));
    const chunks: TaskSpec[] = [];
    for (let i = 0; i < bakeChunkCount(settings.totalSteps, job.physics.chunkSteps); i++) {
      const { fromStep, toStep } = chunkSteps(job, i);
      chunks.push({ taskId: `${jobId}:c${i}`, kind: 'chunk', frames: [i], region: null, dependsOn: i === 0 ? [] : [`${jobId}:c${i - 1}`], cost: stepCost * (toStep - fromStep), ...(i > 0 ? { sticky: true } : {}) });
    }
    const merge: TaskSpec = { taskId: `${jobId}:bake`, kind: 'merge', frames: [0], region: null, dependsOn: chunks.map((c) => c.taskId), cost: settings.keyframeCount * bodies * 0.01, runsOn: 'coordinator' };
    return [...chunks, merge, ...bakeRenderTasks(jobId, job, chunks, merge.taskId, (i) => chunkSteps(job, i))];
  }

  split(): null {
    return null; // a variant or a chunk is one run: it cannot be cut across machines
  }

  workKey(): null {
    return null;
  }

  /** Only machines on this machine's Rapier release: another may simulate (and so check) differently. */
  runsOn(_job: PhysicsJob, engines: readonly EngineAdvert[]): boolean {
    return engines.some((e) => e.id === this.engine && e.version === PHYSICS_ENGINE_VERSION);
  }

  lease(job: PhysicsJob, base: LeaseBase, done: FinishedPart[]): PhysicsLease | BuiltinRenderLease {
    const { type, requestId, leaseId, jobId, task, leaseMs } = base;
    if (task.kind === 'frames') {
      // A frame of the render that follows the bake: the built-in renderer's own lease, on the bake so far.
      const baked = done[0]?.outputs[BAKED_SO_FAR];
      if (!baked || !job.thenRender) throw new Error(`frame ${task.frames[0]} has no bake to render from`);
      return { type, requestId, leaseId, jobId, engine: BUILTIN_RENDER_ENGINE, task, settings: job.thenRender, scene: BAKED_SO_FAR, assets: [{ name: BAKED_SO_FAR, ...baked }], leaseMs };
    }
    const common = { type, requestId, leaseId, jobId, engine: PHYSICS_ENGINE as typeof PHYSICS_ENGINE, task, scene: job.scene, settings: job.physics.settings, leaseMs };
    if (task.kind === 'variant') {
      const variant = job.physics.variants.find((v) => v.index === task.frames[0])!;
      return { ...common, assets: job.assets, variant, fromStep: 0, toStep: job.physics.settings.totalSteps, snapshot: null };
    }
    const { fromStep, toStep } = chunkSteps(job, task.frames[0]!);
    const previous = done.find((d) => d.spec.taskId === task.dependsOn[0])?.outputs[OUT.snapshot];
    if (task.dependsOn.length > 0 && !previous) throw new Error(`chunk ${task.frames[0]} has no snapshot from the chunk before it`);
    const assets = previous ? [...job.assets, { name: SNAPSHOT_ASSET, hash: previous.hash, sizeBytes: previous.sizeBytes }] : job.assets;
    return { ...common, assets, variant: job.physics.variants[0]!, fromStep, toStep, snapshot: previous ? SNAPSHOT_ASSET : null };
  }

  expectedOutputs(job: PhysicsJob, task: TaskSpec, sent: TaskOutputs): TaskOutputs {
    const { bodies, settings } = job.physics;
    const sceneBytes = job.assets.reduce((n, a) => n + a.sizeBytes, 0);
    if (task.kind === 'frames') {
      const { width, height } = job.thenRender!;
      const out = sent[`frame:${task.frames[0]}`];
      if (!out) throw new Error(`the worker sent no image for frame ${task.frames[0]}`);
      if (out.sizeBytes > maxFrameBytes(width, height)) throw new Error(`its frame of ${out.sizeBytes} bytes is larger than a ${width}×${height} image can be`);
      return { [`frame:${task.frames[0]}`]: out };
    }
    const summaryBytes = maxSummaryBytes(job);
    const limits: Record<string, number> =
      task.kind === 'variant'
        ? // The scene again, plus per keyframe a time and each body's translation and rotation.
          { [OUT.glb]: sceneBytes + settings.keyframeCount * (4 + bodies * 28) + 1_000_000, [OUT.summary]: summaryBytes }
        : // A chunk's keyframes are exactly its own (not the whole run's: a thousand chunks would be a thousand runs).
          { [OUT.keyframes]: chunkKeyframesBytes(job, task.frames[0]!), [OUT.snapshot]: job.physics.snapshotBytes ?? MAX_SNAPSHOT_BYTES, [OUT.summary]: summaryBytes };
    const expected: TaskOutputs = {};
    for (const [name, max] of Object.entries(limits)) {
      const out = sent[name];
      if (!out) throw new Error(`the worker sent no ${name}`);
      if (out.sizeBytes > max) throw new Error(`its ${name} of ${out.sizeBytes} bytes is larger than this job's can be (${max})`);
      expected[name] = out;
    }
    return expected;
  }

  async keepResult(job: PhysicsJob, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<TaskOutputs> {
    if (task.kind === 'frames') return keepFrames(job.outputDir, task.frames, outputs, files, (f) => renderFrameName(job, f));
    // A teammate's result is looked at before it counts: wrong ones fail the task (it runs elsewhere), not the bake.
    await checkChunkOrVariant(job, task, outputs, files);
    if (task.kind !== 'variant') return outputs; // a chunk's parts wait in the store for the next chunk and the merge
    const index = task.frames[0]!;
    const named: TaskOutputs = {};
    for (const [out, ext] of [[OUT.glb, 'glb'], [OUT.summary, 'json']] as const) {
      const name = variantFileName(job, index, ext);
      await files.writeFromBlob(job.outputDir, name, outputs[out]!.hash);
      named[name] = outputs[out]!;
    }
    return named;
  }

  /** The frames of a bake's render have pictures; a variant's or a chunk's results are files and numbers. */
  taskImage(job: PhysicsJob, task: TaskSpec, outputs: TaskOutputs): Promise<Uint8Array> {
    if (task.kind === 'frames') return frameFilePicture(task, job.outputDir, this.outputFiles(task, outputs));
    return Promise.reject(new TroupeError('not-found', `Task ${task.taskId} makes files, not an image: they are in ${job.outputDir}`));
  }

  heldBlobs(task: TaskSpec, outputs: TaskOutputs): string[] {
    if (task.kind === 'chunk') return Object.values(outputs).map((o) => o.hash);
    return task.kind === 'merge' && outputs[BAKED_SO_FAR] ? [outputs[BAKED_SO_FAR].hash] : []; // what the render's frames are leased with
  }

  outputFiles(task: TaskSpec, outputs: TaskOutputs): string[] {
    return task.kind === 'chunk' ? [] : Object.keys(outputs).filter((name) => name !== BAKED_SO_FAR);
  }

  finish(job: PhysicsJob, task: TaskSpec, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
    return isPartialBake(task) ? bakeSoFar(job, task, parts, files) : assembleBake(job, parts, files);
  }
}

/** The exact size of chunk `i`'s keyframes. */
export function chunkKeyframesBytes(job: PhysicsJob, i: number): number {
  const { fromStep, toStep } = chunkSteps(job, i);
  const { first, end } = chunkKeyframeRange(job.physics.settings, fromStep, toStep);
  return keyframesByteLength(end - first, job.physics.bodies);
}

/**
 * Throws unless a chunk's or a variant's outputs are what this job's task makes: its summary, of
 * this job's shape and bodies; a chunk's keyframes, exactly its own (where, how many, at which
 * steps, finite); its snapshot, taken after its last step of a world of this job's bodies.
 */
async function checkChunkOrVariant(job: PhysicsJob, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<void> {
  const summary = parsePhysicsSummary(await readFile(files.pathOf(outputs[OUT.summary]!.hash), 'utf8'), job.physics.bodies);
  if (!summary) throw new BadPhysicsChunksError(`its summary.json is not the summary of a run of this job's ${job.physics.bodies} bodies`);
  if (task.kind !== 'chunk') return;
  const i = task.frames[0]!;
  const { fromStep, toStep } = chunkSteps(job, i);
  const { first, end } = chunkKeyframeRange(job.physics.settings, fromStep, toStep);
  checkChunkKeyframes(new Uint8Array(await readFile(files.pathOf(outputs[OUT.keyframes]!.hash))), job.physics.bodies, first, end, (k) => keyframeStep(job.physics.settings, k));
  const header = await readSnapshotHeader(files.pathOf(outputs[OUT.snapshot]!.hash));
  if (header.step !== toStep || header.bodyHandles.length !== job.physics.bodies) {
    throw new BadPhysicsChunksError(`its snapshot is of step ${header.step} with ${header.bodyHandles.length} bodies, not step ${toStep} with ${job.physics.bodies}`);
  }
}
