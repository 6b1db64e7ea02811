// The Blender engine's machinery against Debian's real Blender: finding it, a kept-alive session
// rendering task after task, regions stitched into a frame equal to a one-machine render, scripts
// in a .blend never running, dependencies found and relocated, a physics bake, a killed Blender
// failing its task (not hanging it), and the add-on inside a headless Blender. Scenes are made at
// run time by assets/blender/make_test_scenes.py (64x36, a few samples: 2 cores here).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlenderAddonInstaller } from '../../electron/agent/engines/blender/blender-addon-installer.js';
import { blenderAssetsDir } from '../../electron/agent/engines/blender/blender-assets.js';
import { BlenderTaskError } from '../../electron/agent/engines/blender/blender-errors.js';
import { capabilityFeatures, parseCapabilities, probeCapabilities } from '../../electron/agent/engines/blender/blender-capabilities.js';
import { BlenderFinder } from '../../electron/agent/engines/blender/blender-finder.js';
import { BlenderSession } from '../../electron/agent/engines/blender/blender-session.js';
import { decodePng } from '../../electron/agent/engines/builtin-render/reading/png-decode.js';
import { startFakeAgent, type FakeAgent } from '../support/blender/fake-agent.js';
import { pngWithoutMetadata } from '../support/png-chunks.js';
import { registeredEngines } from '../../electron/agent/engines/registered-engines.js';
import { ENGINE_PATIENCE_MS } from './harness/testbed.js';
import { passDifferences, readExrPasses } from './harness/blender-helpers.js';

const BLENDER = '/usr/bin/blender';
const HAVE_BLENDER = existsSync(BLENDER);
const SKIP_REASON = HAVE_BLENDER ? '' : ` (skipped: ${BLENDER} is missing; .ci/run installs Debian's blender)`;
const run = promisify(execFile);
const ASSETS = HAVE_BLENDER ? blenderAssetsDir() : '';

