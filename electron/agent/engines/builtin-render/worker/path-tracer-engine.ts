// Owns running the built-in renderer's tasks on a worker: each frame of the task (or its bucket)
// rendered by the path tracer's engine process into a file, handed over as `frame:<n>` (PNG or
// EXR) or as `tile` (raw float RGBA, stitched exactly on the coordinator). The engine process
// stays up between tasks, so a scene is parsed once per job, not once per frame; it is loaded on
// the first task, so an agent that never renders stays small.

import { join } from 'node:path';
import type { EngineAdvert } from '../../../../../shared/model/jobs.js';
import { checkAssetName } from '../../../jobs/asset-name.js';
import type { Engine, EngineTask } from '../../engine.js';
import type { BuiltinRenderer, BuiltinRendererOptions } from './builtin-renderer.js';
import { BUILTIN_RENDER_ENGINE, BUILTIN_RENDER_WIRE, type BuiltinRenderLease } from '../render-wire.js';

export class PathTracerEngine implements Engine<BuiltinRenderLease> {
  readonly wire = BUILTIN_RENDER_WIRE;
  readonly timeLimitAdvice = 'render fewer frames per task, in regions, or with fewer samples';
  private renderer: BuiltinRenderer | null = null;
  private threads = 0;

  /** `limits`: the renderer's (defaults in render-limits.ts); tests lower them. */
  constructor(private readonly limits: Omit<BuiltinRendererOptions, 'threads'> = {}) {}

  advert(): EngineAdvert {
    return { id: BUILTIN_RENDER_ENGINE, version: null }; // part of this build, on every machine: no version of its own, no label (not worth listing)
  }

  async detect(): Promise<void> {}

  async run(lease: BuiltinRenderLease, task: EngineTask): Promise<void> {
    const scenePath = join(task.jobDir, checkAssetName(lease.scene));
    const renderer = await this.rendererFor(task.threads);
    const { task: spec, settings } = lease;
    // A bucket is a float tile, stitched exactly on the coordinator; a frame is its image file.
    const format = spec.kind === 'bucket' ? 'float' : settings.format;
    const region = spec.region ?? { x: 0, y: 0, width: settings.width, height: settings.height };
    for (const [i, frame] of spec.frames.entries()) {
      task.signal.throwIfAborted();
      const path = task.outputPath();
      // Contained: the job's own inputs to read, its own output folder to write, nothing else.
      const view = { readable: [task.jobDir], writable: [task.outputDir] };
      // Progress in rows, over all of the task's frames.
      const onProgress = (rows: number): void => task.progress(i * region.height + rows, spec.frames.length * region.height);
      await renderer.renderToFile(scenePath, { ...settings, frame }, region, { path, format }, { signal: task.signal, view, onProgress });
      await task.output(spec.kind === 'bucket' ? 'tile' : `frame:${frame}`, path);
    }
  }

  async close(): Promise<void> {
    await this.renderer?.close();
    this.renderer = null;
  }

  /** The owner may change the cores they share: a renderer with another thread count replaces this one. */
  private async rendererFor(threads: number): Promise<BuiltinRenderer> {
    if (!this.renderer || this.threads !== threads) {
      void this.renderer?.close();
      const { BuiltinRenderer } = await import('./builtin-renderer.js');
      this.renderer = new BuiltinRenderer({ ...this.limits, threads });
      this.threads = threads;
    }
    return this.renderer;
  }
}
