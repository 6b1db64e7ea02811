// Owns Blender jobs on the coordinator: a .blend read here by Blender and shipped with every file
// it uses; frame chunks for an animation; regions plus a stitch task (run by a worker's Blender,
// which gets the region tiles as assets) for a still; one task for a bake. Results: frames named
// after the scene's output path in the job's output folder; region tiles (float EXR) kept until
// the stitch is done; a bake's .blend and its disk cache beside the original. Workers qualify by
// the Blender major.minor they advertise. The worker's half is BlenderEngine.

import { MAX_PIXELS, type EngineAdvert, type JobAbout, type TaskSpec } from '../../../../shared/model/jobs.js';
import type { JobPreview } from '../../../../shared/control-api/index.js';
import { describeImages } from '../../jobs/compile-render-job.js';
import { frameFilePicture, heldBlob } from '../../jobs/task-pictures.js';
import { TroupeError } from '../../../../shared/errors.js';
import { type CommandLine, type CompileHints, type FinishedPart, type JobType, type LeaseBase, type ResultFiles, type TaskOutputs, keepFrames, heldTiles, filesOfNonBuckets } from '../../jobs/job-type.js';
import { BLENDER_COMMANDS, blenderRequestFromCommand } from './blender-command.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { GPU_FEATURE_PREFIX, OIDN_FEATURE } from './blender-capabilities.js';
import type { BlenderFinder } from './blender-finder.js';
import { blendCacheFolder, blenderFrameFileName } from './blender-frame-names.js';
import { readBlendFile } from './blender-scene-reader.js';
import { buildBlenderSubmission, checkBlenderRequest, checkedProjectFiles } from './blender-submission.js';
import { compileBlenderJob, isBake, isStitch } from './blender-tasks.js';
import { BLENDER_ENGINE, BLENDER_WIRE, type BlenderLease, type BlenderRequest, type BlenderSubmission } from './blender-wire.js';

type BlenderJob = BlenderSubmission;

/** Output names a bake's task makes: the baked file, and each disk-cache file by its name. */
export const BAKED_BLEND_OUTPUT = 'blend';
export const CACHE_OUTPUT_PREFIX = 'cache:';
/** A region's PNG preview for the app (since 2.7; older workers send none): the tile is a float EXR. */
export const BUCKET_PREVIEW_OUTPUT = 'preview';
/** Where a stitch's tiles sit in its job folder, by region task. */
export const TILE_ASSET_DIR = 'troupe-tiles';

/** No file we take is larger: float RGBA at 100 megapixels, plus headers. */
const MAX_OUTPUT_BYTES = MAX_PIXELS * 16 + 1_000_000;
/** A baked .blend carries its memory caches: allow more than a frame. The bake's files in all. */
const MAX_BAKE_BYTES = 16 * 1024 ** 3;
/** Disk-cache files one bake brings back (a frame per file per cache: 250 frames of 4 caches). */
const MAX_BAKE_CACHE_FILES = 1000;

function maxImageBytes(width: number, height: number): number {
  return Math.min(MAX_OUTPUT_BYTES, width * height * 16 + 1_000_000);
}

/** "3.4.1" or "3.4" -> "3.4". */
function majorMinor(version: string | null): string | null {
  const m = version ? /^(\d+)\.(\d+)/.exec(version) : null;
  return m ? `${Number(m[1])}.${Number(m[2])}` : null;
}

export function frameFileName(job: BlenderJob, frame: number): string {
  return blenderFrameFileName(job.blender.outputPattern, frame, job.blender.fileExtension);
}

export class BlenderJobType implements JobType<BlenderSubmission, BlenderRequest, BlenderLease> {
  readonly wire = BLENDER_WIRE;
  private readonly engine = BLENDER_ENGINE;
  /** Cycles on different CPUs (and Blender builds) need not give the same bits: results are not cross-checked. */
  readonly deterministic = false;

  /**
   * `finder`: this machine's Blender, which reads a .blend before it becomes a job;
   * `privateFolders`: where no scene's file may come from (Troupe's data folder).
   */
  constructor(
    private readonly finder: BlenderFinder,
    private readonly privateFolders: readonly string[] = [],
  ) {}

  async prepare(request: BlenderRequest, blobs: BlobStore): Promise<BlenderJob> {
    await checkBlenderRequest(request);
    return buildBlenderSubmission(request, await this.read(request), blobs, { privateFolders: this.privateFolders });
  }

