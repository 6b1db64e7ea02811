// A physics submission as the coordinator builds it from the user's request: what it learns from
// reading the scene travels with the job, among it the most a chunk's snapshot of that scene can
// take, so a teammate's larger one is refused before it is fetched.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { physicsRequestSchema } from '../../../../../../electron/agent/engines/physics/physics-wire.js';
import { sceneSnapshotBytes } from '../../../../../../electron/agent/engines/physics/reading/physics-budget.js';
import { readPhysicsFile } from '../../../../../../electron/agent/engines/physics/index.js';
import { buildPhysicsSubmission } from '../../../../../../electron/agent/engines/physics/coordinator/physics-submission.js';
import { BlobStore } from '../../../../../../electron/agent/storage/blob-store.js';
import { SAMPLE, boxScene } from './physics-fixtures.js';
import { writeFile } from 'node:fs/promises';
import { TroupeError } from '../../../../../../shared/errors.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-physics-submission-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('buildPhysicsSubmission', () => {
  it("carries the bound on a chunk's snapshot, worked out from the scene as read", async () => {
    const request = physicsRequestSchema.parse({ engine: 'physics', scenePath: SAMPLE, settings: { durationSeconds: 4 }, outputDir: join(dir, 'out') });
    const job = await buildPhysicsSubmission(request, new BlobStore(join(dir, 'blobs')));
    const file = await readPhysicsFile({ scenePath: SAMPLE });
    expect(job.physics.snapshotBytes).toBe(sceneSnapshotBytes(file.estimatedBytes, file.scene));
    // 16 MiB, the scene, and per body and collider: far below the 2 GiB a job without it allows.
    expect(job.physics.snapshotBytes).toBeLessThan(20 * 2 ** 20);
  });
});

describe('a .gltf with many files beside it', () => {
  it('is refused at submit, saying to send a .glb: a lease carries at most 16 files, a chunk\'s snapshot among them', async () => {
    const folder = await mkdtemp(join(dir, 'many-'));
    const { bytes } = boxScene((json) => {
      json.buffers = Array.from({ length: 16 }, (_, i) => ({ uri: `part${i}.bin`, byteLength: 4 }));
    });
    for (let i = 0; i < 16; i++) await writeFile(join(folder, `part${i}.bin`), Buffer.alloc(4));
    await writeFile(join(folder, 'many.gltf'), bytes);
    const request = physicsRequestSchema.parse({ engine: 'physics', scenePath: join(folder, 'many.gltf'), settings: { durationSeconds: 1 }, outputDir: join(dir, 'out') });
    const refused = await buildPhysicsSubmission(request, new BlobStore(join(dir, 'blobs'))).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TroupeError);
    expect((refused as TroupeError).code).toBe('bad-scene');
    expect((refused as TroupeError).message).toBe('many.gltf names 16 files beside it; a physics job takes at most 14: save it as a .glb, which carries its buffers and images inside');
  });
});
