// Owns running Blender tasks on a worker: the job's .blend opened once in a kept-alive Blender
// (its dependencies remapped to the copies in the job folder, so nothing depends on a shared
// folder), then frames, a region (a float EXR tile), a stitch of the regions, or a bake, task
// after task. Blender's lines go to the task's log; a crash, a kill or a cancel fails the task
// with Blender's last lines, and the next task starts a fresh Blender.
//
// Blender runs in this machine's sandbox (../../sandbox): it sees the system, its own install,
// Troupe's session scripts and this job's folders; it writes only this job's folder (new files,
// such as a bake's disk cache: the shipped inputs are bound read-only) and its output folder; no
// network; at most BLENDER_MEMORY_SHARE of this machine's memory. A task whose inputs the job's
// Blender was not started with (a stitch's region tiles, which arrive after the renders) gets a
// fresh Blender that has them read-only too, and the old one ends before they are laid out
// (prepare): in a writable job folder, a file added later would be writable, and it is a hard
// link to the blob cache.

import { realpathSync } from 'node:fs';
import { copyFile, lstat, mkdir, realpath, rename } from 'node:fs/promises';
import os from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { EngineAdvert } from '../../../../shared/model/jobs.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { Engine, EngineAction, EngineTask } from '../engine.js';
import { BlenderAddonInstaller } from './blender-addon-installer.js';
import { GPU_FEATURE_PREFIX, OIDN_FEATURE, capabilityFeatures, probeCapabilities, type BlenderCapabilities } from './blender-capabilities.js';
import { remapTable } from './blender-dependencies.js';
import { BlenderTaskError } from './blender-errors.js';
import type { BlenderFinder, BlenderInstall } from './blender-finder.js';
import { BAKED_BLEND_OUTPUT, BUCKET_PREVIEW_OUTPUT, CACHE_OUTPUT_PREFIX, tileRegionOf } from './blender-job-type.js';
import { BlenderSessionPool } from './blender-session-pool.js';
import { BlenderSession } from './blender-session.js';
import { isStitch } from './blender-tasks.js';
import { BLENDER_ENGINE, BLENDER_WIRE, type BlenderLease } from './blender-wire.js';
import { platformSandbox } from '../../sandbox/platform-sandbox.js';
import { codeFolders, type Sandbox, type SandboxPolicy } from '../../sandbox/sandbox.js';

/** The most of this machine's memory one Blender may hold (a 438 KB file can ask for 40 GiB). */
export const BLENDER_MEMORY_SHARE = 0.6;
/** Blender's own threads, Python's and the render's: far under this; a fork bomb is not. */
const BLENDER_MAX_PROCESSES = 1024;
const BLENDER_MAX_FILE_BYTES = 8 * 2 ** 30;
const BLENDER_TMP_BYTES = 512 * 2 ** 20;

export interface BlenderEngineOptions {
  /** The sandbox Blender runs in (default: this machine's). */
  sandbox?: Sandbox;
  /** Default: BLENDER_MEMORY_SHARE of this machine's memory. */
  memoryLimitBytes?: number;
  /** Asks an install what it can do (default: a short Blender run); tests replace it. */
  probeCapabilities?: (blenderPath: string) => Promise<BlenderCapabilities | null>;
}


export class BlenderEngine implements Engine<BlenderLease> {
  readonly wire = BLENDER_WIRE;
  readonly timeLimitAdvice = 'render fewer frames per task, in regions, or with fewer samples (a bake: fewer frames)';
  readonly actions: readonly EngineAction[] = [
    {
      id: 'install-addon',
      title: 'Install the Blender add-on',
      command: 'blender-addon',
      run: async () => {
        const done = await new BlenderAddonInstaller(this.finder).install();
        return {
          message: `Installed the Troupe add-on in Blender ${done.blenderVersion} (${done.installedTo}); it is enabled: restart Blender, then find Troupe under Render properties.`,
          details: { ...done },
        };
      },
    },
  ];
  private readonly id = BLENDER_ENGINE;
  private install: BlenderInstall | null = null;
  /** What the install can do beyond its version (asked in the background after detect); null until known. */
  private capabilities: BlenderCapabilities | null = null;
  /** Per job, the inputs (asset names) its kept Blender has read-only (bound when it started). */
  private readonly bound = new Map<string, Set<string>>();

