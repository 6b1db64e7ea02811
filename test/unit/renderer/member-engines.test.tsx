// What a member row says a machine runs: each engine in its own words (its advert's label).

import { describe, expect, it } from 'vitest';
import { describeEngines } from '../../../renderer/src/team/member-row.js';

describe('describeEngines', () => {
  it("lists each engine by its advert's label; an engine every Troupe has (no label) goes without saying", () => {
    expect(
      describeEngines([
        { id: 'builtin-render' },
        { id: 'blender', label: 'Blender 4.2 (GPU: OPTIX, CUDA; OpenImageDenoise)' },
        { id: 'physics', label: 'physics' },
      ]),
    ).toBe('Blender 4.2 (GPU: OPTIX, CUDA; OpenImageDenoise) · physics');
    expect(describeEngines(undefined)).toBe('');
  });
});
