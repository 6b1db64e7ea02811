// Owns running physics tasks on a worker: a wedge variant run whole, written out as the baked .glb
// and its summary; or one time chunk of a bake, from the scene (the first) or from the previous
// chunk's snapshot, handed back as its keyframes, the next snapshot and a summary. Tasks run in an
// engine process of their own (physics-engine-child, through an EngineHost), contained like the
// renderer's: it reads the job's folder and writes the job's output folder, nothing else, with no
// network; its physics thread keeps Rapier compiled between the tasks of a job.

import os from 'node:os';
import { join } from 'node:path';
import type { EngineAdvert } from '../../../../../shared/model/jobs.js';
import { PHYSICS_ENGINE, PHYSICS_ENGINE_VERSION, PHYSICS_WIRE, type PhysicsLease } from '../physics-wire.js';
import { checkAssetName } from '../../../jobs/asset-name.js';
import { ENGINE_BASE_BYTES } from '../../builtin-render/render-limits.js';
import type { Engine, EngineTask } from '../../engine.js';
import { EngineHost } from '../../engine-host.js';
import { compiledModule } from '../../source-modules.js';
import { KEYFRAME_COPIES, PHYSICS_SCENE_BUDGET_BYTES, THREAD_BASE_BYTES } from '../reading/physics-budget.js';
import { OUT } from '../coordinator/physics-job-files.js';
import type { PhysicsEngineReply, PhysicsEngineRequest } from './physics-service.js';
import { MAX_KEYFRAME_BYTES, type PhysicsSettings } from '../physics-settings.js';


/**
 * The engine process's bound: its own start, a thread, the largest scene and snapshot and the
 * largest keyframes in their copies, or 60 % of this machine's memory (as Blender's) where that is
 * more: a scene of many bodies may declare more than the sum. The thread inside holds each task
 * to what its own scene declares (physics-runner), and says so in words; this bound is for what
 * that cannot see.
 */
const PHYSICS_ENGINE_MEMORY_BYTES = Math.max(
  ENGINE_BASE_BYTES + THREAD_BASE_BYTES + 2 * PHYSICS_SCENE_BUDGET_BYTES + MAX_KEYFRAME_BYTES * KEYFRAME_COPIES,
  Math.round(os.totalmem() * 0.6),
);
/** The process's own JS heap (the thread has its own limit); scenes and worlds live outside it. */
const PHYSICS_ENGINE_HEAP_MB = 512;
/** As the thread inside: a minute idle, and the process gives its memory back. */
const PHYSICS_ENGINE_IDLE_MS = 60_000;

/** The checked settings of the job as the engine takes them (it checks them again: a lease is a teammate's word). */
export function taskSettings(lease: PhysicsLease): PhysicsSettings {
  const { dtSeconds, substeps, totalSteps, gravity, fps } = lease.settings;
  return { dtSeconds, substeps, steps: totalSteps, gravity, fps };
}

/** The engine process's entry: compiled beside this file, or its source under vitest. */
function physicsEngineEntry(): URL {
  return compiledModule('./physics-engine-child.js', import.meta.url) ?? new URL('./physics-engine-child.ts', import.meta.url);
}

export class PhysicsEngine implements Engine<PhysicsLease> {
  readonly wire = PHYSICS_WIRE;
  readonly timeLimitAdvice = 'simulate fewer steps (a bake: shorter chunks; a wedge: a shorter run per variant)';
  private readonly id = PHYSICS_ENGINE;
  /** The engine process (tests look at its pid and restarts). */
  readonly host = new EngineHost({
    label: 'the physics engine',
    entry: physicsEngineEntry(),
    memoryLimitBytes: PHYSICS_ENGINE_MEMORY_BYTES,
    heapLimitMb: PHYSICS_ENGINE_HEAP_MB,
    idleTimeoutMs: PHYSICS_ENGINE_IDLE_MS,
  });

  advert(): EngineAdvert {
    return { id: this.id, version: PHYSICS_ENGINE_VERSION, label: 'physics' };
  }

  async detect(): Promise<void> {}

  async run(lease: PhysicsLease, task: EngineTask): Promise<void> {
    const scenePath = join(task.jobDir, checkAssetName(lease.scene));
    // Read by the engine process, not here: a teammate's snapshot may be large.
    const snapshotPath = lease.snapshot ? join(task.jobDir, checkAssetName(lease.snapshot)) : undefined;
    const whole = lease.task.kind === 'variant';
    const names = whole ? [OUT.glb, OUT.summary] : [OUT.keyframes, OUT.snapshot, OUT.summary];
    const paths = new Map(names.map((name) => [name, task.outputPath()]));
    const request: PhysicsEngineRequest = {
      task: {
        scenePath,
        settings: taskSettings(lease),
        overrides: lease.variant.overrides,
        fromStep: lease.fromStep,
        toStep: lease.toStep,
        writeGlb: whole,
        ...(snapshotPath ? { snapshotPath } : {}),
      },
      variant: { index: lease.variant.index, label: lease.variant.label },
      sceneName: lease.scene,
      outputs: { summary: paths.get(OUT.summary)!, glb: paths.get(OUT.glb), keyframes: paths.get(OUT.keyframes), snapshot: paths.get(OUT.snapshot) },
    };
    // Contained: the job's own inputs to read, its own output folder to write, nothing else.
    const { value } = await this.host.run(request, {
      signal: task.signal,
      onProgress: (done, total) => task.progress(done, total),
      view: { readable: [task.jobDir], writable: [task.outputDir] },
    });
    for (const w of (value as PhysicsEngineReply).warnings) task.log(`warning: ${w}`);
    for (const [name, path] of paths) await task.output(name, path);
  }

  async close(): Promise<void> {
    await this.host.close();
  }
}