  constructor(
    private readonly finder: BlenderFinder,
    readonly sessions = new BlenderSessionPool(),
    private readonly options: BlenderEngineOptions = {},
  ) {}

  advert(): EngineAdvert | null {
    if (!this.install) return null;
    const version = `${this.install.version.major}.${this.install.version.minor}`;
    if (!this.capabilities) return { id: this.id, version, label: `Blender ${version}` };
    const features = capabilityFeatures(this.capabilities);
    return { id: this.id, version, features, label: advertLabel(version, features) };
  }

  async detect(): Promise<void> {
    this.finder.forget();
    const install = await this.finder.find();
    if (install?.path !== this.install?.path || install?.version.patch !== this.install?.version.patch) this.capabilities = null;
    this.install = install;
    // A Blender start takes seconds: the agent announces itself meanwhile, features follow in capacity.
    if (install && !this.capabilities)
      void (this.options.probeCapabilities ?? probeCapabilities)(install.path).then((caps) => {
        if (this.install?.path === install.path) this.capabilities = caps;
      });
  }

  async run(lease: BlenderLease, task: EngineTask): Promise<void> {
    const install = this.install ?? (await this.finder.find());
    if (!install) throw new BlenderTaskError('not-found', 'Blender is not installed on this machine');
    task.signal.throwIfAborted();
    await this.prepare(lease, task.jobKey); // the task runner has asked already; a direct caller may not have
    const session = await this.sessions.acquire(task.jobKey, () => this.open(install, lease, task));
    const cancel = (): void => void session.cancel('The task was cancelled');
    task.signal.addEventListener('abort', cancel, { once: true });
    try {
      task.signal.throwIfAborted(); // stopped while Blender started: the listener came too late to hear it
      if (lease.blender.job === 'bake') await this.bake(session, task);
      else if (lease.task.kind === 'bucket') await this.region(session, lease, task);
      else if (isStitch(lease.task)) await this.stitch(session, lease, task);
      else await this.frames(session, lease, task);
    } catch (err) {
      if (err instanceof BlenderTaskError) err.logTail.forEach((line) => task.log(line));
      throw err;
    } finally {
      task.signal.removeEventListener('abort', cancel);
      if (lease.blender.job === 'bake') await this.sessions.drop(task.jobKey); // its scene is baked now
      else this.sessions.release(task.jobKey);
    }
  }

  /**
   * Before the lease's inputs are laid out: a kept Blender started without some of them (a
   * stitch's tiles) is ended, so none of them is ever in a folder a running Blender may write.
   */
  async prepare(lease: BlenderLease, jobKey: string): Promise<void> {
    const bound = this.bound.get(jobKey);
    if (bound && lease.assets.some((a) => !bound.has(a.name))) await this.sessions.drop(jobKey);
  }

  async close(): Promise<void> {
    this.bound.clear();
    await this.sessions.close();
  }

