// Owns the built-in renderer's jobs on the coordinator: a glTF scene checked and stored, frames
// (or chunks of frames) for an animation, shrinking buckets plus a merge for a still, a frame
// split into buckets when a slow worker would straggle on it, and the merge stitched here from
// the float tiles. Results: `frame:<n>` images written into the output folder, `tile` kept until
// its merge. The engine that runs these tasks on a worker is PathTracerEngine.

import { MAX_PIXELS, type EngineAdvert, type JobAbout, type TaskSpec } from '../../../../../shared/model/jobs.js';
import { bucketTasks, compileRenderJob, describeImages, equalRows } from '../../../jobs/compile-render-job.js';
import { flagFrames, flagSet, flagPath, flagSize, flagText, flagWhole } from '../../../jobs/command-flags.js';
import {
  type CommandLine,
  type CompileHints,
  type FinishedPart,
  type JobType,
  type LeaseBase,
  type ResultFiles,
  type TaskOutputs,
  keepFrames,
  heldTiles,
  filesOfNonBuckets,
} from '../../../jobs/job-type.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { buildRenderSubmission } from './render-submission.js';
import { BUILTIN_RENDER_ENGINE, BUILTIN_RENDER_WIRE, type BuiltinRenderLease, type BuiltinRenderRequest, type BuiltinRenderSubmission } from '../render-wire.js';
import { stitchTiles } from './tile-stitch.js';
import { encodePngAsync } from '../image-encode.js';
import { frameFilePicture, heldBlob } from '../../../jobs/task-pictures.js';
import { TroupeError } from '../../../../../shared/errors.js';

type RenderJob = BuiltinRenderSubmission;

/** No image we make is larger: 100 megapixels of float RGBA, plus headers. */
const MAX_OUTPUT_BYTES = MAX_PIXELS * 16 + 1_000_000;
/** A merge's outputs name files it wrote here, not blobs: their hash is this placeholder. */
const NO_BLOB = '0'.repeat(64);

/** The largest image of this size we could make: float RGBA (EXR), plus headers and line offsets; a PNG is smaller. */
export function maxFrameBytes(width: number, height: number): number {
  return Math.min(MAX_OUTPUT_BYTES, width * height * 16 + 1_000_000);
}

/** `<name>_<nnnn>.<format>`, the job name made safe for every file system. */
export function frameFileName(job: RenderJob, frame: number): string {
  const safeName = job.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'render';
  return `${safeName}_${String(frame).padStart(4, '0')}.${job.settings.format}`;
}

export class PathTracerJobType implements JobType<BuiltinRenderSubmission, BuiltinRenderRequest, BuiltinRenderLease> {
  readonly wire = BUILTIN_RENDER_WIRE;
  private readonly engine = BUILTIN_RENDER_ENGINE;
  /** Per-pixel seeds: a frame or bucket is the same bytes on every machine. */
  readonly deterministic = true;
  readonly commands = [
    { verb: 'render', extensions: ['.glb', '.gltf'], usage: 'troupe render <scene.glb|scene.gltf> [--frames a-b] [--size WxH] [--samples N] [--seed N] [--exr] [--name NAME] [--out DIR]' },
  ];

  prepare(request: BuiltinRenderRequest, blobs: BlobStore): Promise<RenderJob> {
    return buildRenderSubmission(request, blobs);
  }

  requestFromCommand(command: CommandLine): Record<string, unknown> {
    const { flags } = command;
    return {
      scenePath: command.file,
      outputDir: flagPath(command, 'out', 'troupe-out'),
      ...flagFrames(flags),
      ...flagSize(flags),
      ...(flags.samples !== undefined ? { samplesPerPixel: flagWhole(flags, 'samples') } : {}),
      ...(flags.seed !== undefined ? { seed: flagWhole(flags, 'seed') } : {}),
      ...(flagSet(flags, 'exr') ? { format: 'exr' } : {}),
      ...(flags.name !== undefined ? { name: flagText(flags, 'name') } : {}),
    };
  }

  about(job: RenderJob): JobAbout {
    return { ...describeImages(job), warnings: [], tables: [] };
  }

