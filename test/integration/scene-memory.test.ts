// Scenes built to exhaust memory, against real agents in network namespaces: submitted through
// the normal path, they are refused with the reason, read in an engine process and never in the
// agent, whose memory stays where it was. The worker side of the same scenes is driven directly
// in test/unit/electron/agent/worker/task-runner.test.ts.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/control-api/index.js';
import { processTree } from '../../electron/agent/engines/process-tree.js';
import { Testbed, type AgentProcess } from './harness/testbed.js';
import { eventually, pair } from './harness/team-helpers.js';
import { writeTestScene } from './harness/scenes.js';
import { pngHeader } from '../support/png-header.js';

const MiB = 2 ** 20;
const bed = new Testbed();
let a: AgentProcess, b: AgentProcess;

const status = (pid: number): string => readFileSync(`/proc/${pid}/status`, 'latin1');
const kb = (pid: number, field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status(pid))![1]) * 1024;
const children = (pid: number): number[] =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').split(' ').filter(Boolean).map(Number);
const gone = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

/** A triangle with one texture per image file name; the images are written by the caller. */
function texturedScene(path: string, images: string[]): void {
  const bin = Buffer.from(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1]).buffer);
  writeFileSync(join(path, '..', 'tri.bin'), bin);
  const json = {
    asset: { version: '2.0' },
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: images.map((_, i) => ({ attributes: { POSITION: 0, TEXCOORD_0: 1 }, material: i })) }],
    materials: images.map((_, i) => ({ pbrMetallicRoughness: { baseColorTexture: { index: i } } })),
    textures: images.map((_, i) => ({ source: i })),
    images: images.map((uri) => ({ uri })),
    buffers: [{ uri: 'tri.bin', byteLength: bin.length }],
    bufferViews: [
      { buffer: 0, byteLength: 36 },
      { buffer: 0, byteOffset: 36, byteLength: 24 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: 3, type: 'VEC3', min: [0, 0, 0], max: [1, 1, 0] },
      { bufferView: 1, componentType: 5126, count: 3, type: 'VEC2' },
    ],
  };
  writeFileSync(path, JSON.stringify(json));
}

describe(`scenes built to exhaust memory (${bed.mode})`, () => {
  beforeAll(async () => {
    const hosts = [bed.addHost(), bed.addHost()];
    [a, b] = [bed.agent(hosts[0]!, 'alpha'), bed.agent(hosts[1]!, 'beta')];
    await Promise.all([a.start(), b.start()]);
    await a.waitFor((e) => e.type === 'nearbyChanged' && (e.nearby as unknown[]).length >= 1, 5000);
    await pair(a, b);
    await eventually(async () => (await a.cli<{ members: { online: boolean }[] }>(['team'])).members.every((m) => m.online), 10_000, 'beta online');
  });
  afterAll(() => bed.destroy());

  it('refuses them at submission with the reason, reading them outside the agent, whose memory stays put', async () => {
    const accessor = join(bed.root, 'accessor.gltf');
    const json = {
      asset: { version: '2.0' },
      scenes: [{ nodes: [0] }],
      nodes: [{ mesh: 0 }],
      meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
      accessors: [{ componentType: 5126, count: 1e9, type: 'VEC3' }],
    };
    writeFileSync(accessor, JSON.stringify(json));
    const huge = join(bed.root, 'huge-texture.gltf');
    texturedScene(huge, ['huge.png']);
    writeFileSync(join(bed.root, 'huge.png'), pngHeader(30_000, 30_000));
    const many = join(bed.root, 'many-textures.gltf');
    const names = Array.from({ length: 32 }, (_, i) => `m${i}.png`);
    texturedScene(many, names);
    for (const name of names) writeFileSync(join(bed.root, name), pngHeader(4096, 4096));

    const pid = a.pid!;
    writeFileSync(`/proc/${pid}/clear_refs`, '5'); // VmHWM from here on
    const before = kb(pid, 'VmRSS');
    const refusal = async (file: string) => {
      const r = await a.cliResult(['render', file, '--out', join(bed.root, 'refused')]);
      expect(r.ok).toBe(false);
      return (r.value as { error: { code: string; message: string } }).error;
    };
    expect(await refusal(accessor)).toEqual({
      code: 'bad-scene',
      message: expect.stringMatching(
        /^accessor\.gltf: accessor 0 declares 1000000000 VEC3 elements \(11\.2 GiB once read\), more than the 2 GiB a scene may use on this machine/,
      ),
    });
    expect((await refusal(huge)).message).toMatch(
      /texture huge\.png is 30000x30000 pixels; the built-in renderer decodes textures up to 64 megapixels \(8192x8192\); scale it down/,
    );
    expect((await refusal(many)).message).toMatch(
      /^many-textures\.gltf needs about [\d.]+ GiB of memory to render \(textures 2 GiB in 32 PNG images.*more than the 2 GiB a scene may use on this machine; use fewer or smaller textures$/,
    );
    const growth = kb(pid, 'VmHWM') - before;
    console.log(
      `coordinator agent: ${(before / MiB).toFixed(0)} MiB before, peak growth ${(growth / MiB).toFixed(1)} MiB while refusing the three scenes`,
    );
    expect(growth).toBeLessThan(20 * MiB);

    // The scenes were read by the agent's scene check process: marked for the OOM killer, still small.
    const checkers = children(pid);
    expect(checkers.length).toBe(1);
    expect(readFileSync(`/proc/${checkers[0]}/oom_score_adj`, 'latin1').trim()).toBe('1000');
    expect(readFileSync(`/proc/${checkers[0]}/cmdline`, 'latin1')).toMatch(/--max-old-space-size=1024.*render-engine-child\.js/);
    expect(kb(checkers[0]!, 'VmHWM')).toBeLessThan(200 * MiB);
  });

  it('still renders a real scene across the team afterwards, each worker in its own engine process', async () => {
    const scene = join(bed.root, 'scene.glb');
    await writeTestScene(scene);
    const job = await a.cli<JobView>(['render', scene, '--size', '96x72', '--samples', '8', '--frames', '1-4', '--out', join(bed.root, 'fine')]);
    expect(job.state).toBe('done');
    expect(job.outputs).toHaveLength(4);
    // The Node processes themselves: a worker's render process runs inside its sandbox's launcher.
    const engines = [a, b].flatMap((agent) =>
      processTree(agent.pid!).slice(1).filter((p) => {
        const argv = readFileSync(`/proc/${p}/cmdline`, 'latin1').split('\0');
        return argv[0] === process.execPath && argv.some((arg) => arg.includes('render-engine-child'));
      }),
    );
    expect(engines.length).toBeGreaterThanOrEqual(2); // a's scene check and at least one render process
    for (const e of engines) expect(readFileSync(`/proc/${e}/oom_score_adj`, 'latin1').trim()).toBe('1000');

    // An agent that dies takes its engine processes with it: no orphan keeps a scene in memory.
    const aEngines = processTree(a.pid!).slice(1);
    expect(aEngines.length).toBeGreaterThanOrEqual(1); // its scene check, at least
    await a.kill('SIGKILL');
    await eventually(() => aEngines.every(gone), 10_000, "alpha's engine processes to exit");
  });
});
