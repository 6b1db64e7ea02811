// Owns the pictures of finished tasks for the app's live progress, as their job types make them
// (JobCoordinator.taskImage: a bucket's tile as it will look in its frame, a frame's image). Done
// tasks' pictures never change, so the last few are kept.

import { TroupeError } from '../../../shared/errors.js';
import type { JobCoordinator } from './job-coordinator.js';

/** Encoded tiles kept, by job and task: enough for a window catching up on a big still. */
const CACHED_TILES = 256;
const CACHED_BYTES = 64 * 1024 * 1024;

export class TaskImages {
  private readonly cache = new Map<string, Buffer>();
  private cachedBytes = 0;

  constructor(private readonly coordinator: JobCoordinator) {}

  /** PNG bytes of a done task's image, or a TroupeError that says why there is none. */
  async png(jobId: string, taskId: string): Promise<Buffer> {
    const key = `${jobId}/${taskId}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const bytes = await this.coordinator.taskImage(jobId, taskId);
    if (bytes.byteLength === 0) throw new TroupeError('internal', `Task ${taskId}'s picture is empty`);
    const png = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
