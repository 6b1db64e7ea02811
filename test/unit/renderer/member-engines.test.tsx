// What a member row says a machine renders with: its Blender and GPUs (advertised features).

import { describe, expect, it } from 'vitest';
import { describeEngines } from '../../../renderer/src/team/member-row.js';

describe('describeEngines', () => {
  it('names Blender with its version, GPUs and denoiser; the built-in renderer goes without saying', () => {
    expect(
      describeEngines([
        { id: 'builtin-render', version: null },
        { id: 'blender', version: '4.2', features: ['oidn', 'gpu:OPTIX', 'gpu:CUDA'] },
        { id: 'physics', version: 'rapier-0.21.0+2' },
      ]),
    ).toBe('Blender 4.2 (GPU: OPTIX, CUDA; OpenImageDenoise) · physics');
  });

  it('says "CPU only" once a Blender was asked and has no GPU, and nothing while it was not asked yet', () => {
    expect(describeEngines([{ id: 'blender', version: '3.4', features: [] }])).toBe('Blender 3.4 (CPU only)');
    expect(describeEngines([{ id: 'blender', version: '3.4' }])).toBe('Blender 3.4');
    expect(describeEngines(undefined)).toBe('');
  });
});
