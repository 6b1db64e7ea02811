import { describe, expect, it } from 'vitest';
import { benchPhysicsStepping } from '../../../../../../electron/agent/engines/physics/index.js';

describe('benchPhysicsStepping', () => {
  it('times the engine loop and a bare Rapier loop on the same world, which end in the same bytes', async () => {
    const result = await benchPhysicsStepping({ bodies: 40, steps: 60 });
    expect(result).toMatchObject({ bodies: 40, steps: 60, identical: true });
    expect(result.engineStepsPerSecond).toBeGreaterThan(0);
    expect(result.bareStepsPerSecond).toBeGreaterThan(0);
    expect(result.overhead).toBeCloseTo(result.bareStepsPerSecond / result.engineStepsPerSecond, 6);
    await expect(benchPhysicsStepping({ bodies: 0 })).rejects.toThrow(/bodies must be a whole number from 1 to 100000/);
  });
});
