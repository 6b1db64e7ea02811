// Owns a physics run's settings and their limits: step size, substeps, how long (seconds or
// steps), gravity, and the keyframe rate of the output. Keyframes fall on whole steps, so a
// chunked run and an uninterrupted one record the same states.

import { formatBytes } from '../format-bytes.js';
import { BadPhysicsSettingsError } from './physics-errors.js';
import type { Vec3 } from './reading/physics-scene.js';

export interface PhysicsSettings {
  /** Seconds per step; default 1/60. */
  dtSeconds?: number;
  /** Rapier steps per step, each dt/substeps long; default 1. */
  substeps?: number;
  /** How long to simulate; give this or `steps`, not both. Default 5 s. */
  durationSeconds?: number;
  steps?: number;
  /** m/s²; default [0, -9.81, 0] (glTF's up is +Y). */
  gravity?: Vec3;
  /** Keyframes per second in the output; default 30. */
  fps?: number;
}

export interface CheckedPhysicsSettings {
  dtSeconds: number;
  substeps: number;
  totalSteps: number;
  gravity: Vec3;
  fps: number;
  /** Keyframe k is the state after keyframeStep(k) steps; keyframe 0 is the start. */
  keyframeCount: number;
}

export const DEFAULT_DT_SECONDS = 1 / 60;
export const DEFAULT_DURATION_SECONDS = 5;
export const DEFAULT_FPS = 30;
export const DEFAULT_GRAVITY: Vec3 = [0, -9.81, 0];
export const MIN_DT_SECONDS = 1e-5;
export const MAX_DT_SECONDS = 0.1;
export const MAX_SUBSTEPS = 64;
/** A few hours of simulated time at typical step sizes; a billion steps would run for days. */
export const MAX_TOTAL_STEPS = 10_000_000;
export const MAX_GRAVITY_M_PER_S2 = 1000;
export const MAX_FPS = 1000;
/**
 * The whole run's keyframes are joined in memory for the output file, in a few copies at once
 * (KEYFRAME_COPIES): this keeps them within reach of any teammate (256 MiB: 1,000 bodies for
 * 5 minutes at 30 fps).
 */
export const MAX_KEYFRAME_BYTES = 256 * 2 ** 20;
/** Floats per body per keyframe (translation, rotation), as physics-stepper records them. */
const KEYFRAME_FLOATS = 7;

export function checkPhysicsSettings(settings: PhysicsSettings = {}): CheckedPhysicsSettings {
  const refuse = (why: string): never => {
    throw new BadPhysicsSettingsError(why);
  };
  const finite = (name: string, value: unknown): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) refuse(`${name} must be a finite number, not ${String(value)}`);
    return value as number;
  };
  const dtSeconds = finite('dtSeconds', settings.dtSeconds ?? DEFAULT_DT_SECONDS);
  if (!(dtSeconds > MIN_DT_SECONDS && dtSeconds <= MAX_DT_SECONDS)) {
    refuse(`dtSeconds must be above ${MIN_DT_SECONDS} s and at most ${MAX_DT_SECONDS} s, not ${dtSeconds}: smaller steps make no visible difference, larger ones let bodies pass through each other`);
  }
  const substeps = finite('substeps', settings.substeps ?? 1);
  if (!Number.isInteger(substeps) || substeps < 1 || substeps > MAX_SUBSTEPS) refuse(`substeps must be a whole number from 1 to ${MAX_SUBSTEPS}, not ${substeps}`);
  if (settings.durationSeconds !== undefined && settings.steps !== undefined) refuse('give durationSeconds or steps, not both');
  let totalSteps: number;
  if (settings.steps !== undefined) {
    totalSteps = finite('steps', settings.steps);
    if (!Number.isInteger(totalSteps) || totalSteps < 1) refuse(`steps must be a whole number of at least 1, not ${totalSteps}`);
  } else {
    const duration = finite('durationSeconds', settings.durationSeconds ?? DEFAULT_DURATION_SECONDS);
    if (!(duration > 0)) refuse(`durationSeconds must be above 0, not ${duration}`);
    totalSteps = Math.round(duration / dtSeconds);
    if (totalSteps < 1) refuse(`durationSeconds ${duration} is shorter than one step of ${dtSeconds} s`);
  }
  if (totalSteps > MAX_TOTAL_STEPS) {
    refuse(`the run would take ${totalSteps} steps; the engine runs at most ${MAX_TOTAL_STEPS} (${(MAX_TOTAL_STEPS * dtSeconds) / 3600} h at this step size): shorten it or take larger steps`);
  }
  const gravityValue: unknown = settings.gravity ?? DEFAULT_GRAVITY;
  if (!Array.isArray(gravityValue) || gravityValue.length !== 3) refuse('gravity must be three numbers (x, y, z) in m/s²');
  const gravity = (gravityValue as unknown[]).map((g, i) => finite(`gravity[${i}]`, g)) as Vec3;
  if (gravity.some((g) => Math.abs(g) > MAX_GRAVITY_M_PER_S2)) refuse(`gravity components must be within ±${MAX_GRAVITY_M_PER_S2} m/s² (Earth is 9.81), not ${gravity.join(', ')}`);
  const fps = finite('fps', settings.fps ?? DEFAULT_FPS);
  if (!(fps > 0 && fps <= MAX_FPS)) refuse(`fps must be above 0 and at most ${MAX_FPS}, not ${fps}`);
  if (fps * dtSeconds > 1 + 1e-9) refuse(`fps ${fps} asks for more keyframes than there are steps (${1 / dtSeconds} a second); lower fps or take smaller steps`);
  const keyframeCount = Math.floor((totalSteps * dtSeconds * fps) * (1 + 1e-12)) + 1;
  return { dtSeconds, substeps, totalSteps, gravity, fps, keyframeCount };
}

/** The step after which keyframe k is recorded: the step nearest k/fps seconds. */
export function keyframeStep(settings: CheckedPhysicsSettings, k: number): number {
  return Math.min(settings.totalSteps, Math.round(k / settings.fps / settings.dtSeconds));
}

/** Throws BadPhysicsSettingsError when the run's keyframes would pass MAX_KEYFRAME_BYTES: checked at submission, and again by each worker. */
export function checkKeyframeBytes(keyframeCount: number, bodies: number): void {
  const keyframeBytes = keyframeCount * bodies * KEYFRAME_FLOATS * Float32Array.BYTES_PER_ELEMENT;
  if (keyframeBytes > MAX_KEYFRAME_BYTES) {
    throw new BadPhysicsSettingsError(
      `the run would record ${keyframeCount} keyframes of ${bodies} bodies (${formatBytes(keyframeBytes)}); ` +
        `at most ${formatBytes(MAX_KEYFRAME_BYTES)} of keyframes are kept: lower fps or shorten the run`,
    );
  }
}
