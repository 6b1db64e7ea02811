// What each job type answers the edges now that they name no engine: the line and image shape the
// views show, the command lines it takes (flags read its way, paths from where the command ran),
// and the traits its tasks carry for the scheduler.

import { describe, expect, it } from 'vitest';
import type { JobSubmission, TaskSpec } from '../../../../../shared/model/jobs.js';
import { registeredEngines } from '../../../../../electron/agent/engines/registered-engines.js';
import type { CommandLine } from '../../../../../electron/agent/jobs/job-type.js';

const engines = registeredEngines({ blenderPath: '/nonexistent/blender' });
const settings = { width: 64, height: 48, samplesPerPixel: 4, seed: 1, frameStart: 1, frameEnd: 3, fps: 24, format: 'png' as const };
const assets = [{ name: 'scene', hash: 'a'.repeat(64), sizeBytes: 10 }];
const common = { name: 'shot', scene: 'scene', assets, outputDir: '/out', priority: 0 };
const physicsSettings = { dtSeconds: 1 / 60, substeps: 1, totalSteps: 240, gravity: [0, -9.81, 0] as [number, number, number], fps: 30, keyframeCount: 121 };
const blenderPart = { job: 'render', version: '3.4', frameStep: 1, blendDir: '.', dependencies: [], allowMissing: false, denoising: 'scene', device: 'any', wholeFrame: false, needs: [], outputPattern: 'shot_####', fileExtension: '.png', bakeOutput: null, warnings: ['dither is off for a still'] };

const jobs: Record<string, JobSubmission> = {
  animation: { ...common, engine: 'builtin-render', kind: 'animation', settings },
  still: { ...common, engine: 'builtin-render', kind: 'still', settings: { ...settings, frameEnd: 1 } },
  blender: { ...common, engine: 'blender', kind: 'animation', settings, blender: blenderPart },
  wedge: { ...common, engine: 'physics', physics: { job: 'wedge', settings: physicsSettings, variants: [0, 1, 2].map((index) => ({ index, label: `v${index}`, overrides: {} })), chunkSteps: 240, bodies: 3, warnings: [] }, thenRender: null },
  bake: { ...common, engine: 'physics', physics: { job: 'bake', settings: physicsSettings, variants: [{ index: 0, label: '', overrides: {} }], chunkSteps: 60, bodies: 3, warnings: [] }, thenRender: { ...settings, frameStart: 0, frameEnd: 4 } },
};
const about = (name: string) => engines.jobType(jobs[name]!.engine).about(engines.parseSubmission(jobs[name]!));
const compile = (name: string, workers = 2): TaskSpec[] => engines.jobType(jobs[name]!.engine).compile('0123456789abcdef', engines.parseSubmission(jobs[name]!), { workersHint: workers });
const line = (verb: string, file: string, flags: CommandLine['flags'] = {}): CommandLine => ({ verb, file: `/work/${file}`, cwd: '/work', flags });
const request = (c: CommandLine) => engines.commandJobType(c).requestFromCommand!(c);

describe('each job type says what its job is', () => {
  it('in a line and the shape of its images, or none for a job that makes files; with its tables and warnings', () => {
    expect(about('animation')).toEqual({ description: '3 frames, 64×48, 4 samples', images: { width: 64, height: 48, frameStart: 1, frameEnd: 3, still: false }, warnings: [], tables: [] });
    expect(about('still').images?.still).toBe(true);
    expect(about('blender')).toMatchObject({ description: 'Blender: 3 frames, 64×48, 4 samples', warnings: ['dither is off for a still'] });
    expect(about('wedge')).toMatchObject({ description: 'physics sweep of 3 variants, 240 steps of 0.0167 s', images: null });
    expect(about('wedge').tables.map((t) => [t.name, t.defaultSort])).toEqual([['variants', 'index']]);
    expect(about('bake')).toMatchObject({ description: 'physics bake in 4 chunks, 240 steps of 0.0167 s, then 5 frames rendered at 64×48', images: { frameStart: 0, frameEnd: 4, still: false } });
  });
});

describe('each job type reads its command lines', () => {
  it('picks the engine by verb and file, reads its flags, and makes paths absolute from where the command ran', () => {
    expect(request(line('render', 'robot.glb', { frames: '1-48', size: '1280x720', samples: '16', exr: true, out: 'renders' }))).toMatchObject({ scenePath: '/work/robot.glb', frameStart: 1, frameEnd: 48, width: 1280, height: 720, samplesPerPixel: 16, format: 'exr', outputDir: '/work/renders' });
    expect(request(line('render', 'shot.BLEND', { frames: '7', project: '..', 'allow-file': ['/a.png', 'b.png'], whole: true }))).toMatchObject({ engine: 'blender', job: 'render', frameStart: 7, frameEnd: 7, still: true, projectRoot: '/', allowFiles: ['/a.png', '/work/b.png'], stillMode: 'whole' });
    expect(request(line('bake', 'shot.blend', { out: 'baked.blend' }))).toMatchObject({ engine: 'blender', job: 'bake', outputPath: '/work/baked.blend' });
    expect(request(line('simulate', 'tower.glb', { seconds: '2.5', gravity: '0,-3,0', random: '8', seed: '4', 'then-render': true, size: '320x180' }))).toMatchObject({ engine: 'physics', settings: { durationSeconds: 2.5, gravity: [0, -3, 0] }, random: { count: 8, seed: 4 }, thenRender: { width: 320, height: 180 }, outputDir: '/work/troupe-out' });
  });

  it('refuses in words: a file no engine takes for the verb (with the usage), a verb no engine has, a flag it cannot read', () => {
    expect(() => request(line('render', 'notes.txt'))).toThrow(/troupe render takes \.glb, \.gltf, \.blend files, not ".*notes\.txt"\. Usage:\n {2}troupe render <scene\.glb/);
    expect(() => request(line('explode', 'a.glb'))).toThrow('troupe explode is not a command of this version of Troupe');
    expect(() => request(line('render', 'a.glb', { frames: 'all' }))).toThrow('--frames takes a frame or a range like 1-48, not "all"');
    expect(() => request(line('render', 'a.blend', { device: 'tpu' }))).toThrow('--device takes cpu, gpu or any, not "tpu"');
    expect(() => request(line('simulate', 'a.glb', { gravity: 'down' }))).toThrow(/--gravity takes x,y,z/);
  });
});

describe("each job type's tasks carry the traits the scheduler decides by", () => {
  it('a still: buckets, then a merge run on the coordinator; an animation: single frames that may be split', () => {
    const still = compile('still');
    expect(still.filter((t) => t.runsOn === 'coordinator').map((t) => t.kind)).toEqual(['merge']);
    expect(compile('animation').every((t) => t.splittable === true && !t.runsOn && !t.sticky)).toBe(true);
  });

  it("Blender's frames are never split (a late frame runs whole); a bake's chunks are sticky after the first, its assembly on the coordinator", () => {
    expect(compile('blender').some((t) => t.splittable)).toBe(false);
    const bake = compile('bake');
    const chunks = bake.filter((t) => t.kind === 'chunk');
    expect(chunks.map((t) => t.sticky ?? false)).toEqual([false, true, true, true]);
    expect(bake.filter((t) => t.runsOn === 'coordinator').length).toBeGreaterThan(0);
    expect(bake.filter((t) => t.runsOn === 'coordinator').every((t) => t.kind === 'merge')).toBe(true);
  });
});
