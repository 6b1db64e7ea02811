// A teammate's physics results against the coordinator that takes them, and a teammate's leases
// against the worker that runs them: a chunk's keyframes that lie about where, how many or what
// they are, a summary that is not one, a snapshot of another step; a failed task's thread.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskSpec, TaskView } from '../../../../../../shared/model/jobs.js';
import type { PhysicsSubmission } from '../../../../../../electron/agent/engines/physics/physics-wire.js';
import type { FinishedPart, ResultFiles, TaskOutputs } from '../../../../../../electron/agent/jobs/job-type.js';
import { assembleBake } from '../../../../../../electron/agent/engines/physics/coordinator/bake-assembly.js';
import { BadPhysicsSettingsError, physicsSummaryJson, runPhysicsTaskInProcess } from '../../../../../../electron/agent/engines/physics/index.js';
import { encodeKeyframes, keyframesByteLength } from '../../../../../../electron/agent/engines/physics/keyframes-codec.js';
import { readSnapshotFile } from '../../../../../../electron/agent/engines/physics/worker/physics-chunk-state.js';
import { PhysicsJobType } from '../../../../../../electron/agent/engines/physics/coordinator/physics-job-type.js';
import { OUT, variantFileName } from '../../../../../../electron/agent/engines/physics/coordinator/physics-job-files.js';
import { PhysicsThread } from '../../../../../../electron/agent/engines/physics/worker/physics-runner.js';
import { checkPhysicsSettings } from '../../../../../../electron/agent/engines/physics/physics-settings.js';
import { variantTable } from '../../../../../../electron/agent/engines/physics/coordinator/variant-table.js';
import { boxScene, SAMPLE } from './physics-fixtures.js';

type PhysicsJob = PhysicsSubmission;

const scene = boxScene();
const settings = checkPhysicsSettings({ steps: 1800 }); // 30 s at 1/60 s, keyframes at 30 fps: 901
const job = (kind: 'bake' | 'wedge', outputDir = '/out'): PhysicsJob => ({
  name: 'drop',
  engine: 'physics',
  scene: 'drop.gltf',
  assets: [{ name: 'drop.gltf', hash: 'a'.repeat(64), sizeBytes: scene.bytes.byteLength }],
  outputDir,
  priority: 0,
  physics: { job: kind, settings, variants: [{ index: 0, label: '', overrides: {} }], chunkSteps: 600, bodies: 1, warnings: [] },
  thenRender: null,
});
const chunk = (i: number): TaskSpec => ({ taskId: `5e0c9a1f27b4d803:c${i}`, kind: 'chunk', frames: [i], region: null, dependsOn: i ? [`5e0c9a1f27b4d803:c${i - 1}`] : [], cost: 600 });

let dir = '';
let blobs = 0;
/** Result files over a folder: each output is a file named by its "hash". */
const files: ResultFiles = {
  pathOf: (hash) => join(dir, hash),
  writeFromBlob: async () => {},
  storeBytes: async () => ({ hash: 'b'.repeat(64), sizeBytes: 0 }),
  writeBytes: async () => {},
};
const put = async (bytes: Uint8Array | string): Promise<{ hash: string; sizeBytes: number }> => {
  const hash = String(++blobs).padStart(64, '0');
  await writeFile(join(dir, hash), bytes);
  return { hash, sizeBytes: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength };
};

