// A bake rendered as it goes: each frame waits for the first bake so far that holds the keyframes
// its moment falls between, and each bake so far holds only a window of keyframes around its own
// frames (not the bake from keyframe 0, which over many chunks would be written again and again).

import { describe, expect, it } from 'vitest';
import { bakeRenderTasks, partialBakeWindow } from '../../../../../../electron/agent/engines/physics/coordinator/bake-render-tasks.js';
import { checkPhysicsSettings, keyframeStep, type CheckedPhysicsSettings } from '../../../../../../electron/agent/engines/physics/physics-settings.js';
import { chunkKeyframeRange } from '../../../../../../electron/agent/engines/physics/worker/physics-stepper.js';
import type { TaskSpec } from '../../../../../../shared/model/jobs.js';
import type { PhysicsSubmission } from '../../../../../../electron/agent/engines/physics/physics-wire.js';

type PhysicsJob = PhysicsSubmission;

function bake(settings: CheckedPhysicsSettings, chunkSteps: number): { job: PhysicsJob; chunks: TaskSpec[]; range: (i: number) => { fromStep: number; toStep: number } } {
  const count = Math.ceil(settings.totalSteps / chunkSteps);
  const range = (i: number) => ({ fromStep: i * chunkSteps, toStep: Math.min(settings.totalSteps, (i + 1) * chunkSteps) });
  const job = {
    engine: 'physics',
    physics: { job: 'bake', settings, variants: [{ index: 0, label: '', overrides: {} }], chunkSteps, bodies: 3, warnings: [] },
    thenRender: { width: 8, height: 8, samplesPerPixel: 1, frameStart: 0, frameEnd: settings.keyframeCount - 1 },
  } as unknown as PhysicsJob;
  const chunks = Array.from({ length: count }, (_, i): TaskSpec => ({ taskId: `j:c${i}`, kind: 'chunk', frames: [i], region: null, dependsOn: i ? [`j:c${i - 1}`] : [], cost: 1 }));
  return { job, chunks, range };
}

/** The keyframes whose moments frame f's moment f / fps lies between (or on). */
function bracket(settings: CheckedPhysicsSettings, f: number): number[] {
  const t = f / settings.fps;
  let k = 0;
  while (k + 1 < settings.keyframeCount && keyframeStep(settings, k + 1) * settings.dtSeconds <= t) k++;
  return k + 1 < settings.keyframeCount ? [k, k + 1] : [k];
}

describe('bakeRenderTasks and partialBakeWindow', () => {
  for (const [fps, substeps, chunkSteps, seconds] of [
    [24, 1, 6, 2],
    [25, 2, 1, 1],
    [30, 1, 7, 3],
    [60, 1, 5, 1],
    [24, 1, 600, 30],
  ] as const) {
    it(`each frame's bake so far holds the keyframes around its moment, and no more than its own chunk's and two before (${fps} fps, chunks of ${chunkSteps} steps)`, () => {
      const settings = checkPhysicsSettings({ durationSeconds: seconds, fps, substeps });
      const { job, chunks, range } = bake(settings, chunkSteps);
      const tasks = bakeRenderTasks('j', job, chunks, 'j:bake', range);
      const last = chunks.length - 1;
      for (const frame of tasks.filter((t) => t.kind === 'frames')) {
        const f = frame.frames[0]!;
        const [source] = frame.dependsOn;
        if (source === 'j:bake') continue; // the final bake holds every keyframe
        const i = Number(/:p(\d+)$/.exec(source!)![1]);
        expect(i).toBeLessThan(last);
        const window = partialBakeWindow(settings, i, range);
        for (const k of [...bracket(settings, f), Math.max(0, f - 1), f, f + 1]) {
          expect(k, `frame ${f}, bake so far ${i}: keyframe ${k} in [${window.first}, ${window.end})`).toBeGreaterThanOrEqual(window.first);
          expect(k).toBeLessThan(window.end);
        }
      }
      for (let i = 0; i < last; i++) {
        const { first, end, chunks: needed } = partialBakeWindow(settings, i, range);
        const own = chunkKeyframeRange(settings, range(i).fromStep, range(i).toStep);
        expect(end).toBe(own.end);
        expect(end - first).toBeLessThanOrEqual(own.end - own.first + 2);
        // The chunks listed hold the window, in order, the first of them holding its first keyframe.
        expect(needed.at(-1)).toBe(i);
        const held = chunkKeyframeRange(settings, range(needed[0]!).fromStep, range(needed[0]!).toStep);
        expect(held.first).toBeLessThanOrEqual(first);
        if (needed.length > 1) expect(held.end).toBeGreaterThan(first);
      }
    });
  }
});
