import { describe, expect, it } from 'vitest';
import { TroupeError } from '../../../../../shared/errors.js';
import type { WorkLease } from '../../../../../shared/protocol/index.js';
import type { TaskRunner } from '../../../../../electron/agent/worker/task-runner.js';
import type { TaskResult, WorkSource } from '../../../../../electron/agent/worker/work-source.js';
import { WorkLoop } from '../../../../../electron/agent/worker/work-loop.js';

const lease: WorkLease = {
  type: 'work.lease',
  requestId: 1,
  leaseId: 'l-1',
  jobId: '0123456789abcdef',
  engine: 'builtin-render',
  task: { taskId: 'j:f1', kind: 'frames', frames: [1], region: null, dependsOn: [], cost: 1 },
  settings: { width: 8, height: 8, samplesPerPixel: 1, seed: 1, frameStart: 1, frameEnd: 1, fps: 24, format: 'png' },
  scene: 'scene.glb',
  assets: [{ name: 'scene.glb', hash: 'ab'.repeat(32), sizeBytes: 12e9 }],
  leaseMs: 10_000,
};

/** A coordinator that hands out one lease and records what the worker tells it. */
function source(checkInputs: () => Promise<void>): WorkSource & { said: string[] } {
  let given = false;
  const said: string[] = [];
  return {
    said,
    coordinatorId: 'c'.repeat(64),
    hasWork: () => !given,
    request: async () => (given ? null : ((given = true), lease)),
    checkInputs,
    started: (id) => said.push(`started ${id}`),
    progress: () => undefined,
    done: (id) => said.push(`done ${id}`),
    failed: (id, error) => said.push(`failed ${id}: ${error}`),
    fetchAsset: async () => undefined,
  };
}

function loop(src: WorkSource, ran: string[]): WorkLoop {
  const runner = {
    readLease: (l: WorkLease) => l,
    run: async (l: WorkLease): Promise<TaskResult> => {
      ran.push(l.leaseId);
      return { startedAtMs: 0, endedAtMs: 1, outputs: {}, warnings: [] };
    },
    close: async () => undefined,
  } as unknown as TaskRunner;
  return new WorkLoop({ runner, sources: () => [src], sharing: () => ({ mode: 'on', coreCap: null }), freeCores: () => 2, cores: () => 2, log: () => undefined });
}
const settle = () => new Promise((r) => setTimeout(r, 20));

describe('WorkLoop', () => {
  it('names a lease in its heartbeats from the moment it arrives until its result is sent', async () => {
    let release!: () => void;
    const held: string[][] = [];
    const src = source(async () => void held.push(worker.leaseIds()));
    const runner = {
      readLease: (l: WorkLease) => l,
      run: async (): Promise<TaskResult> => {
        held.push(worker.leaseIds());
        await new Promise<void>((r) => (release = r));
        return { startedAtMs: 0, endedAtMs: 1, outputs: {}, warnings: [] };
      },
      close: async () => undefined,
    } as unknown as TaskRunner;
    const worker = new WorkLoop({ runner, sources: () => [src], sharing: () => ({ mode: 'on', coreCap: null }), freeCores: () => 2, cores: () => 2, log: () => undefined });
    expect(worker.leaseIds()).toEqual([]);
    await worker.poke();
    await settle();
    expect(held).toEqual([['l-1'], ['l-1']]); // checking its inputs, running
    release();
    await settle();
    expect(src.said).toEqual(['started l-1', 'done l-1']);
    expect(worker.leaseIds()).toEqual([]);
    await worker.close();
  });

  it('refuses a lease whose inputs cannot fit here: task.failed with the reason, never started, nothing run', async () => {
    const src = source(async () => {
      throw new TroupeError('bad-request', 'Task j:f1 needs 12.0 GB for its inputs, this machine has 3.0 GB free');
    });
    const ran: string[] = [];
    const worker = loop(src, ran);
    await worker.poke();
    await settle();
    await worker.close();
    expect(src.said).toEqual(['failed l-1: Task j:f1 needs 12.0 GB for its inputs, this machine has 3.0 GB free']);
    expect(ran).toEqual([]);
  });

  it('refuses a lease its engine cannot read before making room for its inputs: task.failed in words, never started', async () => {
    let checked = false;
    const src = source(async () => void (checked = true));
    const runner = {
      readLease: () => {
        throw new Error('this machine could not read the teapot task it was given');
      },
      run: async (): Promise<TaskResult> => ({ startedAtMs: 0, endedAtMs: 1, outputs: {}, warnings: [] }),
      close: async () => undefined,
    } as unknown as TaskRunner;
    const worker = new WorkLoop({ runner, sources: () => [src], sharing: () => ({ mode: 'on', coreCap: null }), freeCores: () => 2, cores: () => 2, log: () => undefined });
    await worker.poke();
    await settle();
    await worker.close();
    expect(src.said).toEqual(['failed l-1: this machine could not read the teapot task it was given']);
    expect(checked).toBe(false);
  });

  it('runs a lease whose inputs fit', async () => {
    const src = source(async () => undefined);
    const ran: string[] = [];
    const worker = loop(src, ran);
    await worker.poke();
    await settle();
    await worker.close();
    expect(src.said).toEqual(['started l-1', 'done l-1']);
    expect(ran).toEqual(['l-1']);
  });
});
