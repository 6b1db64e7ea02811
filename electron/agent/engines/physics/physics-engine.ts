// Owns running physics tasks on a worker: a wedge variant run whole, written out as the baked .glb
// and its summary; or one time chunk of a bake, from the scene (the first) or from the previous
// chunk's snapshot, handed back as its keyframes, the next snapshot and a summary. Tasks run on one
// kept-alive thread (physics-runner), which starts, and loads Rapier, when the first task arrives.

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineAdvert } from '../../../../shared/model/jobs.js';
import { PHYSICS_ENGINE, PHYSICS_ENGINE_VERSION } from '../../../../shared/model/physics-jobs.js';
import type { LeaseOf } from '../../../../shared/protocol/index.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { Engine, EngineTask } from '../engine.js';
import { encodeKeyframes } from './keyframes-codec.js';
import { OUT } from './physics-job-type.js';
import { physicsSummaryJson } from './physics-output.js';
import { PhysicsThread } from './physics-runner.js';
import type { PhysicsSettings } from './physics-settings.js';

type PhysicsLease = LeaseOf<typeof PHYSICS_ENGINE>;

/** The job's checked settings as the engine takes them (it checks them again: a lease is a teammate's word). */
export function taskSettings(lease: PhysicsLease): PhysicsSettings {
  const { dtSeconds, substeps, totalSteps, gravity, fps } = lease.settings;
  return { dtSeconds, substeps, steps: totalSteps, gravity, fps };
}

export class PhysicsEngine implements Engine<typeof PHYSICS_ENGINE> {
  readonly id = PHYSICS_ENGINE;
  private readonly thread = new PhysicsThread();

  advert(): EngineAdvert {
    return { id: this.id, version: PHYSICS_ENGINE_VERSION };
  }

  async detect(): Promise<void> {}

  async run(lease: PhysicsLease, task: EngineTask): Promise<void> {
    const scenePath = join(task.jobDir, checkAssetName(lease.scene));
    // Read by the thread, not here: a teammate's snapshot may be large, and would be copied to the thread besides.
    const snapshotPath = lease.snapshot ? join(task.jobDir, checkAssetName(lease.snapshot)) : undefined;
    const settings = taskSettings(lease);
    const whole = lease.task.kind === 'variant';
    const result = await this.thread.run(
      { scenePath, settings, overrides: lease.variant.overrides, fromStep: lease.fromStep, toStep: lease.toStep, writeGlb: whole, ...(snapshotPath ? { snapshotPath } : {}) },
      { signal: task.signal, onProgress: (done, total) => task.progress(done, total) },
    );
    for (const w of result.warnings) task.log(`warning: ${w}`);
    const put = async (name: string, bytes: Uint8Array | string): Promise<void> => {
      const path = task.outputPath();
      await writeFile(path, bytes);
      await task.output(name, path);
    };
    const summary = { index: lease.variant.index, label: lease.variant.label, ...physicsSummaryJson(lease.scene, result) };
    if (whole) {
      await put(OUT.glb, result.glb!); // the scene with the run as its animation, written by the thread
      await put(OUT.summary, JSON.stringify(summary, null, 2));
      return;
    }
    await put(OUT.keyframes, encodeKeyframes(result.keyframes, result.bodies.length));
    await put(OUT.snapshot, result.snapshot);
    await put(OUT.summary, JSON.stringify(summary, null, 2));
  }

  async close(): Promise<void> {
    await this.thread.close();
  }
}
