// Owns turning "simulate this glTF" into a physics job on the coordinator: the scene read and
// checked on a physics thread, never in the agent's own (no rigid bodies, an unsupported shape,
// malformed extension data, more memory than a scene may use: refused here, with the reason,
// before any task exists), the settings checked, a wedge's variants listed and each one's
// overrides tried against the scene, and the scene's files stored by content address.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join } from 'node:path';
import { TroupeError } from '../../../../../shared/errors.js';
import { MAX_FPS, MAX_FRAMES_PER_JOB, MAX_PIXELS, MAX_SIDE_PX, MIN_FPS, type AssetRef } from '../../../../../shared/model/jobs.js';
import { MAX_BAKE_CHUNKS, PHYSICS_ENGINE, bakeChunkCount, type PhysicsRequest, type PhysicsSubmission, type PhysicsVariant } from '../physics-wire.js';
import { checkAssetName } from '../../../jobs/asset-name.js';
import type { BlobStore } from '../../../storage/blob-store.js';
import { EngineStoppedError } from '../../engine-errors.js';
import { coordinatorThread } from '../worker/physics-runner.js';
import { MAX_SNAPSHOT_BYTES } from '../worker/physics-chunk-state.js';
import { checkPhysicsSettings } from '../physics-settings.js';


/** A bake's default chunk: long enough that a chunk's hand-over costs little beside it, short enough to move a bake soon. */
const DEFAULT_CHUNKS = 16;
const MIN_DEFAULT_CHUNK_STEPS = 600;

/** The scene and its files a physics lease carries at most (the lease's own limit, 16, less the chunk's snapshot). */
export const MAX_PHYSICS_SCENE_FILES = 15;

export function defaultChunkSteps(totalSteps: number): number {
  return Math.max(MIN_DEFAULT_CHUNK_STEPS, Math.ceil(totalSteps / DEFAULT_CHUNKS));
}

export async function buildPhysicsSubmission(req: PhysicsRequest, blobs: BlobStore): Promise<PhysicsSubmission> {
  if (!isAbsolute(req.scenePath) || !isAbsolute(req.outputDir)) throw new TroupeError('bad-request', 'Scene and output folder must be absolute paths');
  const ext = extname(req.scenePath).toLowerCase();
  if (ext !== '.glb' && ext !== '.gltf') throw new TroupeError('bad-scene', `${basename(req.scenePath)} is not a glTF scene (.glb or .gltf)`);
  const info = await stat(req.scenePath).catch(() => null);
  if (!info?.isFile()) throw new TroupeError('not-found', `No scene file at ${req.scenePath}`);
  if (req.random && !req.wedge) throw new TroupeError('bad-request', 'Random variants need ranges to draw from: add a wedge such as "friction=0.2:0.8,restitution=0:1"');
  if (req.thenRender && req.wedge) throw new TroupeError('bad-request', 'A render can follow a bake, not a wedge: render the variant you want from its .glb');
  if (req.thenRender) {
    const { width, height } = req.thenRender;
    if (width > MAX_SIDE_PX || height > MAX_SIDE_PX || width * height > MAX_PIXELS)
      throw new TroupeError('bad-request', `${width}x${height} is too large: at most ${MAX_SIDE_PX} pixels a side and ${MAX_PIXELS / 1e6} megapixels`);
  }

  const settings = checkPhysicsSettings(req.settings);
  // The scene is read on a physics thread, never in the agent's own (§12.4): its JSON and reader
  // objects meet the thread's heap limit, and the memory estimate, before anything is allocated.
  const scene = await coordinatorThread()
    .inspect({
      scenePath: req.scenePath,
      ...(req.settings ? { settings: req.settings } : {}),
      ...(req.wedge ? { wedge: req.wedge } : {}),
      ...(req.random ? { random: req.random } : {}),
    })
    .catch((err: unknown) => {
      // The thread died reading it (its heap limit): the file's fault, said as such.
      if (err instanceof EngineStoppedError) throw new TroupeError('bad-scene', `${basename(req.scenePath)} could not be read within the memory a scene may use (${err.message}); make the scene smaller`);
      throw err;
    });
  const variants: PhysicsVariant[] = scene.variants;

  const job = req.wedge ? 'wedge' : 'bake';
  const chunkSteps = job === 'bake' ? Math.min(req.chunkSteps ?? defaultChunkSteps(settings.totalSteps), settings.totalSteps) : settings.totalSteps;
  if (bakeChunkCount(settings.totalSteps, chunkSteps) > MAX_BAKE_CHUNKS)
    throw new TroupeError('bad-request', `${settings.totalSteps} steps in chunks of ${chunkSteps} make more than ${MAX_BAKE_CHUNKS} chunks; take longer chunks`);

  // The scene and the files it names beside it (data: URIs travel inside it); a chunk's lease adds the snapshot.
  if (1 + scene.beside.length > MAX_PHYSICS_SCENE_FILES)
    throw new TroupeError(
      'bad-scene',
      `${basename(req.scenePath)} names ${scene.beside.length} files beside it; a physics job takes at most ${MAX_PHYSICS_SCENE_FILES - 1}: save it as a .glb, which carries its buffers and images inside`,
    );
  const assets: AssetRef[] = [];
  for (const name of [basename(req.scenePath), ...scene.beside]) {
    const safe = checkAssetName(name);
    const { hash, sizeBytes } = await blobs.put(createReadStream(join(dirname(req.scenePath), safe))).catch((err: NodeJS.ErrnoException) => {
      throw new TroupeError('not-found', `The scene needs ${safe}, which cannot be read (${err.code ?? err.message})`);
    });
    assets.push({ name: safe, hash, sizeBytes });
  }
  const { dtSeconds, substeps, totalSteps, gravity, fps, keyframeCount } = settings;
  if (req.thenRender && (fps < MIN_FPS || fps > MAX_FPS)) throw new TroupeError('bad-request', `A render needs ${MIN_FPS} to ${MAX_FPS} frames a second, not ${fps}`);
  if (req.thenRender && keyframeCount > MAX_FRAMES_PER_JOB) throw new TroupeError('bad-request', `The bake has ${keyframeCount} keyframes; a render takes at most ${MAX_FRAMES_PER_JOB} frames: lower --fps`);
  return {
    name: req.name ?? basename(req.scenePath, ext),
    engine: PHYSICS_ENGINE,
    scene: assets[0]!.name,
    assets,
    outputDir: req.outputDir,
    priority: req.priority,
    physics: {
      job,
      settings: { dtSeconds, substeps, totalSteps, gravity, fps, keyframeCount },
      variants,
      chunkSteps,
      bodies: scene.bodies,
      snapshotBytes: Math.min(scene.snapshotBytes, MAX_SNAPSHOT_BYTES),
      warnings: scene.warnings.slice(0, 32).map((w) => w.slice(0, 1000)),
    },
    // Frame N at N / fps s: frame 0 is the scene as it starts, the last the end of the bake.
    thenRender: req.thenRender ? { ...req.thenRender, frameStart: 0, frameEnd: keyframeCount - 1, fps } : null,
  };
}
