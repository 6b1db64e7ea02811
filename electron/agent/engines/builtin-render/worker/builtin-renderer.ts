// Owns the built-in renderer as the agent sees it: renders run in an engine process of their
// own (render-engine-child, through an EngineHost) that keeps its scene and threads between
// tasks, so a scene too large for this machine fails its task and never the agent. renderToFile
// also encodes there: a 100-megapixel frame never passes through the agent's memory.

import { resolve } from 'node:path';
import { TroupeError } from '../../../../../shared/errors.js';
import { EngineHost, type EngineView } from '../../engine-host.js';
import { compiledModule } from '../../source-modules.js';
import { DEFAULT_SCENE_BUDGET_BYTES, ENGINE_HEAP_LIMIT_MB, ENGINE_IDLE_TIMEOUT_MS, engineMemoryLimitBytes } from '../render-limits.js';
import type { Region } from '../../../../../shared/model/jobs.js';
import { checkRenderRequest, type RenderSettings } from './render-request.js';
import type { RenderEngineRequest, RenderOutputFile } from './render-service.js';

type RenderOptions = { signal?: AbortSignal; onProgress?: (rowsDone: number, rows: number) => void; view?: EngineView };

export interface BuiltinRendererOptions {
  /** How many cores the owner shares with the team. */
  threads: number;
  /** What one scene may need (default DEFAULT_SCENE_BUDGET_BYTES); more is refused before loading. */
  sceneBudgetBytes?: number;
  /** The engine process's resident memory limit, before each task's output (default from render-limits). */
  memoryLimitBytes?: number;
  idleTimeoutMs?: number;
}

/** The engine process's entry: compiled beside this file, or its source under vitest. */
export function renderEngineEntry(): URL {
  return compiledModule('./render-engine-child.js', import.meta.url) ?? new URL('./render-engine-child.ts', import.meta.url);
}

export class BuiltinRenderer {
  /** The engine process (tests look at its pid and restarts). */
  readonly host: EngineHost;
  private readonly sceneBudgetBytes: number;

  constructor(opts: BuiltinRendererOptions) {
    if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new TroupeError('bad-request', `threads must be a whole number of at least 1, not ${opts.threads}`);
    this.sceneBudgetBytes = opts.sceneBudgetBytes ?? DEFAULT_SCENE_BUDGET_BYTES;
    this.host = new EngineHost({
      label: 'the built-in renderer',
      entry: renderEngineEntry(),
      args: [String(opts.threads)],
      memoryLimitBytes: opts.memoryLimitBytes ?? engineMemoryLimitBytes(this.sceneBudgetBytes, opts.threads),
      heapLimitMb: ENGINE_HEAP_LIMIT_MB,
      idleTimeoutMs: opts.idleTimeoutMs ?? ENGINE_IDLE_TIMEOUT_MS,
    });
  }

  /** Renders `region` of the frame; resolves to region.width * region.height * 4 linear RGBA floats. */
  async render(scenePath: string, settings: RenderSettings, region: Region, opts: RenderOptions = {}): Promise<Float32Array> {
    const outputBytes = floatBytes(region);
    // The output buffer is the task's own: the process may hold it beside the scene.
    const { payload } = await this.host.run(this.request(scenePath, settings, region), { ...opts, maxPayloadBytes: outputBytes, extraMemoryBytes: outputBytes });
    if (payload?.byteLength !== outputBytes) throw new RangeError(`the renderer returned ${payload?.byteLength ?? 0} bytes for ${outputBytes}`);
    return new Float32Array(payload.buffer, payload.byteOffset, outputBytes / Float32Array.BYTES_PER_ELEMENT);
  }

  /**
   * Renders `region` into `output.path`: a PNG or EXR of it (the same bytes encodePng/encodeExr
   * make) or its float RGBA as they lie in memory. Resolves to the file's size.
   */
  async renderToFile(scenePath: string, settings: RenderSettings, region: Region, output: RenderOutputFile, opts: RenderOptions = {}): Promise<number> {
    // The float buffer, and at most as much again while it is encoded.
    const extraMemoryBytes = 2 * floatBytes(region);
    const { value } = await this.host.run({ ...this.request(scenePath, settings, region), output: { ...output, path: resolve(output.path) } }, { ...opts, extraMemoryBytes });
    return (value as { sizeBytes: number }).sizeBytes;
  }

  close(): Promise<void> {
    return this.host.close();
  }

  private request(scenePath: string, settings: RenderSettings, region: Region): RenderEngineRequest {
    const checked = checkRenderRequest(settings, region);
    return { kind: 'render', scenePath: resolve(scenePath), settings: checked, region: { ...region }, sceneBudgetBytes: this.sceneBudgetBytes };
  }
}

function floatBytes(region: Region): number {
  return region.width * region.height * 4 * Float32Array.BYTES_PER_ELEMENT;
}
