// What a machine's Blender says of itself in its advert: the words the app lists it by.

import { describe, expect, it } from 'vitest';
import { advertLabel } from '../../../../../../electron/agent/engines/blender/blender-engine.js';

describe("Blender's advert label", () => {
  it('names its version, GPUs and denoiser, and says "CPU only" once asked and no GPU was found', () => {
    expect(advertLabel('4.2', ['oidn', 'gpu:OPTIX', 'gpu:CUDA'])).toBe('Blender 4.2 (GPU: OPTIX, CUDA; OpenImageDenoise)');
    expect(advertLabel('3.4', [])).toBe('Blender 3.4 (CPU only)');
  });
});