  /** The files a submit would send, under the same rules, before anything is stored. */
  async preview(request: BlenderRequest): Promise<JobPreview> {
    await checkBlenderRequest(request);
    const project = await checkedProjectFiles(request, (await this.read(request)).dependencies, { privateFolders: this.privateFolders });
    const files = project.files.map((f) => ({ name: f.asset, sizeBytes: f.sizeBytes }));
    return { files, totalBytes: files.reduce((sum, f) => sum + f.sizeBytes, 0), warnings: project.warnings };
  }

  private read(request: BlenderRequest): ReturnType<typeof readBlendFile> {
    const start = request.frameStart;
    const frames = start === undefined ? {} : { frameStart: start, frameEnd: request.still ? start : (request.frameEnd ?? start), frameStep: request.frameStep ?? 1 };
    return readBlendFile(this.finder, request.scenePath, frames);
  }

  compile(jobId: string, job: BlenderJob, hints: CompileHints): TaskSpec[] {
    return compileBlenderJob(jobId, job, hints);
  }

  readonly commands = BLENDER_COMMANDS;

  requestFromCommand(command: CommandLine): Record<string, unknown> {
    return blenderRequestFromCommand(command);
  }

  about(job: BlenderJob): JobAbout {
    if (isBake(job)) return { description: `Blender bake of ${job.scene.split('/').pop()}`, images: null, warnings: job.blender.warnings, tables: [] };
    const images = describeImages(job);
    const step = job.blender.frameStep > 1 ? `, every ${job.blender.frameStep}th frame` : '';
    return { ...images, description: `Blender: ${images.description}${step}`, warnings: job.blender.warnings, tables: [] };
  }

  split(): null {
    return null; // a frame's regions need a stitch on a worker; a late frame runs whole
  }

  workKey(job: BlenderJob): string | null {
    const scene = job.assets.find((a) => a.name === job.scene)?.hash;
    return scene && !isBake(job) ? JSON.stringify([this.engine, scene, job.settings.width, job.settings.height]) : null;
  }

  runsOn(job: BlenderJob, engines: readonly EngineAdvert[]): boolean {
    const { version: wanted, needs = [], device = 'any' } = job.blender;
    return engines.some((e) => {
      if (e.id !== this.engine || (wanted !== null && majorMinor(e.version) !== wanted)) return false;
      // Features not known yet (still being asked, or a machine before 2.5): it may run it.
      if (e.features === undefined) return true;
      const gpu = e.features.some((f) => f.startsWith(GPU_FEATURE_PREFIX));
      return needs.every((n) => e.features!.includes(n)) && (device !== 'gpu' || gpu);
    });
  }

  whyNoMachine(job: BlenderJob): string {
    const { needs = [], device = 'any', version } = job.blender;
    if (needs.includes(OIDN_FEATURE))
      return 'The scene denoises with OpenImageDenoise, and no machine on your team has a Blender built with it. Send it without denoising (troupe render --no-denoise, or "Render without denoising" in the app), or install Blender from blender.org on a teammate.';
    if (device === 'gpu') return 'The job asks for a GPU, and no machine on your team has one Cycles can use. Send it for any device.';
    return `No machine on your team runs Blender ${version ?? ''}`.trim() + '.';
  }

  lease(job: BlenderJob, base: LeaseBase, done: FinishedPart[]): BlenderLease {
    const { type, requestId, leaseId, jobId, task, leaseMs } = base;
    // A stitch's regions come with it: the tiles are in this coordinator's store, fetched like any asset.
    const tiles = isStitch(task)
      ? done.map((p) => {
          if (!p.outputs.tile) throw new Error(`region ${p.spec.taskId} has no tile`);
          return { name: tileAssetName(p.spec), hash: p.outputs.tile.hash, sizeBytes: p.outputs.tile.sizeBytes };
        })
      : [];
    return { type, requestId, leaseId, jobId, engine: this.engine, task, settings: job.settings, scene: job.scene, assets: [...job.assets, ...tiles], blender: { ...job.blender, warnings: [] }, leaseMs };
  }