  compile(jobId: string, job: RenderJob, hints: CompileHints): TaskSpec[] {
    return compileRenderJob(jobId, job, hints);
  }

  split(job: RenderJob, jobId: string, task: TaskSpec, parts: number): TaskSpec[] {
    const { width, height, samplesPerPixel } = job.settings;
    return bucketTasks(jobId, task.frames[0]!, width, height, samplesPerPixel, equalRows(height, parts), 's');
  }

  workKey(job: RenderJob): string | null {
    const scene = job.assets.find((a) => a.name === job.scene)?.hash;
    return scene ? JSON.stringify([this.engine, scene, job.settings.width, job.settings.height, job.settings.samplesPerPixel]) : null;
  }

  runsOn(_job: RenderJob, engines: readonly EngineAdvert[]): boolean {
    return engines.some((e) => e.id === this.engine);
  }

  lease(job: RenderJob, base: LeaseBase): BuiltinRenderLease {
    // Field for field, in this order, the lease of protocol 2.0 and 2.1.
    const { type, requestId, leaseId, jobId, task, leaseMs } = base;
    return { type, requestId, leaseId, jobId, engine: this.engine, task, settings: job.settings, scene: job.scene, assets: job.assets, leaseMs };
  }

  expectedOutputs(job: RenderJob, task: TaskSpec, sent: TaskOutputs): TaskOutputs {
    const { width, height } = job.settings;
    const names = task.kind === 'bucket' ? ['tile'] : task.frames.map((f) => `frame:${f}`);
    const expected: TaskOutputs = {};
    for (const name of names) {
      const out = sent[name];
      if (!out) throw new Error(`the worker sent no ${name}`);
      if (task.kind === 'bucket' && out.sizeBytes !== task.region!.width * task.region!.height * 16)
        throw new Error(`its tile is ${out.sizeBytes} bytes, not ${task.region!.width * task.region!.height * 16}`);
      // A worker's word on the size is all we know before fetching: hold it to what this image could be.
      if (out.sizeBytes > maxFrameBytes(width, height)) throw new Error(`its ${name} of ${out.sizeBytes} bytes is larger than a ${width}×${height} image can be (${maxFrameBytes(width, height)})`);
      expected[name] = out;
    }
    return expected;
  }

  async keepResult(job: RenderJob, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<TaskOutputs> {
    if (task.kind !== 'frames') return outputs; // tiles stay in the blob store until their merge
    return keepFrames(job.outputDir, task.frames, outputs, files, (frame) => frameFileName(job, frame));
  }

  async taskImage(job: RenderJob, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<Uint8Array> {
    if (task.kind !== 'bucket') return frameFilePicture(task, job.outputDir, this.outputFiles(task, outputs));
    // The worker sent linear floats: encoded the way the final frame will be, the assembling image looks like the result.
    const raw = await heldBlob(task, outputs.tile?.hash, job.outputDir, files);
    const { width, height } = task.region!;
    if (raw.byteLength !== width * height * 16) throw new TroupeError('internal', `The tile of ${task.taskId} has the wrong size`);
    return encodePngAsync(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)), width, height); // aligned copy
  }

  heldBlobs(task: TaskSpec, outputs: TaskOutputs): string[] {
    return heldTiles(task, outputs);
  }

  outputFiles(task: TaskSpec, outputs: TaskOutputs): string[] {
    return filesOfNonBuckets(task, outputs);
  }

  async finish(job: RenderJob, task: TaskSpec, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
    const { width, height, format } = job.settings;
    const tiles = parts.map((p) => {
      if (!p.outputs.tile) throw new Error(`bucket ${p.spec.taskId} has no tile`);
      return { region: p.spec.region!, path: files.pathOf(p.outputs.tile.hash) };
    });
    const bytes = await stitchTiles(width, height, format, tiles);
    const name = frameFileName(job, task.frames[0]!);
    await files.writeBytes(job.outputDir, name, bytes);
    return { [name]: { hash: NO_BLOB, sizeBytes: bytes.length } };
  }
}
