// The built-in engine: a CPU path tracer for glTF 2.0, run in an engine process on worker threads.
// It owns checking scenes (within a memory budget), rendering regions and encoding images; the job
// system owns what to render, where, and where the files go. Only light modules load from here.

import { DEFAULT_FPS } from './worker/render-request.js';
import { DEFAULT_SCENE_BUDGET_BYTES } from './render-limits.js';
import { BadRenderRequestError } from '../gltf/scene-errors.js';
import { SceneInspector } from './reading/scene-inspector.js';
import type { SceneSummary } from './reading/scene-summary.js';

export type { Region } from '../../../../shared/model/jobs.js';
export type { RenderSettings } from './worker/render-request.js';
export type { SceneSummary } from './reading/scene-summary.js';
export { BuiltinRenderer, type BuiltinRendererOptions } from './worker/builtin-renderer.js';
export { SceneInspector, type SceneInspectorOptions } from './reading/scene-inspector.js';
export { DEFAULT_SCENE_BUDGET_BYTES, ENGINE_HEAP_LIMIT_MB, engineMemoryLimitBytes } from './render-limits.js';
export { encodeExr, encodePng, encodePngAsync } from './image-encode.js';
export { pasteRegion } from './coordinator/region-stitch.js';

/** Reads and checks a scene in this process; throws TroupeError('bad-scene') naming what is wrong. */
export async function inspectScene(scenePath: string, fps: number = DEFAULT_FPS, budgetBytes = DEFAULT_SCENE_BUDGET_BYTES): Promise<SceneSummary> {
  if (!(fps > 0 && fps <= 1000)) throw new BadRenderRequestError(`fps must be above 0 and at most 1000, not ${fps}`);
  const [{ loadBudgetedScene }, { inspectLoadedScene }] = await Promise.all([import('./reading/scene-loader.js'), import('./reading/scene-summary.js')]);
  return inspectLoadedScene(await loadBudgetedScene(scenePath, budgetBytes), fps);
}

let isolated: SceneInspector | null = null;

/** inspectScene in an engine process with the renderer's limits, shared by every caller in this process. */
export function inspectSceneIsolated(scenePath: string, fps: number = DEFAULT_FPS): Promise<SceneSummary> {
  isolated ??= new SceneInspector();
  return isolated.inspect(scenePath, fps);
}