  /** A Blender on the job's .blend, its files pointed at the job folder's copies. */
  private async open(install: BlenderInstall, lease: BlenderLease, task: EngineTask): Promise<BlenderSession> {
    const blendFile = join(task.jobDir, checkAssetName(lease.scene));
    await mkdir(task.outputDir, { recursive: true });
    const inputs = lease.assets.map((a) => join(task.jobDir, checkAssetName(a.name)));
    for (const key of this.bound.keys()) if (key !== task.jobKey && !this.sessions.jobs().includes(key)) this.bound.delete(key); // their Blenders are gone
    this.bound.set(task.jobKey, new Set(lease.assets.map((a) => a.name)));
    const memoryBytes = this.options.memoryLimitBytes ?? Math.round(os.totalmem() * BLENDER_MEMORY_SHARE);
    const policy = blenderSandboxPolicy(install.path, { jobDir: task.jobDir, outputDir: task.outputDir, inputs, memoryBytes });
    const contained = { sandbox: this.options.sandbox ?? platformSandbox(), policy };
    const { session } = await BlenderSession.start({ blenderPath: install.path, blendFile, threads: task.threads, contained });
    try {
      const paths = remapTable(task.jobDir, lease.blender.dependencies);
      const outputsInto = join(task.outputDir, 'file-outputs');
      const { frameStart, frameEnd } = lease.settings;
      const args = { paths, requireAll: !lease.blender.allowMissing, outputsInto, frameStart, frameEnd, frameStep: lease.blender.frameStep };
      const remap = await session.run('remap_paths', args, { timeoutMs: 120_000 });
      for (const path of remap.result.missing) task.warn(`${path} is missing on this machine: frames that show it render without it`);
      const devices = await session.run('select_devices', { policy: lease.blender.device ?? 'any', ...(this.capabilities ? { gpus: this.capabilities.gpus } : {}) });
      task.log(`[troupe] Cycles renders on the ${devices.result.device}${devices.result.type ? ` (${devices.result.type}: ${devices.result.names.join(', ')})` : ''}`);
      remap.log.forEach((line) => task.log(line));
      for (const line of remap.result.containedWriters) task.log(`[troupe] warning: ${line}`);
      for (const r of remap.result.remapped) task.log(`[troupe] ${r.kind} ${r.name}: ${r.from} -> ${r.to}`);
      return session;
    } catch (err) {
      await session.quit();
      throw err;
    }
  }

  private async frames(session: BlenderSession, lease: BlenderLease, task: EngineTask): Promise<void> {
    const frames = lease.task.frames;
    const base = task.outputPath();
    // Progress in samples when Blender prints them (frames done, and the current frame's samples), else in frames.
    let done = 0;
    let perFrame = 0;
    const outcome = await session.run(
      'render_frames',
      { frames, output: `${base}_####`, denoising: lease.blender.denoising ?? 'scene' },
      {
        onEvent: (event, fields) => {
          const samples = samplesOf(event, fields);
          if (samples) {
            perFrame = samples.total;
            task.progress(done * perFrame + samples.done, frames.length * perFrame);
          } else if (event === 'frame_done') {
            done++;
            if (perFrame) task.progress(done * perFrame, frames.length * perFrame);
            else task.progress(done, frames.length);
          }
        },
      },
    );
    outcome.log.forEach((line) => task.log(line));
    for (const line of outcome.result.warnings) task.warn(line);
    for (const rendered of outcome.result.frames) {
      const path = task.outputPath();
      await rename(await ownFile(rendered.path, task), path);
      await task.output(`frame:${rendered.frame}`, path);
    }
  }

  private async region(session: BlenderSession, lease: BlenderLease, task: EngineTask): Promise<void> {
    const path = task.outputPath();
    const denoise = (lease.blender.denoising ?? 'scene') === 'scene';
    const preview = task.outputPath();
    const outcome = await session.run(
      'render_region',
      { frame: lease.task.frames[0]!, region: lease.task.region!, output: `${path}.exr`, preview: `${preview}.png`, denoise },
      {
        onEvent: (event, fields) => {
          const samples = samplesOf(event, fields);
          if (samples) task.progress(samples.done, samples.total);
        },
      },
    );
    outcome.log.forEach((line) => task.log(line));
    // Its warnings (dither, adaptive sampling and denoising off) are the job's own already.
    await rename(await ownFile(outcome.result.path, task), path);
    await task.output('tile', path);
    // What the app shows of the region until the stitch: a small PNG (the tile is a float EXR).
    const png = await ownFile(`${preview}.png`, task).catch(() => null);
    if (png) {
      await rename(png, preview);
      await task.output(BUCKET_PREVIEW_OUTPUT, preview);
    }
  }

