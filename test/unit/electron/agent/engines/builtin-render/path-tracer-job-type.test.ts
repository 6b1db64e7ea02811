// The built-in renderer behind the engine seam: its leases are the leases of protocol 2.0 and 2.1
// field for field (an older worker reads them), its results are judged as before, and a job of it
// goes only to workers that advertise the engine.

import { describe, expect, it } from 'vitest';
import { jobSubmissionSchema } from '../../../../../../shared/model/jobs.js';
import type { WorkLease } from '../../../../../../shared/protocol/index.js';
import { registeredEngines } from '../../../../../../electron/agent/engines/registered-engines.js';
import { BUILTIN_RENDER_ENGINE, type BuiltinRenderSubmission } from '../../../../../../electron/agent/engines/builtin-render/render-wire.js';
import { linkMessageSchema } from '../../../../../../shared/protocol/index.js';
import { PathTracerJobType, frameFileName } from '../../../../../../electron/agent/engines/builtin-render/coordinator/path-tracer-job-type.js';
import type { ResultFiles } from '../../../../../../electron/agent/jobs/job-type.js';

const job: BuiltinRenderSubmission = {
  name: 'robot',
  engine: 'builtin-render',
  kind: 'animation',
  scene: 'robot.glb',
  assets: [{ name: 'robot.glb', hash: 'a'.repeat(64), sizeBytes: 10 }],
  settings: { width: 64, height: 48, samplesPerPixel: 4, seed: 1, frameStart: 1, frameEnd: 3, fps: 24, format: 'png' },
  outputDir: '/out',
  priority: 0,
};
const jobType = new PathTracerJobType();
const hash = (c: string) => c.repeat(64);

describe('PathTracerJobType', () => {
  it('makes the lease of protocol 2.1: the same fields in the same order, read unchanged by the wire schema', () => {
    const task = jobType.compile('0123456789abcdef', job, { workersHint: 1 })[0]!;
    const lease = jobType.lease(job, { type: 'work.lease', requestId: 7, leaseId: 'k3f9qa-12', jobId: '0123456789abcdef', task, leaseMs: 10_000 });
    expect(Object.keys(lease)).toEqual(['type', 'requestId', 'leaseId', 'jobId', 'engine', 'task', 'settings', 'scene', 'assets', 'leaseMs']);
    expect(lease.engine).toBe(BUILTIN_RENDER_ENGINE);
    expect(linkMessageSchema.parse(lease)).toEqual(lease);
  });

  it("the wire keeps a lease's engine part for the engine to read; the registry refuses what no engine here reads", () => {
    const registry = registeredEngines();
    const task = jobType.compile('0123456789abcdef', job, { workersHint: 1 })[0]!;
    const lease = jobType.lease(job, { type: 'work.lease', requestId: 7, leaseId: 'k3f9qa-12', jobId: '0123456789abcdef', task, leaseMs: 10_000 });
    const read = linkMessageSchema.parse(lease) as WorkLease;
    expect(registry.parseLease(read)).toEqual(lease);
    // Every lease has a task and assets: the link refuses one without, whatever its engine.
    expect(linkMessageSchema.safeParse({ type: 'work.lease', requestId: 1, leaseId: 'x-1', jobId: '0123456789abcdef', engine: 'teapot', leaseMs: 1000 }).success).toBe(false);
    expect(() => registry.parseLease({ ...read, engine: 'teapot' })).toThrow('no engine "teapot"');
    expect(() => registry.parseLease({ ...read, settings: undefined })).toThrow(/could not read the builtin-render task.*settings/);
    expect(() => registry.parseSubmission({ ...job, engine: 'teapot' })).toThrow('no engine "teapot"');
    expect(() => registry.parseSubmission({ ...job, kind: 'flipbook' } as never)).toThrow(/settings of this builtin-render job cannot be read: kind/);
    expect(jobSubmissionSchema.parse(job)).toEqual(job);
    expect(registry.parseSubmission(job)).toEqual(job);
  });

  it('runs only on workers that advertise the built-in renderer', () => {
    expect(jobType.runsOn(job, [{ id: 'builtin-render', version: null }])).toBe(true);
    expect(jobType.runsOn(job, [{ id: 'blender', version: '4.2.1' }])).toBe(false);
    expect(jobType.runsOn(job, [])).toBe(false);
  });

  it('takes only the outputs a task must make, at sizes they can have', () => {
    const [frame] = jobType.compile('0123456789abcdef', job, { workersHint: 1 });
    const sent = { 'frame:1': { hash: hash('b'), sizeBytes: 100 }, extra: { hash: hash('c'), sizeBytes: 1 } };
    expect(jobType.expectedOutputs(job, frame!, sent)).toEqual({ 'frame:1': sent['frame:1'] });
    expect(() => jobType.expectedOutputs(job, frame!, {})).toThrow('the worker sent no frame:1');
    const [bucket] = jobType.split(job, '0123456789abcdef', frame!, 2);
    expect(() => jobType.expectedOutputs(job, bucket!, { tile: { hash: hash('d'), sizeBytes: 5 } })).toThrow(/its tile is 5 bytes/);
    const tile = { tile: { hash: hash('d'), sizeBytes: 64 * 24 * 16 } };
    expect(jobType.expectedOutputs(job, bucket!, tile)).toEqual(tile);
    expect(jobType.heldBlobs(bucket!, tile)).toEqual([hash('d')]);
    expect(jobType.outputFiles(bucket!, tile)).toEqual([]);
  });

  it('writes a frames task’s images under the job’s file names and records them by name', async () => {
    const written: string[] = [];
    const files: ResultFiles = { pathOf: (h) => `/blobs/${h}`, writeFromBlob: async (dir, name, h) => void written.push(`${dir}/${name}<-${h.slice(0, 1)}`), writeBytes: async () => undefined, storeBytes: async () => ({ hash: hash('c'), sizeBytes: 1 }) };
    const [frame] = jobType.compile('0123456789abcdef', job, { workersHint: 1 });
    const kept = await jobType.keepResult(job, frame!, { 'frame:1': { hash: hash('b'), sizeBytes: 100 } }, files);
    expect(frameFileName(job, 1)).toBe('robot_0001.png');
    expect(written).toEqual(['/out/robot_0001.png<-b']);
    expect(kept).toEqual({ 'robot_0001.png': { hash: hash('b'), sizeBytes: 100 } });
    expect(jobType.outputFiles(frame!, kept)).toEqual(['robot_0001.png']);
  });
});