/** Chunk 1's honest outputs (steps 600 to 1200), made by the engine; `change` alters them as a liar would. */
let honest: { keyframes: Uint8Array; snapshot: Uint8Array; summary: string; firstSnapshot: Uint8Array };
async function outputs(change: Partial<typeof honest> = {}): Promise<TaskOutputs> {
  const o = { ...honest, ...change };
  return { [OUT.keyframes]: await put(o.keyframes), [OUT.snapshot]: await put(o.snapshot), [OUT.summary]: await put(o.summary) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-physics-results-'));
  const task = { sceneBytes: scene.bytes, fileName: 'drop.gltf', settings: { steps: 1800 } };
  const c0 = await runPhysicsTaskInProcess({ ...task, fromStep: 0, toStep: 600 });
  const c1 = await runPhysicsTaskInProcess({ ...task, fromStep: 600, toStep: 1200, snapshot: c0.snapshot });
  honest = {
    keyframes: encodeKeyframes(c1.keyframes, 1),
    snapshot: c1.snapshot,
    summary: JSON.stringify({ index: 0, label: '', ...physicsSummaryJson('drop.gltf', c1) }, null, 2),
    firstSnapshot: c0.snapshot,
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("the coordinator takes a teammate's chunk only as the chunk it must be", () => {
  const type = new PhysicsJobType();

  it('takes the honest chunk', async () => {
    const out = await outputs();
    expect(type.expectedOutputs(job('bake'), chunk(1), out)).toEqual(out);
    await expect(type.keepResult(job('bake'), chunk(1), out, files)).resolves.toEqual(out);
  });

  it("refuses, before fetching, a snapshot larger than a world of the job's scene can take", async () => {
    const bounded = { ...job('bake'), physics: { ...job('bake').physics, snapshotBytes: 20_000_000 } };
    const sent = async (sizeBytes: number) => ({ ...(await outputs()), [OUT.snapshot]: { hash: 'c'.repeat(64), sizeBytes } });
    expect(type.expectedOutputs(bounded, chunk(1), await sent(20_000_000))[OUT.snapshot]!.sizeBytes).toBe(20_000_000);
    const over = await sent(20_000_001);
    expect(() => type.expectedOutputs(bounded, chunk(1), over)).toThrow(/its snapshot of 20000001 bytes is larger than this job's can be \(20000000\)/);
    // A job journaled before the bound: 2 GiB, what Node reads into one buffer.
    const huge = await sent(2 ** 31);
    expect(() => type.expectedOutputs(job('bake'), chunk(1), huge)).toThrow(/snapshot/);
  });

  it("refuses, before fetching, keyframes of the whole run's size for one of three chunks", async () => {
    const sent = { ...(await outputs()), [OUT.keyframes]: { hash: 'c'.repeat(64), sizeBytes: keyframesByteLength(settings.keyframeCount, 1) } };
    expect(() => type.expectedOutputs(job('bake'), chunk(1), sent)).toThrow(/keyframes/);
  });

  it('refuses keyframes at other steps, out of place, or not finite; a summary that is not one; a snapshot of another step', async () => {
    const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const shifted = honest.keyframes.slice();
    view(shifted).setUint32(20, view(shifted).getUint32(20, true) + 1, true); // the first keyframe's step
    const moved = honest.keyframes.slice();
    view(moved).setUint32(8, 0, true); // claims to start at keyframe 0
    const nan = honest.keyframes.slice();
    view(nan).setFloat32(nan.byteLength - 4, NaN, true);
    const cases: [Partial<typeof honest>, RegExp][] = [
      [{ keyframes: shifted }, /keyframe 301 is at step 603, not 602/],
      [{ keyframes: moved }, /header field 2 is 0, not 301/],
      [{ keyframes: nan }, /a pose holds NaN/],
      [{ summary: JSON.stringify({ bodies: null }) }, /summary\.json is not the summary of a run of this job's 1 bodies/],
      [{ snapshot: honest.firstSnapshot }, /snapshot is of step 600 with 1 bodies, not step 1200/],
    ];
    for (const [change, why] of cases) await expect(type.keepResult(job('bake'), chunk(1), await outputs(change), files)).rejects.toThrow(why);
  });
});

describe("a wedge's table over summaries a teammate wrote", () => {
  it('skips a summary that is not one, instead of failing the whole table', async () => {
    const outputDir = await mkdtemp(join(dir, 'wedge-'));
    const wedge = job('wedge', outputDir);
    wedge.physics.variants = [0, 1].map((index) => ({ index, label: `v${index}`, overrides: {} }));
    await writeFile(join(outputDir, variantFileName(wedge, 0, 'json')), honest.summary);
    await writeFile(join(outputDir, variantFileName(wedge, 1, 'json')), JSON.stringify({ hash: 'x', bodies: null }));
    const tasks = [0, 1].map((i) => ({ taskId: `5e0c9a1f27b4d803:v${i}`, kind: 'variant', frames: [i], region: null, dependsOn: [], cost: 1, state: 'done', attempts: [] })) as TaskView[];
    const table = await variantTable(wedge, '5e0c9a1f27b4d803', 'variants', tasks, 'index');
    expect(table.rows.map((r) => r.index)).toEqual([0]);
  });
});

describe("a worker's physics thread", () => {
  it('is ended after a task fails, so the next task starts on a fresh WebAssembly instance', async () => {
    const thread = new PhysicsThread();
    const worker = (): unknown => (thread as unknown as { worker: unknown }).worker;
    try {
      await thread.run({ scenePath: SAMPLE, settings: { durationSeconds: 0.1 } });
      const first = worker();
      expect(first).not.toBeNull();
      await expect(thread.run({ scenePath: SAMPLE, settings: { substeps: 99 } })).rejects.toBeInstanceOf(BadPhysicsSettingsError);
      expect(worker()).toBeNull();
      await thread.run({ scenePath: SAMPLE, settings: { durationSeconds: 0.1 } });
      expect(worker()).not.toBe(first);
    } finally {
      await thread.close();
    }
  });

  it("refuses a teammate's snapshot file larger than the run's bound before reading it", async () => {
    const path = join(dir, 'big.snapshot');
    await writeFile(path, new Uint8Array(4096));
    await expect(readSnapshotFile(path, 1024)).rejects.toThrow(/is 4096 bytes; this run's can be at most 1024/);
  });
});

describe('joining a bake on the coordinator', () => {
  it('joins a .gltf whose buffer is a file beside it (was refused: its blob, reached through a symlink, is outside the folder)', async () => {
    const sceneDir = await mkdtemp(join(dir, 'gltf-'));
    const { json } = boxScene((j) => (j.buffers = [{ uri: 'drop.bin', byteLength: 8 }]));
    await writeFile(join(sceneDir, 'drop.gltf'), JSON.stringify(json));
    await writeFile(join(sceneDir, 'drop.bin'), new Uint8Array(8));
    const base = { scenePath: join(sceneDir, 'drop.gltf'), settings: { steps: 1800 } };
    const parts: FinishedPart[] = [];
    let snapshot: Uint8Array | undefined;
    for (let i = 0; i < 3; i++) {
      const r = await runPhysicsTaskInProcess({ ...base, fromStep: i * 600, toStep: (i + 1) * 600, ...(snapshot ? { snapshot } : {}) });
      snapshot = r.snapshot;
      const summary = JSON.stringify({ index: 0, label: '', ...physicsSummaryJson('drop.gltf', r) });
      parts.push({ spec: chunk(i), outputs: { [OUT.keyframes]: await put(encodeKeyframes(r.keyframes, 1)), [OUT.snapshot]: await put(r.snapshot), [OUT.summary]: await put(summary) } });
    }
    const bake = job('bake');
    bake.assets = [
      { name: 'drop.gltf', ...(await put(JSON.stringify(json))) },
      { name: 'drop.bin', ...(await put(new Uint8Array(8))) },
    ];
    const written: Record<string, Uint8Array> = {};
    const out = await assembleBake(bake, parts, { ...files, writeBytes: async (_dir, name, bytes) => void (written[name] = bytes) });
    expect(Object.keys(out).sort()).toEqual(['drop.baked.glb', 'drop.summary.json']);
    expect(written['drop.baked.glb']!.byteLength).toBeGreaterThan(1000);
    expect(JSON.parse(Buffer.from(written['drop.summary.json']!).toString()).chunks).toBe(3);
  });
});
