// Owns the pictures of finished tasks for the app's live progress: a bucket's tile as PNG (the
// worker sent linear floats; they are encoded the way the final frame will be, so the assembling
// image looks like the result), and a frame's image from the output folder. Tiles never change,
// so the last few encodings are kept.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import { encodePngAsync } from '../engines/builtin-render/image-encode.js';
import type { BlobStore } from '../storage/blob-store.js';
import type { JobCoordinator } from './job-coordinator.js';

/** Encoded tiles kept, by job and task: enough for a window catching up on a big still. */
const CACHED_TILES = 256;
const CACHED_BYTES = 64 * 1024 * 1024;

export class TaskImages {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(
    private readonly coordinator: JobCoordinator,
    private readonly blobs: BlobStore,
  ) {}

  /** PNG bytes of a done task's image, or a TroupeError that says why there is none. */
  async png(jobId: string, taskId: string): Promise<Buffer> {
    const key = `${jobId}/${taskId}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const result = this.coordinator.taskResult(jobId, taskId);
    let png: Buffer;
    if (result.task.kind === 'bucket') {
      if (!result.tileHash) throw new TroupeError('not-found', `Bucket ${taskId} has no tile`);
      const raw = await readFile(this.blobs.pathOf(result.tileHash)).catch(() => {
        throw new TroupeError('not-found', `The tile of ${taskId} was merged into its frame and dropped; open the frame in ${result.outputDir}`);
      });
      const { width, height } = result.task.region!;
      if (raw.byteLength !== width * height * 16) throw new TroupeError('internal', `The tile of ${taskId} has the wrong size`);
      const floats = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)); // aligned copy
      png = await encodePngAsync(floats, width, height);
    } else {
      const file = result.files.sort()[0];
      if (!file) throw new TroupeError('not-found', `Task ${taskId} wrote no image`);
      if (!file.endsWith('.png')) throw new TroupeError('bad-request', `${file} is ${result.settings.format.toUpperCase()}, which the app cannot preview; it is in ${result.outputDir}`);
      png = await readFile(join(result.outputDir, file)).catch(() => {
        throw new TroupeError('not-found', `${file} is no longer in ${result.outputDir}`);
      });
    }
    this.keep(key, png);
    return png;
  }

  private keep(key: string, png: Buffer): void {
    this.cache.set(key, png);
    this.cachedBytes += png.byteLength;
    for (const [k, v] of this.cache) {
      if (this.cache.size <= CACHED_TILES && this.cachedBytes <= CACHED_BYTES) break;
      this.cache.delete(k);
      this.cachedBytes -= v.byteLength;
    }
  }
}
