import { describe, expect, it } from 'vitest';
import { BadPhysicsSettingsError, checkPhysicsSettings, keyframeStep } from '../../../../../../electron/agent/engines/physics/index.js';

function refusal(settings: object): string {
  try {
    checkPhysicsSettings(settings as never);
  } catch (err) {
    expect(err).toBeInstanceOf(BadPhysicsSettingsError);
    expect((err as BadPhysicsSettingsError).code).toBe('bad-request');
    return (err as Error).message;
  }
  throw new Error('not refused');
}

describe('checkPhysicsSettings', () => {
  it('fills in defaults: 1/60 s steps for 5 s, Earth gravity down -Y, 30 keyframes a second with both ends', () => {
    expect(checkPhysicsSettings()).toEqual({ dtSeconds: 1 / 60, substeps: 1, totalSteps: 300, gravity: [0, -9.81, 0], fps: 30, keyframeCount: 151 });
  });

  it('takes a duration or a step count, and puts keyframes on whole steps', () => {
    const s = checkPhysicsSettings({ dtSeconds: 0.01, steps: 250, fps: 24, substeps: 4, gravity: [0, 0, -9.81] });
    expect(s).toMatchObject({ totalSteps: 250, substeps: 4, keyframeCount: 61 });
    expect([0, 1, 2, 60].map((k) => keyframeStep(s, k))).toEqual([0, 4, 8, 250]);
    expect(checkPhysicsSettings({ durationSeconds: 2, dtSeconds: 1 / 120 }).totalSteps).toBe(240);
  });

  it('refuses what is not a number, or out of bounds, saying the bounds', () => {
    expect(refusal({ dtSeconds: NaN })).toMatch(/dtSeconds must be a finite number, not NaN/);
    expect(refusal({ dtSeconds: Infinity })).toMatch(/not Infinity/);
    expect(refusal({ dtSeconds: '0.01' })).toMatch(/not 0.01/);
    expect(refusal({ dtSeconds: 1e-5 })).toMatch(/above 0.00001 s and at most 0.1 s, not 0.00001/);
    expect(refusal({ dtSeconds: 0.2 })).toMatch(/let bodies pass through each other/);
    expect(refusal({ substeps: 0 })).toMatch(/substeps must be a whole number from 1 to 64, not 0/);
    expect(refusal({ substeps: 65 })).toMatch(/not 65/);
    expect(refusal({ substeps: 1.5 })).toMatch(/not 1.5/);
    expect(refusal({ steps: 10, durationSeconds: 1 })).toMatch(/give durationSeconds or steps, not both/);
    expect(refusal({ steps: 0 })).toMatch(/at least 1/);
    expect(refusal({ durationSeconds: -1 })).toMatch(/above 0/);
    expect(refusal({ durationSeconds: 1e-4 })).toMatch(/shorter than one step/);
    expect(refusal({ gravity: [0, -9.81] })).toMatch(/three numbers/);
    expect(refusal({ gravity: [0, NaN, 0] })).toMatch(/gravity\[1\] must be a finite number/);
    expect(refusal({ gravity: [0, -5000, 0] })).toMatch(/within ±1000 m\/s²/);
    expect(refusal({ fps: 0 })).toMatch(/fps must be above 0/);
    expect(refusal({ fps: 120 })).toMatch(/more keyframes than there are steps/);
  });

  it('runs up to ten million steps and refuses a billion, saying how long that is', () => {
    expect(checkPhysicsSettings({ steps: 10_000_000 }).totalSteps).toBe(10_000_000);
    expect(refusal({ steps: 1e9 })).toMatch(/would take 1000000000 steps; the engine runs at most 10000000 .*shorten it or take larger steps/);
    expect(refusal({ durationSeconds: 1e6, dtSeconds: 0.01 })).toMatch(/100000000 steps/);
  });
});
