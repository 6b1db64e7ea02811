// What a (contained) engine hands over is read by the agent outside the sandbox: an output that is
// a link (to the owner's key, say) in place of the file the engine was given is refused, and the
// file it points at goes nowhere.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { WorkLease } from '../../../../../shared/protocol/index.js';
import type { EngineTask } from '../../../../../electron/agent/engines/engine.js';
import type { EngineRegistry } from '../../../../../electron/agent/engines/engine-registry.js';
import { BlobCache } from '../../../../../electron/agent/storage/blob-cache.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';
import { TaskRunner } from '../../../../../electron/agent/worker/task-runner.js';
import { TaskTimeLimitError } from '../../../../../electron/agent/worker/task-time-limit.js';
import type { WorkSource } from '../../../../../electron/agent/worker/work-source.js';
import { tempDir } from '../engines/builtin-render/scene-fixtures.js';
import { BUILTIN_RENDER_WIRE } from '../../../../../electron/agent/engines/builtin-render/render-wire.js';

const dir = tempDir();
const secret = join(dir, 'id_ed25519');
writeFileSync(secret, 'OWNER PRIVATE KEY');
const blobs = new BlobStore(join(dir, 'blobs'));
const cache = new BlobCache(blobs, join(dir, 'blobs'));
const source = { coordinatorId: 'c'.repeat(64), fetchAsset: async () => undefined, progress: () => undefined } as unknown as WorkSource;
const lease = { type: 'work.lease', requestId: 0, leaseId: 'l1', jobId: '0123456789abcdef', engine: 'builtin-render', task: { taskId: 't1', kind: 'frames', frames: [1], region: null, dependsOn: [], cost: 1 }, scene: 'scene.glb', settings: { width: 8, height: 8, samplesPerPixel: 1, seed: 1, frameStart: 1, frameEnd: 1, fps: 24, format: 'png' }, assets: [], leaseMs: 60_000 } as unknown as WorkLease;

/** A runner whose one engine does `work` with its task. */
const runnerWith = (work: (task: EngineTask) => Promise<void>) =>
  new TaskRunner(blobs, cache, join(dir, 'work'), { engine: () => ({ wire: BUILTIN_RENDER_WIRE, run: (_l: unknown, task: EngineTask) => work(task) }), close: async () => undefined } as unknown as EngineRegistry);

describe('outputs a contained engine hands over', () => {
  it('a link in place of the output file is refused, and what it points at is not stored', async () => {
    const runner = runnerWith(async (task) => {
      const path = task.outputPath();
      mkdirSync(task.outputDir, { recursive: true });
      symlinkSync(secret, path); // planted by an engine that was taken over
      await task.output('frame:1', path);
    });
    await expect(runner.run(lease, source, 1, new AbortController().signal)).rejects.toThrow(/is not a plain file/);
    const keyHash = createHash('sha256').update('OWNER PRIVATE KEY').digest('hex');
    expect(existsSync(blobs.pathOf(keyHash))).toBe(false); // never in the store, so never sent
  });

  it('a plain file is taken as before', async () => {
    const runner = runnerWith(async (task) => {
      const path = task.outputPath();
      mkdirSync(task.outputDir, { recursive: true });
      writeFileSync(path, 'png bytes');
      await task.output('frame:1', path);
    });
    const result = await runner.run(lease, source, 1, new AbortController().signal);
    expect(result.outputs['frame:1']?.sizeBytes).toBe(9);
  });
});

describe("a teammate's task at this machine's time limit", () => {
  /** An engine that runs until it is told to stop, as a scene built never to finish would. */
  const endless = (seen: { signal?: AbortSignal }) =>
    runnerWith(
      (task) =>
        new Promise<void>((_resolve, reject) => {
          seen.signal = task.signal;
          task.signal.addEventListener('abort', () => reject(new Error('the engine stopped: cancelled')));
        }),
    );

  it('is stopped, and fails naming the limit, not as a cancel', async () => {
    const seen: { signal?: AbortSignal } = {};
    const err = await endless(seen).run(lease, source, 1, new AbortController().signal, 20).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TaskTimeLimitError);
    expect((err as Error).message).toMatch(/longer than the 20 ms its worker allows/);
    expect(seen.signal?.aborted).toBe(true);
  });

  it('a cancel before the limit is still a cancel', async () => {
    const seen: { signal?: AbortSignal } = {};
    const controller = new AbortController();
    const running = endless(seen).run(lease, source, 1, controller.signal, 3600_000).catch((e: unknown) => e);
    await vi.waitFor(() => expect(seen.signal).toBeDefined());
    controller.abort();
    expect(await running).not.toBeInstanceOf(TaskTimeLimitError);
  });
});
