// Owns the job's output folder: finished files land there atomically (temporary file + rename,
// never a half-written image). What the files are, and how a frame is stitched from tiles, is
// the job type's (jobs/job-type.ts); this only puts bytes in place.

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ResultFiles } from '../jobs/job-type.js';
import { copyFileAtomic, writeFileAtomic } from '../storage/atomic-file.js';
import type { BlobStore } from '../storage/blob-store.js';

export class OutputWriter implements ResultFiles {
  constructor(private readonly blobs: BlobStore) {}

  pathOf(hash: string): string {
    return this.blobs.pathOf(hash);
  }

  /** Copies a finished file from the blob store into the output folder under `name`. */
  async writeFromBlob(outputDir: string, name: string, hash: string): Promise<void> {
    await mkdir(outputDir, { recursive: true });
    await copyFileAtomic(this.blobs.pathOf(hash), join(outputDir, name), 0o644);
  }

  storeBytes(bytes: Uint8Array): Promise<{ hash: string; sizeBytes: number }> {
    return this.blobs.put(Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
  }

  /** Writes bytes made here (a stitched frame) into the output folder under `name`. */
  async writeBytes(outputDir: string, name: string, bytes: Uint8Array): Promise<void> {
    await mkdir(outputDir, { recursive: true });
    await writeFileAtomic(join(outputDir, name), bytes, 0o644);
  }
}
