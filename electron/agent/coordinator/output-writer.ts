// Owns the job's output folder: finished images land there atomically (temporary file + rename,
// never a half-written image), and a frame rendered in buckets is stitched from its tiles here.

import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JobSubmission, Region } from '../../../shared/model/jobs.js';
import { encodeExr, encodePngAsync } from '../engines/builtin-render/image-encode.js';
import { pasteRegion } from '../engines/builtin-render/region-stitch.js';
import { copyFileAtomic, writeFileAtomic } from '../storage/atomic-file.js';
import type { BlobStore } from '../storage/blob-store.js';

export function frameFileName(job: JobSubmission, frame: number): string {
  const safeName = job.name.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60) || 'render';
  return `${safeName}_${String(frame).padStart(4, '0')}.${job.settings.format}`;
}

export class OutputWriter {
  constructor(private readonly blobs: BlobStore) {}

  /** Copies a finished image from the blob store into the output folder under `name`. */
  async writeFromBlob(job: JobSubmission, name: string, hash: string): Promise<void> {
    await mkdir(job.outputDir, { recursive: true });
    await copyFileAtomic(this.blobs.pathOf(hash), join(job.outputDir, name), 0o644);
  }

  /** Stitches float tiles into the frame and writes it; returns the image's name. */
  async mergeTiles(job: JobSubmission, frame: number, tiles: { region: Region; hash: string }[]): Promise<{ name: string; bytes: Buffer }> {
    const { width, height, format } = job.settings;
    const full = new Float32Array(width * height * 4);
    for (const t of tiles) {
      const raw = await readFile(this.blobs.pathOf(t.hash));
      const tile = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)); // aligned copy
      if (tile.length !== t.region.width * t.region.height * 4) throw new Error(`tile for rows ${t.region.y}+${t.region.height} has the wrong size`);
      pasteRegion(full, width, t.region, tile);
    }
    const bytes = format === 'exr' ? encodeExr(full, width, height) : await encodePngAsync(full, width, height);
    const name = frameFileName(job, frame);
    await mkdir(job.outputDir, { recursive: true });
    await writeFileAtomic(join(job.outputDir, name), bytes, 0o644);
    return { name, bytes };
  }
}
