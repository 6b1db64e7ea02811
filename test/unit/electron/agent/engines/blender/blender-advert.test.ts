// What a machine's Blender says of itself in its advert: the words the app lists it by.

import { describe, expect, it } from 'vitest';
import { advertLabel, samplesOf } from '../../../../../../electron/agent/engines/blender/blender-engine.js';

describe("Blender's advert label", () => {
  it('names its version, GPUs and denoiser, and says "CPU only" once asked and no GPU was found', () => {
    expect(advertLabel('4.2', ['oidn', 'gpu:OPTIX', 'gpu:CUDA'])).toBe('Blender 4.2 (GPU: OPTIX, CUDA; OpenImageDenoise)');
    expect(advertLabel('3.4', [])).toBe('Blender 3.4 (CPU only)');
  });
});

describe("a Blender task's progress in samples", () => {
  it('reads "samples" events from the session, and nothing else or nothing malformed', () => {
    expect(samplesOf('samples', { done: 12, total: 64 })).toEqual({ done: 12, total: 64 });
    expect(samplesOf('samples', { done: 70, total: 64 })).toEqual({ done: 64, total: 64 }); // never past the end
    expect(samplesOf('frame_done', { done: 1, total: 2 })).toBeNull();
    expect(samplesOf('samples', { done: '3', total: 64 })).toBeNull();
    expect(samplesOf('samples', { done: 3, total: 0 })).toBeNull();
    expect(samplesOf('samples', { done: -1, total: 4 })).toBeNull();
  });
});
