// What a bake may bring back to the designer's disk: its files are bounded in number and in all.

import { describe, expect, it } from 'vitest';
import { BlenderJobType } from '../../../../../../electron/agent/engines/blender/blender-job-type.js';
import type { BlenderFinder } from '../../../../../../electron/agent/engines/blender/blender-finder.js';
import type { TaskSpec } from '../../../../../../shared/model/jobs.js';
import type { BlenderSubmission } from '../../../../../../electron/agent/engines/blender/blender-wire.js';

const GiB = 1024 ** 3;
const job = { engine: 'blender', settings: { width: 64, height: 36 }, blender: { job: 'bake', bakeOutput: 'shot.baked.blend' } } as unknown as BlenderSubmission;
const task = { taskId: 'j:bake', kind: 'frames', frames: [1], region: null, dependsOn: [], cost: 1 } as TaskSpec;
const out = (sizeBytes: number) => ({ hash: 'a'.repeat(64), sizeBytes });
const type = new BlenderJobType({} as BlenderFinder);

describe('BlenderJobType.expectedOutputs for a bake', () => {
  it('takes the baked file and its cache files', () => {
    const sent = { blend: out(10), 'cache:4F_000001_00.bphys': out(5), 'cache:../escape': out(1) };
    expect(Object.keys(type.expectedOutputs(job, task, sent)).sort()).toEqual(['blend', 'cache:4F_000001_00.bphys']);
  });

  it('refuses cache files that would fill the disk in all, though each is under the limit', () => {
    const sent = Object.fromEntries([['blend', out(GiB)], ...Array.from({ length: 4 }, (_, i) => [`cache:c_${i}.bphys`, out(15 * GiB)])]);
    expect(() => type.expectedOutputs(job, task, sent)).toThrow(/in all, more than a bake may bring back/);
  });

  it('refuses more cache files than a bake brings back', () => {
    const sent = Object.fromEntries([['blend', out(1)], ...Array.from({ length: 1001 }, (_, i) => [`cache:c_${i}.bphys`, out(1)])]);
    expect(() => type.expectedOutputs(job, task, sent)).toThrow(/1001 cache files; a bake brings back at most 1000/);
  });
});
