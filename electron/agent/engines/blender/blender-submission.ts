// Owns turning "render (or bake) this .blend" into a Blender job on the coordinator: the request
// checked, the scene read by Blender here (frames, size, output), every file it uses found by
// Blender and refused if missing (before any machine starts), and the .blend and those files
// stored by content address as the job's assets.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { TroupeError } from '../../../../shared/errors.js';
import { BLENDER_ENGINE, MAX_FRAMES_PER_JOB, MAX_PIXELS, MAX_SIDE_PX, type AssetRef, type SubmissionOf } from '../../../../shared/model/jobs.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { SubmitRequestOf } from '../../jobs/job-type.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { dependencyFiles } from './blender-dependencies.js';
import { outputPatternName } from './blender-frame-names.js';
import type { BlendFileReport } from './blender-scene-reader.js';

type BlenderRequest = SubmitRequestOf<typeof BLENDER_ENGINE>;
type BlenderJob = SubmissionOf<typeof BLENDER_ENGINE>;

export const STILL_DITHER_WARNING =
  "A still is rendered in regions on several machines and stitched: it is rendered with dither off (the scene's dither would differ between a stitched and a one-piece frame) and without Cycles' adaptive sampling (a region alone would judge convergence differently near its edges: every pixel gets the full sample count).";

/** The request's own checks, before Blender is asked anything. */
export async function checkBlenderRequest(req: BlenderRequest): Promise<void> {
  for (const path of [req.scenePath, req.outputDir, req.outputPattern, req.outputPath])
    if (path !== undefined && !isAbsolute(path)) throw new TroupeError('bad-request', `${path} is not an absolute path`);
  if (extname(req.scenePath).toLowerCase() !== '.blend') throw new TroupeError('bad-scene', `${basename(req.scenePath)} is not a Blender file (.blend)`);
  const info = await stat(req.scenePath).catch(() => null);
  if (!info?.isFile()) throw new TroupeError('not-found', `No .blend at ${req.scenePath}`);
}

export async function buildBlenderSubmission(req: BlenderRequest, report: BlendFileReport, blobs: BlobStore): Promise<BlenderJob> {
  const { scene, dependencies, install } = report;
  if (dependencies.missing.length > 0)
    throw new TroupeError('bad-scene', `${basename(req.scenePath)} uses files that are missing: ${dependencies.missing.join(', ')}`);
  if (scene.camera === null && req.job === 'render') throw new TroupeError('bad-scene', `Scene "${scene.scene}" has no active camera, so there is nothing to render`);
  if (scene.output.isMovie && req.job === 'render')
    throw new TroupeError('bad-scene', `The scene writes a movie (${scene.output.fileFormat}); a team renders frames on several machines, so choose an image sequence (PNG, OpenEXR, ...) as the output`);
  const { width, height } = scene;
  if (width > MAX_SIDE_PX || height > MAX_SIDE_PX || width * height > MAX_PIXELS)
    throw new TroupeError('bad-request', `${width}x${height} is too large: at most ${MAX_SIDE_PX} pixels a side and ${MAX_PIXELS / 1e6} megapixels`);

  const frameStart = req.frameStart ?? scene.frameStart;
  const frameEnd = req.still ? frameStart : (req.frameEnd ?? (req.frameStart !== undefined ? frameStart : scene.frameEnd));
  if (frameEnd < frameStart) throw new TroupeError('bad-request', `Frames ${frameStart}-${frameEnd} run backwards`);
  if (frameEnd - frameStart >= MAX_FRAMES_PER_JOB) throw new TroupeError('bad-request', `At most ${MAX_FRAMES_PER_JOB} frames in one job`);

  const warnings: string[] = [];
  const still = req.job === 'render' && frameEnd === frameStart;
  if (still) warnings.push(STILL_DITHER_WARNING);
  const ours = `${install.version.major}.${install.version.minor}`;
  if (req.anyBlenderVersion)
    warnings.push(`Any Blender version may render this job (it was made with ${req.blenderVersion ?? ours}): frames from other versions may look different.`);

  const name = req.name ?? basename(req.scenePath, extname(req.scenePath));
  const blendDir = dirname(req.scenePath);
  const files = [{ asset: checkAssetName(basename(req.scenePath)), path: req.scenePath }, ...dependencyFiles(blendDir, dependencies.dependencies)];
  const assets: AssetRef[] = [];
  for (const file of files) {
    const { hash, sizeBytes } = await blobs.put(createReadStream(file.path)).catch((err: NodeJS.ErrnoException) => {
      throw new TroupeError('not-found', `The scene needs ${file.path}, which cannot be read (${err.code ?? err.message})`);
    });
    assets.push({ name: file.asset, hash, sizeBytes });
  }

  const bake = req.job === 'bake';
  const bakePath = req.outputPath ?? join(blendDir, `${name}.baked.blend`);
  const pattern = req.outputPattern ?? scene.output.absolutePath;
  const outputDir = bake ? dirname(bakePath) : (req.outputDir ?? (pattern.endsWith('/') || pattern.endsWith('\\') ? pattern : dirname(pattern)));
  return {
    name,
    engine: BLENDER_ENGINE,
    kind: still || bake ? 'still' : 'animation',
    scene: assets[0]!.name,
    assets,
    settings: {
      width,
      height,
      samplesPerPixel: Math.max(1, Math.min(65_536, scene.samples ?? 1)),
      seed: 0,
      frameStart,
      frameEnd,
      fps: Math.max(1, Math.min(1000, scene.fps)),
      format: scene.output.fileFormat === 'OPEN_EXR' || scene.output.fileFormat === 'OPEN_EXR_MULTILAYER' ? 'exr' : 'png',
    },
    outputDir,
    priority: req.priority,
    blender: {
      job: req.job,
      version: req.anyBlenderVersion ? null : (req.blenderVersion ?? ours),
      frameStep: req.frameStep ?? (req.frameStart === undefined ? scene.frameStep : 1),
      blendDir,
      dependencies: files.slice(1).map((f) => ({ asset: f.asset, originalPath: (f as { originalPath: string }).originalPath })),
      outputPattern: outputPatternName(pattern).slice(0, 400),
      fileExtension: scene.output.useFileExtension ? scene.output.fileExtension : '',
      bakeOutput: bake ? basename(bakePath) : null,
      warnings,
    },
  };
}
