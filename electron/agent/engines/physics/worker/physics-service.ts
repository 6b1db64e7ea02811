// Owns the physics engine process's side of a task (physics-engine-child): the task run on the
// process's kept physics thread (Rapier compiled once per process, its memory bounded by what the
// scene declares), its outputs written into the files the agent named in the job's output folder
// (the only folder the contained process may write), and the run's warnings handed back.

import { writeFile } from 'node:fs/promises';
import type { EngineService, EngineTaskContext, EngineTaskResult } from '../../engine-child.js';
import { encodeKeyframes } from '../keyframes-codec.js';
import { physicsSummaryJson } from '../physics-output.js';
import { PhysicsThread } from './physics-runner.js';
import type { PhysicsTask } from './physics-task.js';

/** One task as the agent sends it to the physics engine process. */
export interface PhysicsEngineRequest {
  /** Its scene and snapshot paths are in the job's folder, the process's only readable one. */
  task: PhysicsTask;
  /** Names the run in its summary: the variant and the scene's asset name. */
  variant: { index: number; label: string };
  sceneName: string;
  /**
   * Where each output goes, paths the agent issued in the job's output folder: a whole run (a
   * wedge variant) writes the baked .glb, a bake's chunk its keyframes and the next snapshot.
   */
  outputs: { summary: string; glb?: string; keyframes?: string; snapshot?: string };
}

/** What the process answers: the run's warnings, for the task's log. */
export interface PhysicsEngineReply {
  warnings: string[];
}

export class PhysicsService implements EngineService {
  private readonly thread = new PhysicsThread();

  async run(raw: unknown, context: EngineTaskContext): Promise<EngineTaskResult> {
    const request = raw as PhysicsEngineRequest;
    const { outputs } = request;
    const result = await this.thread.run(request.task, { signal: context.signal, onProgress: context.progress });
    context.signal.throwIfAborted(); // stopped as it finished: the agent takes nothing, so write nothing
    const summary = { ...request.variant, ...physicsSummaryJson(request.sceneName, result) };
    if (outputs.glb) await writeFile(outputs.glb, result.glb!);
    if (outputs.keyframes) await writeFile(outputs.keyframes, encodeKeyframes(result.keyframes, result.bodies.length));
    if (outputs.snapshot) await writeFile(outputs.snapshot, result.snapshot);
    await writeFile(outputs.summary, JSON.stringify(summary, null, 2));
    const reply: PhysicsEngineReply = { warnings: result.warnings };
    return { value: reply };
  }
}
