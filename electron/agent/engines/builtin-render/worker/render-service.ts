// Owns the built-in renderer inside its engine process: one scene loaded at a time, within its
// memory budget; each frame built once into shared memory and handed to every render thread;
// and the two requests the host sends, render a region or inspect a scene.

import { statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { EngineService, EngineTaskContext, EngineTaskResult } from '../../engine-child.js';
import { buildFrameScene, toSharedFrame, type SharedFrame } from '../reading/frame-scene.js';
import { encodeExr, encodePngAsync } from '../image-encode.js';
import { RenderPool } from './render-pool.js';
import type { Region } from '../../../../../shared/model/jobs.js';
import { checkRenderRequest, type CheckedSettings } from './render-request.js';
import type { SceneMemoryEstimate } from '../reading/scene-budget.js';
import { loadBudgetedScene } from '../reading/scene-loader.js';
import type { SceneModel } from '../reading/scene-model.js';
import { inspectLoadedScene } from '../reading/scene-summary.js';

/** Where a render goes when it goes to a file: an image of the region, or its raw float RGBA. */
export interface RenderOutputFile {
  path: string;
  format: 'png' | 'exr' | 'float';
}

export type RenderEngineRequest =
  | { kind: 'render'; scenePath: string; settings: CheckedSettings; region: Region; sceneBudgetBytes: number; output?: RenderOutputFile }
  | { kind: 'inspect'; scenePath: string; fps: number; sceneBudgetBytes: number };

// Two frames: a bucketed frame is asked for again and again, an animation moves on one by one.
const FRAME_CACHE_SIZE = 2;

export class RenderService implements EngineService {
  private pool: RenderPool | null = null;
  private scene: { key: string; model: SceneModel; estimate: SceneMemoryEstimate; budgetBytes: number } | null = null;
  private readonly frames = new Map<string, SharedFrame>();

  constructor(private readonly threads: number) {}

  async run(raw: unknown, { signal, progress }: EngineTaskContext): Promise<EngineTaskResult> {
    const request = raw as RenderEngineRequest;
    if (request.kind === 'inspect') {
      // Not kept: an inspection answers once, and the process should hold nothing after it.
      return { value: inspectLoadedScene(await loadBudgetedScene(request.scenePath, request.sceneBudgetBytes), request.fps) };
    }
    const settings = checkRenderRequest(request.settings, request.region);
    const frame = await this.frameFor(request.scenePath, settings, request.sceneBudgetBytes);
    signal.throwIfAborted();
    this.pool ??= new RenderPool(this.threads);
    const pixels = await this.pool.run({ frame, settings, region: request.region }, { signal, onProgress: progress });
    const floats = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    if (!request.output) return { value: null, payload: floats };
    const { path, format } = request.output;
    const { width, height } = request.region;
    const bytes = format === 'float' ? floats : format === 'exr' ? encodeExr(pixels, width, height) : await encodePngAsync(pixels, width, height);
    await writeFile(path, bytes, { mode: 0o600 });
    return { value: { sizeBytes: bytes.byteLength } };
  }

  private async frameFor(scenePath: string, settings: CheckedSettings, budgetBytes: number): Promise<SharedFrame> {
    const stat = statSync(scenePath, { throwIfNoEntry: false });
    const key = `${scenePath}|${stat?.mtimeMs}|${stat?.size}|${stat?.ino}|${budgetBytes}`;
    if (this.scene?.key !== key) {
      this.scene = null;
      await this.evict(0);
      const { scene, estimate } = await loadBudgetedScene(scenePath, budgetBytes);
      this.scene = { key, model: scene, estimate, budgetBytes };
      collectGarbage(); // the reader's copies and the files go before a frame is built on top
    }
    const frameKey = `${key}|${settings.frame}|${settings.fps}`;
    let frame = this.frames.get(frameKey);
    if (!frame) {
      const { sceneBytes, frameBytes } = this.scene.estimate;
      // Make room: the new frame is built beside the ones kept only if the budget holds them all.
      const fits = Math.floor((this.scene.budgetBytes - sceneBytes) / Math.max(1, frameBytes)) - 1;
      await this.evict(Math.max(0, Math.min(FRAME_CACHE_SIZE - 1, fits)));
      frame = toSharedFrame(buildFrameScene(this.scene.model, settings.frame / settings.fps));
      this.frames.set(frameKey, frame);
    }
    return frame;
  }

  /**
   * Drops the oldest frames until at most `keep` are left, and frees their memory before the
   * next is built: the render threads saw them too, and hold them until they collect.
   */
  private async evict(keep: number): Promise<void> {
    if (this.frames.size <= keep) return;
    while (this.frames.size > keep) this.frames.delete(this.frames.keys().next().value!);
    await this.pool?.collect();
    collectGarbage();
  }
}

/** Shared memory is freed only by a collection; engine processes run with --expose-gc. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