  expectedOutputs(job: BlenderJob, task: TaskSpec, sent: TaskOutputs): TaskOutputs {
    const { width, height } = job.settings;
    const expected: TaskOutputs = {};
    const take = (name: string, limit: number): void => {
      const out = sent[name];
      if (!out) throw new Error(`the worker sent no ${name}`);
      if (out.sizeBytes > limit) throw new Error(`its ${name} of ${out.sizeBytes} bytes is larger than it can be (${limit})`);
      expected[name] = out;
    };
    if (isBake(job)) {
      take(BAKED_BLEND_OUTPUT, MAX_BAKE_BYTES);
      const caches = Object.keys(sent).filter((name) => name.startsWith(CACHE_OUTPUT_PREFIX) && safeCacheName(name));
      if (caches.length > MAX_BAKE_CACHE_FILES) throw new Error(`it sent ${caches.length} cache files; a bake brings back at most ${MAX_BAKE_CACHE_FILES}`);
      for (const name of caches) take(name, MAX_BAKE_BYTES);
      // In all, not each: any number of files at the limit each would fill the designer's disk.
      const total = Object.values(expected).reduce((sum, out) => sum + out.sizeBytes, 0);
      if (total > MAX_BAKE_BYTES) throw new Error(`its files take ${total} bytes in all, more than a bake may bring back (${MAX_BAKE_BYTES})`);
    } else if (task.kind === 'bucket') {
      const { width: w, height: h } = task.region!;
      take('tile', maxImageBytes(w, h));
      // 8-bit RGBA, deflated: never much above its raw size.
      if (sent[BUCKET_PREVIEW_OUTPUT]) take(BUCKET_PREVIEW_OUTPUT, w * h * 4 + h + 64 * 1024);
    }
    else for (const frame of task.frames) take(`frame:${frame}`, maxImageBytes(width, height));
    return expected;
  }

  async keepResult(job: BlenderJob, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<TaskOutputs> {
    if (task.kind === 'bucket') return outputs; // the tile waits for its stitch
    const named: TaskOutputs = {};
    if (isBake(job)) {
      const baked = job.blender.bakeOutput!;
      const cacheDir = `${job.outputDir}/${blendCacheFolder(baked)}`;
      for (const [name, out] of Object.entries(outputs)) {
        if (name === BAKED_BLEND_OUTPUT) continue;
        const file = safeCacheName(name)!;
        await files.writeFromBlob(cacheDir, file, out.hash);
        named[`${blendCacheFolder(baked)}/${file}`] = out;
      }
      // The .blend last: once it is there, its caches are too.
      await files.writeFromBlob(job.outputDir, baked, outputs[BAKED_BLEND_OUTPUT]!.hash);
      named[baked] = outputs[BAKED_BLEND_OUTPUT]!;
      return named;
    }
    return keepFrames(job.outputDir, task.frames, outputs, files, (frame) => frameFileName(job, frame));
  }

  heldBlobs(task: TaskSpec, outputs: TaskOutputs): string[] {
    const preview = task.kind === 'bucket' ? outputs[BUCKET_PREVIEW_OUTPUT]?.hash : undefined;
    return [...heldTiles(task, outputs), ...(preview ? [preview] : [])];
  }

  async taskImage(job: BlenderJob, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<Uint8Array> {
    if (task.kind !== 'bucket') return frameFilePicture(task, job.outputDir, this.outputFiles(task, outputs));
    if (!outputs[BUCKET_PREVIEW_OUTPUT]) throw new TroupeError('not-found', `The teammate that rendered ${task.taskId} sent no preview of it (an older Troupe there); the stitched frame will be in ${job.outputDir}`);
    return heldBlob(task, outputs[BUCKET_PREVIEW_OUTPUT].hash, job.outputDir, files);
  }

  outputFiles(task: TaskSpec, outputs: TaskOutputs): string[] {
    return filesOfNonBuckets(task, outputs);
  }

  finish(): Promise<TaskOutputs> {
    // Blender jobs have no merge: their stitch is a worker's task (it needs Blender).
    return Promise.reject(new Error('Blender jobs have no task the coordinator runs'));
  }
}

/** A region's tile in its stitch's job folder; the name carries the region, which the stitch needs. */
export function tileAssetName(task: TaskSpec): string {
  const r = task.region!;
  return `${TILE_ASSET_DIR}/${task.frames[0]}/${r.x}-${r.y}-${r.width}x${r.height}.exr`;
}

/** The region of a tile asset named by tileAssetName; null for any other name. */
export function tileRegionOf(asset: string): { x: number; y: number; width: number; height: number } | null {
  const m = new RegExp(`^${TILE_ASSET_DIR}/-?\\d+/(\\d+)-(\\d+)-(\\d+)x(\\d+)\\.exr$`).exec(asset);
  return m ? { x: Number(m[1]), y: Number(m[2]), width: Number(m[3]), height: Number(m[4]) } : null;
}

/** A cache output's file name, if it is one plain name (it comes from a teammate). */
function safeCacheName(output: string): string | null {
  const name = output.slice(CACHE_OUTPUT_PREFIX.length);
  return /^[A-Za-z0-9._-]{1,200}$/.test(name) && !name.startsWith('.') ? name : null;
}
