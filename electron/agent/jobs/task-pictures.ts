// Owns the pictures job types that make images give the app for a done task (JobType.taskImage):
// a frame's file from the output folder as it is, when it is a PNG, and the words for one the app
// cannot show or that is gone. A job type encodes its own tiles; this is what they share.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import type { TaskSpec } from '../../../shared/model/jobs.js';
import type { ResultFiles } from './job-type.js';

/** The first image a frames or merge task wrote into `outputDir` (its files by name), as PNG bytes. */
export async function frameFilePicture(task: TaskSpec, outputDir: string, files: readonly string[]): Promise<Uint8Array> {
  const file = [...files].sort()[0];
  if (!file) throw new TroupeError('not-found', `Task ${task.taskId} wrote no image`);
  if (!file.toLowerCase().endsWith('.png')) throw new TroupeError('bad-request', `${file} is ${(file.split('.').pop() ?? 'not PNG').toUpperCase()}, which the app cannot preview; it is in ${outputDir}`);
  return readFile(join(outputDir, file)).catch(() => {
    throw new TroupeError('not-found', `${file} is no longer in ${outputDir}`);
  });
}

/** The bytes of a blob a done task left in the coordinator's store (a bucket's tile), or why they are gone. */
export async function heldBlob(task: TaskSpec, hash: string | undefined, outputDir: string, files: ResultFiles): Promise<Buffer> {
  if (!hash) throw new TroupeError('not-found', `Bucket ${task.taskId} has no tile`);
  return readFile(files.pathOf(hash)).catch(() => {
    throw new TroupeError('not-found', `The tile of ${task.taskId} was merged into its frame and dropped; open the frame in ${outputDir}`);
  });
}