  private async stitch(session: BlenderSession, lease: BlenderLease, task: EngineTask): Promise<void> {
    const tiles = lease.assets.flatMap((a) => {
      const region = tileRegionOf(a.name);
      return region ? [{ ...region, path: join(task.jobDir, checkAssetName(a.name)) }] : [];
    });
    const path = task.outputPath();
    const output = `${path}${lease.blender.fileExtension}`;
    const outcome = await session.run('stitch', { tiles, output, frame: lease.task.frames[0]!, denoising: lease.blender.denoising ?? 'scene' });
    outcome.log.forEach((line) => task.log(line));
    await rename(await ownFile(outcome.result.path, task), path);
    await task.output(`frame:${lease.task.frames[0]}`, path);
  }

  private async bake(session: BlenderSession, task: EngineTask): Promise<void> {
    const path = task.outputPath();
    const outcome = await session.run('bake', { output: `${path}.blend` });
    outcome.log.forEach((line) => task.log(line));
    for (const file of outcome.result.cacheFiles) {
      const copy = task.outputPath();
      await copyFile(await ownFile(file, task), copy);
      await task.output(`${CACHE_OUTPUT_PREFIX}${basename(file)}`, copy);
    }
    await rename(await ownFile(outcome.result.blendFile, task), path);
    await task.output(BAKED_BLEND_OUTPUT, path);
  }
}

/** What a teammate's Blender may see and do: the job's folders, its own install and Troupe's scripts. */
export function blenderSandboxPolicy(blenderPath: string, job: { jobDir: string; outputDir: string; inputs: string[]; memoryBytes: number }): SandboxPolicy {
  return {
    label: 'Blender',
    readable: [...codeFolders(import.meta.dirname, process.execPath), blenderFolder(blenderPath), ...job.inputs],
    writable: [job.jobDir, job.outputDir],
    memoryBytes: job.memoryBytes,
    maxProcesses: BLENDER_MAX_PROCESSES,
    maxFileBytes: BLENDER_MAX_FILE_BYTES,
    tmpBytes: BLENDER_TMP_BYTES,
  };
}

/**
 * A file Blender says it wrote, checked before this process (outside the sandbox) moves or reads
 * it: inside the job's folders, and a plain file, not a link. Blender's answers are a teammate's
 * scene's doing: a path to the owner's key, or a link to it planted in the job folder, would
 * otherwise be shipped to the teammate as a result.
 */
async function ownFile(path: string, task: EngineTask): Promise<string> {
  // Where it really is: a folder Blender made may be a link out of the task's folders.
  const real = await realpath(resolve(path)).catch(() => null);
  const folders = await Promise.all([task.jobDir, task.outputDir].map((dir) => realpath(dir).catch(() => dir)));
  const inside = real !== null && folders.some((dir) => real.startsWith(dir + sep));
  const info = inside ? await lstat(path).catch(() => null) : null;
  if (!info?.isFile()) throw new BlenderTaskError('command-failed', `Blender named ${path} as its output, which is not a file it wrote in the task's folder`);
  return path;
}

/** The folder of the Blender program (its own Python and data sit beside or below it). */
function blenderFolder(path: string): string {
  try {
    return dirname(realpathSync(path));
  } catch {
    return dirname(path);
  }
}

/** "Blender 3.4 (GPU: OPTIX; OpenImageDenoise)": what the app lists for this machine. */
export function advertLabel(version: string, features: readonly string[]): string {
  const gpus = features.filter((f) => f.startsWith(GPU_FEATURE_PREFIX)).map((f) => f.slice(GPU_FEATURE_PREFIX.length));
  const extras = [gpus.length ? `GPU: ${gpus.join(', ')}` : 'CPU only', ...(features.includes(OIDN_FEATURE) ? ['OpenImageDenoise'] : [])];
  return `Blender ${version} (${extras.join('; ')})`;
}

/** A "samples" event's count (Blender's render stats: "Sample 12/64"), checked; null for any other event. */
export function samplesOf(event: string, fields: Record<string, unknown>): { done: number; total: number } | null {
  if (event !== 'samples') return null;
  const { done, total } = fields;
  if (!Number.isSafeInteger(done) || !Number.isSafeInteger(total) || (total as number) < 1 || (done as number) < 0) return null;
  return { done: Math.min(done as number, total as number), total: total as number };
}
