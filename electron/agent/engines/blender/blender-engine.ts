// Owns running Blender tasks on a worker: the job's .blend opened once in a kept-alive Blender
// (its dependencies remapped to the copies in the job folder, so nothing depends on a shared
// folder), then frames, a region (a float EXR tile), a stitch of the regions, or a bake, task
// after task. Blender's lines go to the task's log; a crash, a kill or a cancel fails the task
// with Blender's last lines, and the next task starts a fresh Blender.

import { copyFile, rename } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BLENDER_ENGINE, type EngineAdvert } from '../../../../shared/model/jobs.js';
import type { LeaseOf } from '../../../../shared/protocol/index.js';
import { checkAssetName } from '../../jobs/asset-name.js';
import type { Engine, EngineTask } from '../engine.js';
import { remapTable } from './blender-dependencies.js';
import { BlenderTaskError } from './blender-errors.js';
import type { BlenderFinder, BlenderInstall } from './blender-finder.js';
import { BAKED_BLEND_OUTPUT, CACHE_OUTPUT_PREFIX, tileRegionOf } from './blender-job-type.js';
import { BlenderSessionPool } from './blender-session-pool.js';
import { BlenderSession } from './blender-session.js';
import { isStitch } from './blender-tasks.js';

type BlenderLease = LeaseOf<typeof BLENDER_ENGINE>;

export class BlenderEngine implements Engine<typeof BLENDER_ENGINE> {
  readonly id = BLENDER_ENGINE;
  private install: BlenderInstall | null = null;

  constructor(
    private readonly finder: BlenderFinder,
    readonly sessions = new BlenderSessionPool(),
  ) {}

  advert(): EngineAdvert | null {
    return this.install ? { id: this.id, version: `${this.install.version.major}.${this.install.version.minor}` } : null;
  }

  async detect(): Promise<void> {
    this.finder.forget();
    this.install = await this.finder.find();
  }

  async run(lease: BlenderLease, task: EngineTask): Promise<void> {
    const install = this.install ?? (await this.finder.find());
    if (!install) throw new BlenderTaskError('not-found', 'Blender is not installed on this machine');
    task.signal.throwIfAborted();
    const session = await this.sessions.acquire(task.jobKey, () => this.open(install, lease, task));
    const cancel = (): void => void session.cancel('The task was cancelled');
    task.signal.addEventListener('abort', cancel, { once: true });
    try {
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

  async close(): Promise<void> {
    await this.sessions.close();
  }

  /** A Blender on the job's .blend, its files pointed at the job folder's copies. */
  private async open(install: BlenderInstall, lease: BlenderLease, task: EngineTask): Promise<BlenderSession> {
    const blendFile = join(task.jobDir, checkAssetName(lease.scene));
    const { session } = await BlenderSession.start({ blenderPath: install.path, blendFile, threads: task.threads });
    try {
      const paths = remapTable(lease.blender.blendDir, task.jobDir, lease.blender.dependencies);
      const remap = await session.run('remap_paths', { paths, requireAll: true }, { timeoutMs: 120_000 });
      remap.log.forEach((line) => task.log(line));
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
    let done = 0;
    const outcome = await session.run(
      'render_frames',
      { frames, output: `${base}_####` },
      { onEvent: (event) => event === 'frame_done' && task.progress(++done, frames.length) },
    );
    outcome.log.forEach((line) => task.log(line));
    for (const line of outcome.result.warnings) task.log(`[troupe] warning: ${line}`);
    for (const rendered of outcome.result.frames) {
      const path = task.outputPath();
      await rename(rendered.path, path);
      await task.output(`frame:${rendered.frame}`, path);
    }
  }

  private async region(session: BlenderSession, lease: BlenderLease, task: EngineTask): Promise<void> {
    const path = task.outputPath();
    const outcome = await session.run('render_region', { frame: lease.task.frames[0]!, region: lease.task.region!, output: `${path}.exr` });
    outcome.log.forEach((line) => task.log(line));
    await rename(outcome.result.path, path);
    await task.output('tile', path);
  }

  private async stitch(session: BlenderSession, lease: BlenderLease, task: EngineTask): Promise<void> {
    const tiles = lease.assets.flatMap((a) => {
      const region = tileRegionOf(a.name);
      return region ? [{ ...region, path: join(task.jobDir, checkAssetName(a.name)) }] : [];
    });
    const path = task.outputPath();
    const output = `${path}${lease.blender.fileExtension}`;
    const outcome = await session.run('stitch', { tiles, output });
    outcome.log.forEach((line) => task.log(line));
    await rename(outcome.result.path, path);
    await task.output(`frame:${lease.task.frames[0]}`, path);
  }

  private async bake(session: BlenderSession, task: EngineTask): Promise<void> {
    const path = task.outputPath();
    const outcome = await session.run('bake', { output: `${path}.blend` });
    outcome.log.forEach((line) => task.log(line));
    for (const file of outcome.result.cacheFiles) {
      const copy = task.outputPath();
      await copyFile(file, copy);
      await task.output(`${CACHE_OUTPUT_PREFIX}${basename(file)}`, copy);
    }
    await rename(outcome.result.blendFile, path);
    await task.output(BAKED_BLEND_OUTPUT, path);
  }
}
