// The built-in engine: a CPU path tracer for glTF 2.0 scenes, run on worker threads. It owns
// reading and checking scenes, rendering regions of frames, and encoding images; the job system
// owns deciding what to render, where, and where the files go.

import { resolve } from 'node:path';
import { RenderPool } from './render-pool.js';
import { checkRenderRequest, DEFAULT_FPS, type Region, type RenderSettings } from './render-request.js';
import { BadRenderRequestError } from './scene-errors.js';
import { loadScene } from './scene-loader.js';
import { summarizeScene, type SceneSummary } from './scene-summary.js';

export type { Region, RenderSettings } from './render-request.js';
export type { SceneSummary } from './scene-summary.js';
export { encodeExr, encodePng, encodePngAsync } from './image-encode.js';
export { pasteRegion } from './region-stitch.js';

/** Reads and checks a scene; throws TroupeError('bad-scene') naming what is wrong. */
export async function inspectScene(scenePath: string, fps: number = DEFAULT_FPS): Promise<SceneSummary> {
  if (!(fps > 0 && fps <= 1000)) throw new BadRenderRequestError(`fps must be above 0 and at most 1000, not ${fps}`);
  return summarizeScene(await loadScene(scenePath), fps);
}

export class BuiltinRenderer {
  private readonly pool: RenderPool;

  /** threads: how many cores the owner shares with the team. */
  constructor(opts: { threads: number }) {
    this.pool = new RenderPool(opts.threads);
  }

  /** Renders `region` of the frame; resolves to region.width * region.height * 4 linear RGBA floats. */
  render(
    scenePath: string,
    settings: RenderSettings,
    region: Region,
    opts: { signal?: AbortSignal; onProgress?: (rowsDone: number, rows: number) => void } = {},
  ): Promise<Float32Array> {
    let checked;
    try {
      checked = checkRenderRequest(settings, region);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.pool.run({ scenePath: resolve(scenePath), settings: checked, region: { ...region } }, opts);
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
