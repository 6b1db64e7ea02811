// Owns checking a scene where reading it cannot hurt the agent: in an engine process of its own
// with the renderer's memory limits, which exits soon after its last inspection. The
// coordinator inspects every submitted scene, and a submitted file is as untrusted as any.

import { resolve } from 'node:path';
import { EngineHost } from '../../engine-host.js';
import { renderEngineEntry } from '../worker/builtin-renderer.js';
import { DEFAULT_SCENE_BUDGET_BYTES, ENGINE_HEAP_LIMIT_MB, engineMemoryLimitBytes } from '../render-limits.js';
import { DEFAULT_FPS } from '../worker/render-request.js';
import type { RenderEngineRequest } from '../worker/render-service.js';
import { BadRenderRequestError } from '../../gltf/scene-errors.js';
import type { SceneSummary } from './scene-summary.js';

/** Submissions come in bursts; a process kept this long after one serves the next without a start. */
const INSPECTOR_IDLE_TIMEOUT_MS = 30_000;

export interface SceneInspectorOptions {
  sceneBudgetBytes?: number;
  memoryLimitBytes?: number;
  idleTimeoutMs?: number;
}

export class SceneInspector {
  readonly host: EngineHost;
  private readonly sceneBudgetBytes: number;

  constructor(opts: SceneInspectorOptions = {}) {
    this.sceneBudgetBytes = opts.sceneBudgetBytes ?? DEFAULT_SCENE_BUDGET_BYTES;
    this.host = new EngineHost({
      label: 'the scene check',
      entry: renderEngineEntry(),
      args: ['1'], // no render threads start unless it renders, which it does not
      memoryLimitBytes: opts.memoryLimitBytes ?? engineMemoryLimitBytes(this.sceneBudgetBytes, 0),
      heapLimitMb: ENGINE_HEAP_LIMIT_MB,
      idleTimeoutMs: opts.idleTimeoutMs ?? INSPECTOR_IDLE_TIMEOUT_MS,
      interactive: true, // the owner waits for it to open the render form
    });
  }

  /** Reads and checks a scene; throws TroupeError('bad-scene') naming what is wrong. */
  async inspect(scenePath: string, fps: number = DEFAULT_FPS): Promise<SceneSummary> {
    if (!(fps > 0 && fps <= 1000)) throw new BadRenderRequestError(`fps must be above 0 and at most 1000, not ${fps}`);
    const request: RenderEngineRequest = { kind: 'inspect', scenePath: resolve(scenePath), fps, sceneBudgetBytes: this.sceneBudgetBytes };
    return (await this.host.run(request)).value as SceneSummary;
  }

  close(): Promise<void> {
    return this.host.close();
  }
}
