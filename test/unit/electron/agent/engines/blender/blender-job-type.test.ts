// What a bake may bring back to the designer's disk: its files are bounded in number and in all.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ResultFiles } from '../../../../../../electron/agent/jobs/job-type.js';
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

describe("a Blender region's preview (what the app shows of a region until its stitch)", () => {
  const still = { engine: 'blender', outputDir: '/renders/shot', settings: { width: 64, height: 36 }, blender: { job: 'render', bakeOutput: null } } as unknown as BlenderSubmission;
  const bucket = { taskId: 'j:b1.0', kind: 'bucket', frames: [1], region: { x: 0, y: 0, width: 64, height: 9 }, dependsOn: [], cost: 1 } as TaskSpec;
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  const files = { pathOf: () => join(dir, 'preview.png') } as unknown as ResultFiles;
  let dir: string;

  it('is taken beside the tile when sent, held with it, and given to the app as it came', async () => {
    dir = mkdtempSync(join(tmpdir(), 'troupe-preview-'));
    writeFileSync(join(dir, 'preview.png'), png);
    const sent = { tile: { hash: 'a'.repeat(64), sizeBytes: 1000 }, preview: { hash: 'b'.repeat(64), sizeBytes: 900 } };
    const taken = type.expectedOutputs(still, bucket, sent);
    expect(Object.keys(taken).sort()).toEqual(['preview', 'tile']);
    expect(type.heldBlobs(bucket, taken).sort()).toEqual(['a'.repeat(64), 'b'.repeat(64)]);
    expect(Buffer.from(await type.taskImage(still, bucket, taken, files))).toEqual(Buffer.from(png));
  });

  it('is refused when larger than a PNG of the region can be, and missing from an older teammate it is said so', async () => {
    const huge = { tile: { hash: 'a'.repeat(64), sizeBytes: 1000 }, preview: { hash: 'b'.repeat(64), sizeBytes: 64 * 9 * 4 + 9 + 64 * 1024 + 1 } };
    expect(() => type.expectedOutputs(still, bucket, huge)).toThrow(/its preview of \d+ bytes is larger than it can be/);
    const older = { tile: { hash: 'a'.repeat(64), sizeBytes: 1000 } };
    await expect(type.taskImage(still, bucket, type.expectedOutputs(still, bucket, older), files)).rejects.toThrow(/sent no preview of it \(an older Troupe there\)/);
  });
});
