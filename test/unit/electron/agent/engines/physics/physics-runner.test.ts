import { describe, expect, it } from 'vitest';
import {
  BadPhysicsSceneError,
  BadPhysicsSettingsError,
  runPhysicsTask,
  runPhysicsTaskInProcess,
} from '../../../../../../electron/agent/engines/physics/index.js';
import { PhysicsThread } from '../../../../../../electron/agent/engines/physics/worker/physics-runner.js';
import { boxScene, SAMPLE } from './physics-fixtures.js';

describe('runPhysicsTask (a worker thread per task)', () => {
  it('runs the task off this thread to the same bytes as in this thread, reporting progress', async () => {
    const task = { scenePath: SAMPLE, settings: { durationSeconds: 2 } };
    const progress: number[] = [];
    const threaded = await runPhysicsTask(task, { onProgress: (done, steps) => progress.push(done / steps) });
    const local = await runPhysicsTaskInProcess(task);
    expect(threaded.hash).toBe(local.hash);
    expect(Buffer.from(threaded.snapshot).equals(Buffer.from(local.snapshot))).toBe(true);
    expect(threaded.keyframes.poses).toEqual(local.keyframes.poses);
    expect(progress.at(-1)).toBe(1);
  });

  it('ends the thread when cancelled, and says so', async () => {
    const controller = new AbortController();
    let progressed = false;
    const run = runPhysicsTask(
      { scenePath: SAMPLE, settings: { steps: 2_000_000, fps: 1 } },
      {
        signal: controller.signal,
        onProgress: () => {
          progressed = true;
          controller.abort();
        },
      },
    );
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(progressed).toBe(true); // and it ended long before 2,000,000 steps: the test's own timeout catches a stop that is not one
    await expect(runPhysicsTask({ scenePath: SAMPLE }, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('hands back the engine\'s own named errors', async () => {
    const noBodies = boxScene((j) => delete j.nodes[1].extensions.KHR_physics_rigid_bodies.motion);
    const err = await runPhysicsTask({ sceneBytes: noBodies.bytes, fileName: 'static.gltf' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadPhysicsSceneError);
    expect((err as Error).message).toMatch(/static.gltf has no dynamic rigid body to simulate/);
    await expect(runPhysicsTask({ scenePath: SAMPLE, settings: { substeps: 99 } })).rejects.toBeInstanceOf(BadPhysicsSettingsError);
  });

  it('a kept thread runs task after task (Rapier compiled once), survives a task\'s own error, and starts afresh after a cancel', async () => {
    const thread = new PhysicsThread();
    try {
      const task = { scenePath: SAMPLE, settings: { durationSeconds: 1 } };
      const first = await thread.run(task);
      await expect(thread.run({ scenePath: SAMPLE, settings: { substeps: 99 } })).rejects.toBeInstanceOf(BadPhysicsSettingsError);
      const again = await thread.run({ ...task, writeGlb: true });
      expect(again.hash).toBe(first.hash);
      expect(again.glb!.byteLength).toBeGreaterThan(1000); // the whole run written into the scene, on the thread
      const controller = new AbortController();
      const cancelled = thread.run({ scenePath: SAMPLE, settings: { steps: 2_000_000, fps: 1 } }, { signal: controller.signal, onProgress: () => controller.abort() });
      await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
      expect((await thread.run(task)).hash).toBe(first.hash);
    } finally {
      await thread.close();
    }
  });
});
