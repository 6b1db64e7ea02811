// Owns turning "render this glTF file" into a built-in renderer job: the scene checked before any
// task exists (a corrupt or unsupported scene is refused here, with its reason), its files stored
// by content address under safe relative names, and the settings bounded.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { TroupeError } from '../../../../../shared/errors.js';
import { MAX_FRAMES_PER_JOB, MAX_PIXELS, MAX_SIDE_PX, type AssetRef } from '../../../../../shared/model/jobs.js';
import { checkAssetName } from '../../../jobs/asset-name.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { BUILTIN_RENDER_ENGINE, type BuiltinRenderRequest, type BuiltinRenderSubmission } from '../render-wire.js';

export async function buildRenderSubmission(req: BuiltinRenderRequest, blobs: BlobStore): Promise<BuiltinRenderSubmission> {
  const { width, height } = req;
  if (width > MAX_SIDE_PX || height > MAX_SIDE_PX || width * height > MAX_PIXELS)
    throw new TroupeError('bad-request', `${width}x${height} is too large: at most ${MAX_SIDE_PX} pixels a side and ${MAX_PIXELS / 1e6} megapixels`);
  if (!isAbsolute(req.scenePath) || !isAbsolute(req.outputDir)) throw new TroupeError('bad-request', 'Scene and output folder must be absolute paths');
  const ext = extname(req.scenePath).toLowerCase();
  if (ext !== '.glb' && ext !== '.gltf') throw new TroupeError('bad-scene', `${basename(req.scenePath)} is not a glTF scene (.glb or .gltf)`);
  const info = await stat(req.scenePath).catch(() => null);
  if (!info?.isFile()) throw new TroupeError('not-found', `No scene file at ${req.scenePath}`);
  const frameEnd = req.frameEnd ?? req.frameStart;
  if (frameEnd < req.frameStart) throw new TroupeError('bad-request', `Frames ${req.frameStart}-${frameEnd} run backwards`);
  if (frameEnd - req.frameStart >= MAX_FRAMES_PER_JOB) throw new TroupeError('bad-request', `At most ${MAX_FRAMES_PER_JOB} frames in one job`);

  // The scene is read in an engine process with the renderer's memory limits, never in the
  // agent: a submitted file is as untrusted as any. Throws 'bad-scene' with the reason.
  const { inspectSceneIsolated } = await import('../index.js');
  const summary = await inspectSceneIsolated(req.scenePath, req.fps);
  if (summary.triangles === 0) throw new TroupeError('bad-scene', `${basename(req.scenePath)} has no triangles to render`);

  // The buffers and images the check read beside the scene (relative URIs; data: URIs travel inside it).
  const names = [basename(req.scenePath), ...summary.externalFiles];
  const assets: AssetRef[] = [];
  for (const name of names) {
    const safe = checkAssetName(name);
    const path = join(dirname(req.scenePath), safe);
    const { hash, sizeBytes } = await blobs.put(createReadStream(path)).catch((err: NodeJS.ErrnoException) => {
      throw new TroupeError('not-found', `The scene needs ${safe}, which cannot be read (${err.code ?? err.message})`);
    });
    assets.push({ name: safe, hash, sizeBytes });
  }
  return {
    name: req.name ?? basename(req.scenePath, ext),
    engine: BUILTIN_RENDER_ENGINE,
    kind: frameEnd > req.frameStart ? 'animation' : 'still',
    scene: assets[0]!.name,
    assets,
    settings: {
      width,
      height,
      samplesPerPixel: req.samplesPerPixel,
      seed: req.seed,
      frameStart: req.frameStart,
      frameEnd,
      fps: req.fps,
      format: req.format,
    },
    outputDir: req.outputDir,
    priority: req.priority,
  };
}
