// The worker side of hostile scenes: a TaskRunner given a lease whose scene is built to exhaust
// memory. The task must fail with a reason a person can act on, in the engine's process, while
// this process (the agent) stays as small as it was.

import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkLease } from '../../../../../shared/protocol/index.js';
import { BlobCache } from '../../../../../electron/agent/storage/blob-cache.js';
import { BlobStore } from '../../../../../electron/agent/storage/blob-store.js';
import { TaskRunner } from '../../../../../electron/agent/worker/task-runner.js';
import { registeredEngines } from '../../../../../electron/agent/engines/registered-engines.js';
import type { TaskResult, WorkSource } from '../../../../../electron/agent/worker/work-source.js';
import { readRssBytes } from '../../../../../electron/agent/engines/process-rss.js';
import { writeTestScene } from '../../../../integration/harness/scenes.js';
import { tempDir, writeQuadScene } from '../engines/builtin-render/scene-fixtures.js';
import { pngHeader } from '../../../../support/png-header.js';

const MiB = 2 ** 20;
const dir = tempDir();
const blobs = new BlobStore(join(dir, 'blobs'));
const cache = new BlobCache(blobs, join(dir, 'blobs'));
// Above a small scene and below a large one. From sources (vitest) the engine process and its
// thread each hold the TypeScript compiler: ~290 MiB before any scene, ~110 MiB when built.
const engines = registeredEngines({ builtinRender: { memoryLimitBytes: 380 * MiB } });
const runner = new TaskRunner(blobs, cache, join(dir, 'work'), engines);
let jobs = 0;

/** Inputs are already in the store, as for the coordinator's own worker. */
const source: WorkSource = {
  coordinatorId: 'c'.repeat(64),
  hasWork: () => true,
  request: async () => null,
  started: () => undefined,
  progress: () => undefined,
  done: (_leaseId: string, _result: TaskResult) => undefined,
  failed: () => undefined,
  checkInputs: async () => undefined,
  fetchAsset: async () => undefined,
};

/** A lease for frame 0 of the scene at `scenePath`, with the files beside it that it names. */
async function leaseFor(scenePath: string, files: string[] = []): Promise<WorkLease> {
  const folder = join(scenePath, '..');
  const names = [scenePath.slice(folder.length + 1), ...files];
  const assets = [];
  for (const name of names) assets.push({ name, ...(await blobs.put(createReadStream(join(folder, name)))) });
  return {
    type: 'work.lease',
    requestId: 0,
    leaseId: `lease-${++jobs}`,
    jobId: jobs.toString(16).padStart(16, '0'),
    engine: 'builtin-render',
    task: { taskId: `t${jobs}`, kind: 'frames', frames: [0], region: null, dependsOn: [], cost: 1 },
    settings: { width: 32, height: 24, samplesPerPixel: 1, seed: 1, frameStart: 0, frameEnd: 0, fps: 24, format: 'png' },
    scene: names[0]!,
    assets,
    leaseMs: 60_000,
  };
}

/** The task's failure, with this process's peak resident growth while it ran (VmHWM reset first). */
async function failedTask(lease: WorkLease): Promise<{ message: string; growthBytes: number }> {
  writeFileSync('/proc/self/clear_refs', '5');
  const before = readRssBytes(process.pid)!;
  const err = await runner.run(lease, source, 1, new AbortController().signal).then(
    () => null,
    (e: unknown) => e as Error,
  );
  expect(err, 'the task should fail').toBeInstanceOf(Error);
  const peak = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'latin1'))![1]) * 1024;
  return { message: err!.message, growthBytes: peak - before };
}

const host = () => (engines.engine('builtin-render') as unknown as { renderer: { host: { pid?: number; starts: number } } }).renderer.host;

let bigScene: string;
beforeAll(async () => {
  bigScene = join(tempDir(), 'big.glb');
  await writeTestScene(bigScene, 800); // 1.28 million triangles: within the budget, not within 380 MiB
  // The engine process is up, as it is after a worker's first task.
  await runner.run(await leaseFor(writeQuadScene(), ['quad.bin', 'checker.png']), source, 1, new AbortController().signal);
});
afterAll(() => runner.close());

describe('TaskRunner with hostile scenes', () => {
  it('fails a task whose accessor declares a billion elements, naming it, and the agent does not grow', async () => {
    const path = join(tempDir(), 'scene.gltf');
    writeFileSync(
      path,
      JSON.stringify({
        asset: { version: '2.0' },
        scenes: [{ nodes: [0] }],
        nodes: [{ mesh: 0 }],
        meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
        accessors: [{ componentType: 5126, count: 1e9, type: 'VEC3' }],
      }),
    );
    const starts = host().starts;
    const { message, growthBytes } = await failedTask(await leaseFor(path));
    expect(message).toMatch(
      /accessor 0 declares 1000000000 VEC3 elements \(11\.2 GiB once read\), more than the 2 GiB a scene may use on this machine/,
    );
    expect(growthBytes).toBeLessThan(20 * MiB);
    // Refused before allocating: the engine process this job got (each job gets its own) was not
    // stopped for its memory, and is still up.
    expect(host().starts).toBe(starts + 1);
    expect(() => process.kill(host().pid!, 0)).not.toThrow();
  });

  it('fails a task whose PNG claims 30000x30000, and one whose many PNGs add up past the budget', async () => {
    const huge = writeQuadScene();
    writeFileSync(join(huge, '..', 'checker.png'), pngHeader(30_000, 30_000));
    const one = await failedTask(await leaseFor(huge, ['quad.bin', 'checker.png']));
    expect(one.message).toMatch(/texture checker\.png is 30000x30000 pixels; the built-in renderer decodes textures up to 64 megapixels/);
    expect(one.growthBytes).toBeLessThan(20 * MiB);

    const names = Array.from({ length: 32 }, (_, i) => `t${i}.png`);
    const many = writeQuadScene((j) => {
      j.images = names.map((uri) => ({ uri }));
      j.textures = names.map((_, i) => ({ source: i }));
      j.materials = names.map((_, i) => ({ pbrMetallicRoughness: { baseColorTexture: { index: i } } }));
    });
    for (const name of names) writeFileSync(join(many, '..', name), pngHeader(4096, 4096));
    const all = await failedTask(await leaseFor(many, ['quad.bin', ...names]));
    expect(all.message).toMatch(
      /needs about [\d.]+ GiB of memory to render \(textures 2 GiB in 32 PNG images.*; use fewer or smaller textures$/,
    );
    expect(all.growthBytes).toBeLessThan(20 * MiB);
  });

  it('fails a task whose scene passes the budget but not the engine limit, kills the engine, and runs the next task', async () => {
    const pid = host().pid!;
    const starts = host().starts;
    const { message, growthBytes } = await failedTask(await leaseFor(bigScene));
    expect(message).toMatch(
      /^the built-in renderer needed more than the 380 MiB of memory it may use on this machine \(it reached [\d.]+ MiB\) and was stopped; the scene is too large for this machine$/,
    );
    expect(growthBytes).toBeLessThan(20 * MiB);
    expect(() => process.kill(pid, 0)).toThrow(); // the engine process is gone
    expect(host().pid).toBeUndefined(); // and so is the one the job got, stopped at its limit
    const next = await runner.run(await leaseFor(writeQuadScene(), ['quad.bin', 'checker.png']), source, 1, new AbortController().signal);
    expect(Object.keys(next.outputs)).toEqual(['frame:0']);
    expect(host().starts).toBe(starts + 2); // the stopped job's own process, then the next job's
  });
});