let root: string;
const scene = (name: string): string => join(root, 'scenes', name);
const open = (file: string) => BlenderSession.start({ blenderPath: BLENDER, blendFile: file, threads: 2 });
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe.skipIf(!HAVE_BLENDER)(`Blender engine with Debian's Blender${SKIP_REASON}`, () => {
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'troupe-blender-'));
    await run(
      BLENDER,
      ['-b', '--factory-startup', '-noaudio', '--python', join(ASSETS, 'make_test_scenes.py'), '--', join(root, 'scenes')],
      { timeout: ENGINE_PATIENCE_MS },
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('finds Blender and its version, and asks it once', async () => {
    let runs = 0;
    const finder = new BlenderFinder({
      env: { PATH: '/nonexistent' },
      platform: 'linux',
      run: async (path, args, timeoutMs) => {
        runs++;
        return (await run(path, args, { timeout: timeoutMs })).stdout;
      },
    });
    const found = await finder.find();
    expect(found?.path).toBe(BLENDER);
    expect(found?.version).toMatchObject({ major: 3, minor: 4 });
    finder.forget();
    expect((await finder.find())?.version.text).toMatch(/^Blender 3\.4\.\d/);
    expect(runs).toBe(1); // the executable did not change: its version is remembered
  });

  it("asks Cycles what it can do: Debian's build has no OpenImageDenoise and this machine no GPU", async () => {
    const caps = await probeCapabilities(BLENDER);
    expect(caps).toEqual({ openImageDenoise: false, gpus: {} });
    expect(capabilityFeatures(caps!)).toEqual([]);
    // What a machine with GPUs would advertise (the parse and the features; no GPU is here to run).
    const rtx = parseCapabilities('noise\nTROUPE-CAPABILITIES {"openImageDenoise": true, "gpus": {"OPTIX": ["RTX 4090"], "CUDA": ["RTX 4090"], "bad type": ["x"]}}\n');
    expect(capabilityFeatures(rtx!)).toEqual(['oidn', 'gpu:OPTIX', 'gpu:CUDA']);
  });

  it("selects a job's devices: the best GPU of a fake list, the CPU when none, a clear error when a GPU is required", async () => {
    const { session } = await open(scene('animation.blend'));
    try {
      const fake = { CUDA: ['RTX 4090'], OPTIX: ['RTX 4090'] };
      expect((await session.run('select_devices', { policy: 'any', gpus: fake, dryRun: true })).result).toEqual({ device: 'GPU', type: 'OPTIX', names: ['RTX 4090'] });
      expect((await session.run('select_devices', { policy: 'cpu', gpus: fake, dryRun: true })).result).toEqual({ device: 'CPU', type: null, names: [] });
      // This machine for real: no GPU, so Cycles stays on the CPU, and a GPU job is refused in words.
      expect((await session.run('select_devices', { policy: 'any' })).result).toEqual({ device: 'CPU', type: null, names: [] });
      await expect(session.run('select_devices', { policy: 'gpu' })).rejects.toThrow(/asks for a GPU, and Cycles finds none on this machine/);
    } finally {
      await session.quit();
    }
  });

  it('renders a 6-frame animation task after task in one kept-alive Blender', async () => {
    const { session, facts } = await open(scene('animation.blend'));
    try {
      expect(facts.blenderVersion.slice(0, 2)).toEqual([3, 4]);
      const defaults = (await session.run('scene_info', {})).result;
      expect(defaults).toMatchObject({ frameStart: 1, frameEnd: 6, width: 64, height: 36, engine: 'CYCLES', camera: 'Camera' });
      expect(defaults.output).toMatchObject({ fileFormat: 'PNG', path: '//out/frame_####' });
      const pid = session.pid;
      const out = join(root, 'animation');
      const events: unknown[] = [];
      for (const chunk of [
        [1, 2, 3],
        [4, 5, 6],
      ]) {
        const task = await session.run(
          'render_frames',
          { frames: chunk, output: join(out, 'frame_####') },
          { timeoutMs: ENGINE_PATIENCE_MS, onEvent: (e, f) => events.push([e, f.frame]) },
        );
        expect(task.result.frames.map((f) => f.frame)).toEqual(chunk);
        expect(task.log.some((line) => /Saved: /.test(line))).toBe(true); // Blender's own lines, per task
      }
      expect(session.pid).toBe(pid);
      expect(events.filter((e) => (e as [string])[0] === 'frame_done')).toEqual([1, 2, 3, 4, 5, 6].map((f) => ['frame_done', f]));
      // Between frames, the samples of the frame rendering (read from Blender's render stats).
      expect(events.some((e) => (e as [string])[0] === 'samples')).toBe(true);
      const files = readdirSync(out).sort();
      expect(files).toEqual(['frame_0001.png', 'frame_0002.png', 'frame_0003.png', 'frame_0004.png', 'frame_0005.png', 'frame_0006.png']);
      const first = decodePng(readFileSync(join(out, files[0]!)), files[0]!);
      expect([first.width, first.height]).toEqual([64, 36]);
    } finally {
      await session.quit();
    }
  });

  it('a still rendered in 4 regions and stitched equals the one-piece render, pixels and PNG image data', async () => {
    const { session } = await open(scene('still.blend'));
    try {
      // Stills are rendered undithered (Blender dithers a whole render and a stitched image differently).
      const full = (await session.run('render_frames', { frames: [1], output: join(root, 'still', 'full_####'), ditherIntensity: 0 }))
        .result.frames[0]!.path;
      const quadrants = [
        { x: 0, y: 0, width: 32, height: 18 },
        { x: 32, y: 0, width: 32, height: 18 },
        { x: 0, y: 18, width: 32, height: 18 },
        { x: 32, y: 18, width: 32, height: 18 },
      ];
      const tiles = [];
      const samples: { done: number; total: number }[] = [];
      for (const [i, region] of quadrants.entries()) {
        const preview = join(root, 'still', `preview-${i}.png`);
        const onEvent = (event: string, fields: Record<string, unknown>) => void (event === 'samples' && samples.push(fields as { done: number; total: number }));
        const tile = await session.run('render_region', { frame: 1, region, output: join(root, 'still', `tile-${i}.exr`), preview }, { onEvent });
        tiles.push({ ...region, path: tile.result.path, preview });
      }
      // Each region's progress came as the render went, in samples (Blender's own stats).
      expect(samples.length).toBeGreaterThan(0);
      for (const s of samples) expect(s.done <= s.total && s.total >= 1).toBe(true);
      const stitched = (await session.run('stitch', { tiles: tiles.map(({ preview: _p, ...t }) => t), output: join(root, 'still', 'stitched.png') })).result;
      const a = decodePng(readFileSync(full), 'full');
      // Each region's preview (what the app shows until the stitch) is that part of the frame as the frame shows it.
      for (const t of tiles) {
        const p = decodePng(readFileSync(t.preview), 'preview');
        expect([p.width, p.height]).toEqual([t.width, t.height]);
        let worst = 0;
        for (let y = 0; y < t.height; y++)
          for (let x = 0; x < t.width; x++)
            for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(p.rgba[(y * t.width + x) * 4 + c]! - a.rgba[((t.y + y) * a.width + t.x + x) * 4 + c]!));
        expect(worst, `preview of ${t.x},${t.y}`).toBeLessThanOrEqual(1);
      }
      const b = decodePng(readFileSync(stitched.path), 'stitched');
      expect([b.width, b.height]).toEqual([64, 36]);
      expect(Buffer.from(b.rgba).equals(Buffer.from(a.rgba))).toBe(true);
      // Byte for byte but for the render's metadata text (date, render time), which no two renders share.
      expect(pngWithoutMetadata(readFileSync(stitched.path)).equals(pngWithoutMetadata(readFileSync(full)))).toBe(true);
    } finally {
      await session.quit();
    }
  });

  it('a multilayer-EXR still with two view layers, a compositor blur and a stamp: stitched from regions, every pass equals the one-piece render', async () => {
    const { session } = await open(scene('layered-still.blend'));
    const out = join(root, 'layered');
    try {
      const whole = (format: string) =>
        session.run('render_frames', { frames: [1], output: join(out, `whole-${format}_####`), ditherIntensity: 0, fileFormat: format });
      const wholeExr = (await whole('OPEN_EXR_MULTILAYER')).result.frames[0]!.path;
      const wholePng = (await whole('PNG')).result.frames[0]!.path;
      const bands = [0, 12, 24].map((y) => ({ x: 0, y, width: 64, height: 12 }));
      const tiles = [];
      for (const [i, region] of bands.entries()) {
        const tile = await session.run('render_region', { frame: 1, region, output: join(out, `tile-${i}.exr`) });
        tiles.push({ ...region, path: tile.result.path });
      }
      const stitchedExr = (await session.run('stitch', { tiles, frame: 1, output: join(out, 'stitched.exr') })).result.path;
      const stitchedPng = (await session.run('stitch', { tiles, frame: 1, output: join(out, 'stitched.png'), fileFormat: 'PNG' })).result.path;

      // Layer by layer, pass by pass: the same passes, and not one value apart.
      expect(readExrPasses(stitchedExr).sort()).toEqual(readExrPasses(wholeExr).sort());
      expect(readExrPasses(wholeExr)).toEqual(expect.arrayContaining(['ViewLayer.Depth.Z', 'ViewLayer.Normal.XYZ', 'Background.Normal.XYZ', 'Composite.Combined.RGBA']));
      const diffs = await passDifferences(scene('layered-still.blend'), wholeExr, stitchedExr, 64, 36);
      expect(Object.keys(diffs)).toEqual(expect.arrayContaining(['ViewLayer.Combined', 'ViewLayer.Depth', 'ViewLayer.Normal', 'Background.Combined', 'Background.Normal']));
      expect(diffs).toEqual(Object.fromEntries(Object.keys(diffs).map((k) => [k, 0])));
      // The PNG the compositor and stamp made once on the whole frame: its blur crosses the regions'
      // edges and its stamp is drawn once, so it equals the one-piece render pixel for pixel.
      const a = decodePng(readFileSync(wholePng), 'whole');
      const b = decodePng(readFileSync(stitchedPng), 'stitched');
      expect(Buffer.from(b.rgba).equals(Buffer.from(a.rgba))).toBe(true);
    } finally {
      await session.quit();
    }
  });

  it("never runs a .blend's own scripts (the marker file its registered script writes stays absent)", async () => {
    const marker = join(root, 'scenes', 'autorun-marker.txt');
    const { session, facts } = await open(scene('autorun.blend'));
    await session.run('scene_info', {});
    await session.quit();
    expect(facts.scriptsBlocked).toBe(true);
    expect(existsSync(marker)).toBe(false);
    // The fixture is real: with scripts allowed, the same file writes the marker.
    await run(BLENDER, ['-b', '--factory-startup', '--enable-autoexec', '-noaudio', scene('autorun.blend'), '--python-expr', 'pass'], {
      timeout: ENGINE_PATIENCE_MS,
    });
    expect(existsSync(marker)).toBe(true);
  });

  it('lists the texture and linked library, and relocates them to content-addressed copies', async () => {
    const { session } = await open(scene('textured.blend'));
    const listed = (await session.run('dependencies', {})).result;
    await session.quit();
    const byKind = Object.fromEntries(listed.dependencies.map((d) => [d.kind, d]));
    expect(byKind.image).toMatchObject({ storedPath: '//textures/checker.png', absolutePath: scene('textures/checker.png'), files: [scene('textures/checker.png')], missing: [] });
    expect(byKind.library).toMatchObject({ storedPath: '//library.blend', absolutePath: scene('library.blend'), files: [scene('library.blend')], missing: [] });
    expect(listed.missing).toEqual([]);

    // A worker's view: the originals are gone, copies are named by their hash.
    const cas = join(root, 'cas');
    mkdirSync(cas, { recursive: true });
    const paths: Record<string, string> = {};
    for (const dep of [byKind.image!, byKind.library!]) {
      const copy = join(cas, sha256(dep.absolutePath) + extname(dep.absolutePath));
      copyFileSync(dep.absolutePath, copy);
      paths[dep.absolutePath] = copy;
    }
    renameSync(scene('textures'), scene('textures-away'));
    renameSync(scene('library.blend'), scene('library-away.blend'));
    try {
      const worker = await open(scene('textured.blend'));
      try {
        expect((await worker.session.run('dependencies', {})).result.missing.sort()).toEqual([
          scene('library.blend'),
          scene('textures/checker.png'),
        ]);
        const remap = (await worker.session.run('remap_paths', { paths, requireAll: true })).result;
        expect(remap.remapped.map((r) => r.kind).sort()).toEqual(['image', 'library']);
        expect(remap.missing).toEqual([]);
        const frame = await worker.session.run('render_frames', { frames: [1], output: join(root, 'textured', 'frame_####') });
        expect(existsSync(frame.result.frames[0]!.path)).toBe(true);
      } finally {
        await worker.session.quit();
      }
    } finally {
      renameSync(scene('textures-away'), scene('textures'));
      renameSync(scene('library-away.blend'), scene('library.blend'));
    }
  });

  it('names the missing texture', async () => {
    const { session } = await open(scene('missing-texture.blend'));
    const listed = (await session.run('dependencies', {})).result;
    await session.quit();
    expect(listed.missing).toEqual([scene('textures/missing.png')]);
  });

  it('bakes rigid bodies; the baked file carries the cache into a second Blender', async () => {
    const { session } = await open(scene('rigidbody.blend'));
    const baked = join(root, 'baked', 'rigidbody.baked.blend');
    const bake = (await session.run('bake', { output: baked }, { timeoutMs: ENGINE_PATIENCE_MS })).result;
    await session.quit();
    expect(bake.caches).toEqual([expect.objectContaining({ kind: 'rigid-body', isBaked: true, frameStart: 1, frameEnd: 20 })]);
    expect(existsSync(baked)).toBe(true);
    const second = await open(baked);
    const info = (await second.session.run('scene_info', {})).result;
    await second.session.quit();
    expect(info.physicsCaches).toEqual([expect.objectContaining({ kind: 'rigid-body', isBaked: true })]);
  });

  it('a Blender killed mid-task fails the task with its last lines', async () => {
    const { session } = await open(scene('animation.blend'));
    const task = session.run(
      'render_frames',
      { frames: [1, 2, 3, 4, 5, 6], output: join(root, 'killed', 'frame_####') },
      {
        onEvent: (event) => void (event === 'frame_done' && process.kill(session.pid!, 'SIGKILL')), // a crash after the first frame
      },
    );
    const err = await task.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BlenderTaskError);
    expect((err as BlenderTaskError).failure).toBe('crashed');
    expect((err as BlenderTaskError).message).toMatch(/SIGKILL/);
    expect((err as BlenderTaskError).logTail.some((line) => /Fra:1/.test(line))).toBe(true);
    await expect(session.run('scene_info', {})).rejects.toThrow(/ended/);
  });

  it('a task past its time limit is killed and fails as timed out', async () => {
    const { session } = await open(scene('animation.blend'));
    const err = await session
      .run('render_frames', { frames: [1, 2, 3, 4, 5, 6], output: join(root, 'late', 'frame_####') }, { timeoutMs: 20 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'timed-out' });
    expect(session.alive).toBe(false);
  });

  it('a scene with denoising: refused clearly where OpenImageDenoise is missing, or rendered without it on request', async () => {
    const { session, facts } = await open(scene('denoise.blend'));
    try {
      expect(facts.openImageDenoise).toBe(false); // Debian's build
      const refused = await session.run('render_frames', { frames: [1], output: join(root, 'denoise', 'a_####') }).catch((e: unknown) => e);
      expect(refused).toMatchObject({ failure: 'command-failed', sessionCode: 'denoiser-unavailable' });
      expect((refused as Error).message).toMatch(/OpenImageDenoise/);
      const plain = await session.run('render_frames', { frames: [1], output: join(root, 'denoise', 'b_####'), denoising: 'off' });
      expect(plain.result.warnings[0]).toMatch(/without Cycles render denoising/);
      expect((await session.run('scene_info', {})).result.denoising).toHaveLength(1); // the file's setting is back

      // In regions: rendered noisy with the denoising passes, for the stitch to denoise the whole frame.
      const bands = [0, 18].map((y) => ({ x: 0, y, width: 64, height: 18 }));
      const tiles = [];
      for (const [i, region] of bands.entries())
        tiles.push({ ...region, path: (await session.run('render_region', { frame: 1, region, output: join(root, 'denoise', `tile-${i}.exr`), denoise: true })).result.path });
      const passes = readExrPasses(tiles[0]!.path);
      expect(passes).toEqual(expect.arrayContaining(['ViewLayer.Combined.RGBA', 'ViewLayer.Denoising Normal.XYZ', 'ViewLayer.Denoising Albedo.RGB']));
      // Stitching them needs OpenImageDenoise, which this Blender lacks: said so, nothing written.
      const stitchedOut = join(root, 'denoise', 'stitched.png');
      const noDenoiser = await session.run('stitch', { tiles, frame: 1, output: stitchedOut }).catch((e: unknown) => e);
      expect(noDenoiser).toMatchObject({ sessionCode: 'denoiser-unavailable' });
      expect((noDenoiser as Error).message).toMatch(/denoised once stitched.*without OpenImageDenoise/);
      expect(existsSync(stitchedOut)).toBe(false);
      // Without denoising, as the user may ask: the passes ride along, the frame is whole.
      const plainStitch = await session.run('stitch', { tiles, frame: 1, output: stitchedOut, denoising: 'off' });
      expect(decodePng(readFileSync(plainStitch.result.path), 'stitched')).toMatchObject({ width: 64, height: 36 });
      expect((await session.run('scene_info', {})).result.denoising).toHaveLength(1);
    } finally {
      await session.quit();
    }
  });

  it("denoises a still's stitched regions once, in the compositor, guided by the regions' albedo and normal passes (OpenImageDenoise faked present)", async () => {
    const out = join(root, 'denoise-wiring');
    mkdirSync(out, { recursive: true });
    const { stdout } = await run(
      BLENDER,
      ['-b', '--factory-startup', '-noaudio', scene('denoise.blend'), '--python', join(import.meta.dirname, 'harness', 'denoise_wiring.py'), '--', ASSETS, out],
      { timeout: ENGINE_PATIENCE_MS },
    );
    const line = stdout.split('\n').find((l) => l.startsWith('TROUPE-WIRING '));
    const wiring = JSON.parse(line!.slice('TROUPE-WIRING '.length)) as { links: string[]; after: unknown };
    expect(wiring.links).toEqual([
      'CompositorNodeDenoise.Image -> CompositorNodeComposite.Image',
      'CompositorNodeRLayers.Denoising Albedo -> CompositorNodeDenoise.Albedo',
      'CompositorNodeRLayers.Denoising Normal -> CompositorNodeDenoise.Normal',
      'CompositorNodeRLayers.Image -> CompositorNodeDenoise.Image',
    ]);
    // The scene is as saved afterwards: no compositor (it had none), Cycles, its own denoising on.
    expect(wiring.after).toEqual({ useNodes: false, nodes: ['CompositorNodeComposite', 'CompositorNodeRLayers'], engine: 'CYCLES', cyclesDenoising: true });
    expect(decodePng(readFileSync(join(out, 'wired.png')), 'wired')).toMatchObject({ width: 64, height: 36 });
  });

  describe('the add-on in a headless Blender', () => {
    const agents: FakeAgent[] = [];
    afterAll(() => Promise.all(agents.map((a) => a.close())));

    it("installs into the user's Blender (the app's button): copied into the user add-ons folder, enabled in the saved preferences", async () => {
      // This user's Blender folders, in the test's own directory (never the machine's real profile).
      const env = { ...process.env, BLENDER_USER_CONFIG: join(root, 'user', 'config'), BLENDER_USER_SCRIPTS: join(root, 'user', 'scripts') };
      const installer = new BlenderAddonInstaller(new BlenderFinder({ configuredPath: BLENDER, configuredOnly: true }), env);
      const done = await installer.install();
      expect(done).toMatchObject({ installedTo: join(root, 'user', 'scripts', 'addons', 'troupe_addon'), blenderPath: BLENDER });
      expect(done.blenderVersion).toMatch(/^3\.4/);
      expect(existsSync(join(done.installedTo, 'operators.py'))).toBe(true);
      // A later Blender with the user's preferences (no factory settings) starts with it enabled.
      const { stdout } = await run(BLENDER, ['-b', '--disable-autoexec', '-noaudio', '--python-expr',
        'import addon_utils, bpy; print("TROUPE", addon_utils.check("troupe_addon"), hasattr(bpy.types, "TROUPE_OT_render_on_team"))'], { env, timeout: 60_000 });
      expect(stdout).toContain('TROUPE (True, True) True');
      // Again (an update): the copy is replaced in place, still enabled.
      await expect(installer.install()).resolves.toMatchObject({ installedTo: done.installedTo });
    });

    it('says what to do when this machine has no Blender', async () => {
      const installer = new BlenderAddonInstaller(new BlenderFinder({ configuredPath: join(root, 'no-blender'), configuredOnly: true }));
      await expect(installer.install()).rejects.toThrow(/Blender was not found on this computer. Install Blender/);
    });

    it('registers its operators and submits the request from its builder; clear words without an agent or a Blender teammate', async () => {
      const good = await startFakeAgent(join(root, 'home-good'), { teammateEngines: [{ id: 'blender', version: '3.4.1' }] });
      const noBlender = await startFakeAgent(join(root, 'home-no-blender'), { teammateEngines: [{ id: 'builtin-render', version: null }] });
      const refuses = await startFakeAgent(join(root, 'home-refuses'), {
        teammateEngines: [{ id: 'blender', version: '3.4.1' }],
        refusePreview: 'animation.blend names files that are not sent to teammates: /home/anna/.ssh/id_rsa is outside the project folder',
      });
      agents.push(good, noBlender, refuses);
      const report = join(root, 'addon-report.json');
      const homes = [join(root, 'home-nobody'), noBlender.home, refuses.home, good.home];
      await run(
        BLENDER,
        [
          '-b',
          scene('animation.blend'),
          '--factory-startup',
          '-noaudio',
          '--python',
          join(import.meta.dirname, '../support/blender/addon_probe.py'),
          '--',
          ASSETS,
          report,
          ...homes,
        ],
        { timeout: ENGINE_PATIENCE_MS },
      );
      const probe = JSON.parse(readFileSync(report, 'utf8')) as {
        enabled: boolean;
        registered: Record<string, boolean>;
        presses: {
          error?: string; result?: string[]; nextPollS?: number; watch?: Record<string, unknown>; whileChecking?: Record<string, unknown>; listed?: Record<string, unknown>;
          whileSending?: Record<string, unknown>; secondClick?: string[]; clickWhileListed?: string[]; send?: string[] | null; thirdClick?: string[] | null;
        }[];
      };
      expect(probe.enabled).toBe(true);
      expect(probe.registered).toEqual({ TROUPE_OT_render_on_team: true, TROUPE_OT_bake_on_team: true, TROUPE_OT_send_listed: true, TROUPE_PT_team: true });
      expect(probe.presses[0]!.error).toMatch(/Troupe isn't running on this computer/);
      expect(probe.presses[1]!.error).toMatch(/No teammate has Blender/);
      expect(probe.presses[3]!.result).toEqual(['FINISHED']);

      // First the list of what would be sent, with sizes, for the artist to send or not; then the job.
      const posts = good.requests.filter((r) => r.method === 'POST').map((r) => r.url);
      expect(posts).toEqual(['/api/jobs/preview', '/api/jobs']); // one job for four clicks
      expect(probe.presses[3]!.whileChecking).toMatchObject({ state: 'checking', file: scene('animation.blend') });
      expect(probe.presses[3]!.secondClick).toEqual(['CANCELLED']); // while the agent reads the file
      expect(probe.presses[3]!.listed).toMatchObject({ state: 'listed', files: [{ name: 'animation.blend', sizeBytes: 900_000 }, { name: 'tex/wood.png', sizeBytes: 2_400_000 }], totalBytes: 3_300_000 });
      expect(probe.presses[3]!.clickWhileListed).toEqual(['CANCELLED']); // the list waits for Send or Cancel
      expect(probe.presses[3]!.send).toEqual(['FINISHED']);
      const [preview, post] = good.requests.filter((r) => r.method === 'POST');
      expect(preview!.body).toEqual(post!.body);
      expect(post!.authorization).toBe(`Bearer ${good.token}`);
      // The agent's own schema took it (the fake agent answers 400 otherwise); and it says what the add-on means.
      expect(() => registeredEngines().parseRequest(post!.body)).not.toThrow();
      expect(post!.body).toEqual({
        engine: 'blender',
        job: 'render',
        scenePath: scene('animation.blend'), // saved, no unsaved changes: the file itself, no copy
        name: 'animation',
        blenderVersion: '3.4',
        anyBlenderVersion: false,
        priority: 0,
        frameStart: 1,
        frameEnd: 6,
        frameStep: 1,
        still: false,
        outputDir: scene('out'),
        outputPattern: scene('out/frame_####'),
        projectRoot: join(root, 'scenes'),
      });
      expect(probe.presses[3]!.whileSending).toMatchObject({ state: 'sending', file: scene('animation.blend') });
      expect(probe.presses[3]!.thirdClick).toEqual(['CANCELLED']); // while its job runs
      expect(probe.presses[3]!.watch).toMatchObject({
        jobId: good.jobId,
        state: 'running',
        done: 1,
        total: 6,
        machines: [['render-box', 1, 2.5]],
      });
      expect(probe.presses[3]!.nextPollS).toBe(2);
      // A refusal comes with the list, before anything is sent: in the panel, in the agent's words.
      expect(probe.presses[2]!.listed).toMatchObject({ state: 'not sent', message: expect.stringMatching(/id_rsa is outside the project folder/) });
      expect(probe.presses[2]!.send).toBeNull();
      expect(refuses.requests.filter((r) => r.method === 'POST').map((r) => r.url)).toEqual(['/api/jobs/preview']);
    });
  });
});
