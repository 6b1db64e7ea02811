// What the scheduler's tests share: a small built-in-renderer animation, and a scheduler whose
// jobs are all checkable, with 'self' as this machine.

import type { BuiltinRenderSubmission as RenderSubmission } from '../../../../../electron/agent/engines/builtin-render/render-wire.js';
import { MemoryJobJournal } from '../../../../../electron/agent/scheduler/ports.js';
import { PullScheduler, type SchedulerEvents } from '../../../../../electron/agent/scheduler/pull-scheduler.js';
import { ResultChecks } from '../../../../../electron/agent/scheduler/result-checks.js';

/** An 8x8 animation of frames 1..frames. */
export function renderSubmission(frames: number): RenderSubmission {
  return {
    name: 'job',
    engine: 'builtin-render',
    kind: 'animation',
    scene: 'scene.glb',
    assets: [],
    settings: { width: 8, height: 8, samplesPerPixel: 1, seed: 1, frameStart: 1, frameEnd: frames, fps: 24, format: 'png' },
    outputDir: '/out',
    priority: 0,
  };
}

/**
 * A fixed draw for tests of what a check does rather than who runs it: the machine that asks runs
 * it when it may (the agent draws at random: result-checks-collusion.test.ts).
 */
export const ASKER_DRAWN = (pool: readonly string[], asker: string): string => (pool.includes(asker) ? asker : pool[0]!);

/** A scheduler with result checks at `rate` (1e-9: each worker's first task only); merges by the coordinator. */
export function checkedScheduler(now: () => number, events: SchedulerEvents = {}, rate = 1e-9): PullScheduler {
  return new PullScheduler({ now }, new MemoryJobJournal(), null, events, 5000, true, null, { checks: new ResultChecks({ now }, 'self', rate, undefined, ASKER_DRAWN), checkable: () => true });
}
