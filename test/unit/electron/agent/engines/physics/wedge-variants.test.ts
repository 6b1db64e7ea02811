import { describe, expect, it } from 'vitest';
import { BadWedgeSpecError, wedgeVariants } from '../../../../../../electron/agent/engines/physics/index.js';

function refusal(spec: string, random?: { count: number; seed: number }): string {
  try {
    wedgeVariants(spec, random);
  } catch (err) {
    expect(err).toBeInstanceOf(BadWedgeSpecError);
    return (err as Error).message;
  }
  throw new Error('not refused');
}

describe('wedgeVariants', () => {
  it('makes the grid, first term slowest, both ends included, numbered from 0', () => {
    const variants = wedgeVariants('friction=0.2:0.8:4,restitution=0:1:3');
    expect(variants).toHaveLength(12);
    expect(variants.map((v) => [v.overrides.friction, v.overrides.restitution])).toEqual([
      [0.2, 0], [0.2, 0.5], [0.2, 1],
      [0.4, 0], [0.4, 0.5], [0.4, 1],
      [0.6, 0], [0.6, 0.5], [0.6, 1], // 0.6, as typed, not 0.6000000000000001
      [0.8, 0], [0.8, 0.5], [0.8, 1],
    ]);
    expect(variants.map((v) => v.index)).toEqual([...Array(12).keys()]);
    expect(variants[4]!.label).toBe('friction=0.4, restitution=0.5');
  });

  it('sets gravity components and one body\'s values by name or node index', () => {
    const [v] = wedgeVariants('gravity=-3.7, gravity.x=1, Ball.vx=7, Ball.wy=2, #12.mass=3, Box r0 c1.friction=0.1, Cube.001.restitution=0.5');
    expect(v!.overrides).toEqual({
      gravity: { y: -3.7, x: 1 },
      bodies: { Ball: { linearVelocity: { x: 7 }, angularVelocity: { y: 2 } }, '#12': { mass: 3 }, 'Box r0 c1': { friction: 0.1 }, 'Cube.001': { restitution: 0.5 } },
    });
  });

  it('draws random variants from a seed: the same seed the same list, another seed another', () => {
    const a = wedgeVariants('friction=0:1,Ball.vx=2:8,gravity=-9.81', { count: 50, seed: 42 });
    expect(a).toHaveLength(50);
    expect(wedgeVariants('friction=0:1,Ball.vx=2:8,gravity=-9.81', { count: 50, seed: 42 })).toEqual(a);
    expect(wedgeVariants('friction=0:1,Ball.vx=2:8,gravity=-9.81', { count: 50, seed: 43 })).not.toEqual(a);
    for (const v of a) {
      expect(v.overrides.friction).toBeGreaterThanOrEqual(0);
      expect(v.overrides.friction).toBeLessThan(1);
      expect(v.overrides.bodies!.Ball!.linearVelocity!.x).toBeGreaterThanOrEqual(2);
      expect(v.overrides.gravity).toEqual({ y: -9.81 });
    }
    // mulberry32 from seed 42 gives the same first draw on every machine.
    expect(a[0]!.overrides.friction).toBe(0.6011037519201636);
  });

  it('refuses what it cannot read, naming the term', () => {
    expect(refusal('')).toMatch(/empty/);
    expect(refusal('friction')).toMatch(/"friction" is not name=value/);
    expect(refusal('friction=a:1:2')).toMatch(/"a", which is not a number/);
    expect(refusal('friction=0:1')).toMatch(/a range without a count/);
    expect(refusal('friction=0:1:0')).toMatch(/count 0; it must be a whole number of at least 1/);
    expect(refusal('friction=0:1:2.5')).toMatch(/count 2.5/);
    expect(refusal('friction=0:1:1')).toMatch(/count 1 but two different ends/);
    expect(refusal('friction=1:0:3')).toMatch(/min 1 above max 0/);
    expect(refusal('friction=0:1:2:3')).toMatch(/too many ":"/);
    expect(refusal('friction=0.1,friction=0.2')).toMatch(/repeats friction/);
    expect(refusal('wind=3')).toMatch(/"wind" is not one of gravity/);
    expect(refusal('Ball.colour=3')).toMatch(/"Ball.colour" is not one of/);
    expect(refusal('restitution=0:2:3')).toMatch(/out of range: restitution must be from 0 to 1/);
    expect(refusal('Ball.mass=0')).toMatch(/Ball.mass must be above 0/);
    expect(refusal('friction=0:1:101,restitution=0:1:101')).toMatch(/makes 10201 variants; at most 10000/);
    expect(refusal('friction=0:1:3', { count: 5, seed: 1 })).toMatch(/has a count, but random mode draws values/);
    expect(refusal('friction=0:1', { count: 0, seed: 1 })).toMatch(/random variants must be a whole number from 1 to 10000/);
    expect(refusal('friction=0:1', { count: 3, seed: -1 })).toMatch(/seed must be a whole number/);
  });
});
