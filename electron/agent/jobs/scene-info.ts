// Owns what a scene offers the app as a job's defaults (its animation's frames, whether it has a
// camera, what the user should know). The file is read in an engine process with the renderer's
// limits, as a submission's is: a dropped file is as untrusted as any.

import { stat } from 'node:fs/promises';
import { basename, extname, isAbsolute } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import type { SceneInfo } from '../../../shared/control-api/index.js';

/** Frames per second the app offers for an animated scene (glTF keeps time in seconds). */
const DEFAULT_FPS = 24;

export async function inspectScene(scenePath: string): Promise<SceneInfo> {
  if (!isAbsolute(scenePath)) throw new TroupeError('bad-request', 'The scene must be an absolute path');
  const name = basename(scenePath);
  const ext = extname(scenePath).toLowerCase();
  if (ext !== '.glb' && ext !== '.gltf')
    throw new TroupeError('bad-scene', `${name} is not a scene Troupe can render: drop a glTF scene (.glb, or .gltf with its files)`);
  const info = await stat(scenePath).catch(() => null);
  if (!info?.isFile()) throw new TroupeError('not-found', `No scene file at ${scenePath}`);
  const { inspectSceneIsolated } = await import('../engines/builtin-render/index.js');
  const summary = await inspectSceneIsolated(scenePath, DEFAULT_FPS);
  return {
    scenePath,
    name,
    sizeBytes: info.size,
    frames: summary.animationFrames && summary.animationFrames > 1 ? { start: 1, end: summary.animationFrames, fps: DEFAULT_FPS } : null,
    hasCamera: summary.hasCamera,
    triangles: summary.triangles,
    lights: summary.lights,
    warnings: summary.warnings,
  };
}
