// Owns turning "render (or bake) this .blend" into a Blender job on the coordinator: the request
// checked, the scene read by Blender here (frames, size, output), every file it uses found by
// Blender and refused if missing (before any machine starts), and the .blend and those files
// stored by content address as the job's assets.

import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { TroupeError } from '../../../../shared/errors.js';
import { MAX_FRAMES_PER_JOB, MAX_PIXELS, MAX_SIDE_PX, type AssetRef } from '../../../../shared/model/jobs.js';
import type { BlobStore } from '../../storage/blob-store.js';
import { projectFiles, type ProjectFiles } from './blender-dependencies.js';
import { OIDN_FEATURE } from './blender-capabilities.js';
import { outputPatternName } from './blender-frame-names.js';
import type { BlendFileReport } from './blender-scene-reader.js';
import type { DependencyReport } from './blender-session-protocol.js';
import { BLENDER_ENGINE, type BlenderRequest, type BlenderSubmission } from './blender-wire.js';

type BlenderJob = BlenderSubmission;

export const STILL_DITHER_WARNING =
  "A still is rendered in regions on several machines and stitched: it is rendered with dither off (the scene's dither would differ between a stitched and a one-piece frame) and without Cycles' adaptive sampling (a region alone would judge convergence differently near its edges: every pixel gets the full sample count).";

/** The request's own checks, before Blender is asked anything. */
export async function checkBlenderRequest(req: BlenderRequest): Promise<void> {
  for (const path of [req.scenePath, req.outputDir, req.outputPattern, req.outputPath, req.projectRoot, ...(req.allowFiles ?? [])])
    if (path !== undefined && !isAbsolute(path)) throw new TroupeError('bad-request', `${path} is not an absolute path`);
  if (extname(req.scenePath).toLowerCase() !== '.blend') throw new TroupeError('bad-scene', `${basename(req.scenePath)} is not a Blender file (.blend)`);
  const info = await stat(req.scenePath).catch(() => null);
  if (!info?.isFile()) throw new TroupeError('not-found', `No .blend at ${req.scenePath}`);
}

/** Where the coordinator's rules for a job's files come from besides the request. */
export interface SubmissionContext {
  /** Folders no scene file may come from (Troupe's data folder). */
  privateFolders: readonly string[];
}

/** The files the request may send, or the refusal in words naming each file that may not go or is missing. */
export async function checkedProjectFiles(req: BlenderRequest, dependencies: DependencyReport, context: SubmissionContext): Promise<ProjectFiles> {
  const project = await projectFiles(dependencies, {
    scenePath: req.scenePath,
    projectRoot: req.projectRoot,
    approved: req.allowFiles,
    privateFolders: context.privateFolders,
    allowMissing: req.allowMissing,
  });
  const file = basename(req.scenePath);
  if (project.refused.length > 0)
    throw new TroupeError('bad-scene', `${file} names files that are not sent to teammates: ${project.refused.slice(0, 10).join('; ')}${project.refused.length > 10 ? `; and ${project.refused.length - 10} more` : ''}`);
  if (project.missing.length > 0 && !req.allowMissing)
    throw new TroupeError('bad-scene', `${file} uses files that are missing: ${project.missing.slice(0, 20).join(', ')}${project.missing.length > 20 ? ` and ${project.missing.length - 20} more` : ''}. Put them back, or send the job without them (allow missing files): a frame that shows one renders it pink`);
  return project;
}

export async function buildBlenderSubmission(req: BlenderRequest, report: BlendFileReport, blobs: BlobStore, context: SubmissionContext): Promise<BlenderJob> {
  const { scene, dependencies, install } = report;
  const project = await checkedProjectFiles(req, dependencies, context);
  const file = basename(req.scenePath);
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

  const warnings: string[] = project.warnings.slice(0, 24).map((w) => w.slice(0, 1000));
  const still = req.job === 'render' && frameEnd === frameStart;
  const denoises = req.denoising === 'scene' && scene.denoising.length > 0;
  // A denoiser run on a region alone leaves seams: a denoised still renders whole on one machine.
  const wholeFrame = still && (req.stillMode === 'whole' || (req.stillMode === 'auto' && denoises));
  if (still && !wholeFrame) warnings.push(STILL_DITHER_WARNING);
  if (still && !wholeFrame && denoises)
    warnings.push(`Rendered in regions without denoising, then denoised once on the stitched frame (OpenImageDenoise, guided by the albedo and normal passes): a denoiser run on one region at a time leaves seams.`);
  if (req.denoising === 'off' && scene.denoising.length > 0) warnings.push(`Rendered without ${scene.denoising.join(', ')}, as asked.`);
  // A still in regions is denoised once stitched, by the compositor's OpenImageDenoise, whichever denoiser the scene names.
  const needs = denoises && (scene.usesOpenImageDenoise || (still && !wholeFrame)) ? [OIDN_FEATURE] : [];
  const ours = `${install.version.major}.${install.version.minor}`;
  if (req.anyBlenderVersion)
    warnings.push(`Any Blender version may render this job (it was made with ${req.blenderVersion ?? ours}): frames from other versions may look different.`);

  const name = req.name ?? basename(req.scenePath, extname(req.scenePath));
  const blendDir = dirname(req.scenePath);
  // Room first, set aside: a scene's files are stored whole before any teammate fetches them.
  const total = project.files.reduce((sum, f) => sum + f.sizeBytes, 0);
  const room = await blobs.reserveRoom(total, `${file} and the files it uses`).catch((err: Error) => {
    throw new TroupeError('bad-scene', err.message);
  });
  const assets: AssetRef[] = [];
  try {
    for (const f of project.files) {
      const { hash, sizeBytes } = await blobs.putFile(f.path, f.sizeBytes, f).catch((err: NodeJS.ErrnoException) => {
        if (err instanceof TroupeError) throw err;
        throw new TroupeError('not-found', `The scene needs ${f.path}, which cannot be read (${err.code ?? err.message})`);
      });
      room.wrote(sizeBytes);
      assets.push({ name: f.asset, hash, sizeBytes });
    }
  } finally {
    room.release();
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
      frameStep: req.frameStep ?? scene.frameStep, // the scene's step for a chosen range too
      // Workers before 2.5 resolved relative paths against this; assets now keep their project place.
      blendDir: '.',
      dependencies: project.remaps,
      allowMissing: req.allowMissing,
      denoising: req.denoising,
      device: req.device,
      wholeFrame,
      needs,
      outputPattern: outputPatternName(pattern).slice(0, 400),
      fileExtension: scene.output.useFileExtension ? scene.output.fileExtension : '',
      bakeOutput: bake ? basename(bakePath) : null,
      warnings,
    },
  };
}
