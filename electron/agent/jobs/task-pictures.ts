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

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * `bytes` if they are a PNG of `width` x `height` (its header says so; `atMost`: no larger, as a
 * scene cropping its frames makes them), else a TroupeError: a teammate made them, and a header
 * claiming a huge image would make the app's decoder allocate for it.
 */
export function checkedPng(bytes: Uint8Array, width: number, height: number, taskId: string, atMost = false): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const isPng = bytes.byteLength >= 24 && PNG_SIGNATURE.every((b, i) => bytes[i] === b) && String.fromCharCode(...bytes.subarray(12, 16)) === 'IHDR';
  if (!isPng) throw new TroupeError('internal', `The picture of ${taskId} is not a PNG; the teammate that made it may be broken`);
  const [w, h] = [view.getUint32(16), view.getUint32(20)];
  if (atMost ? w > width || h > height || w === 0 || h === 0 : w !== width || h !== height) throw new TroupeError('internal', `The picture of ${taskId} is ${w}x${h}, not the ${atMost ? 'at most ' : ''}${width}x${height} it must be; the teammate that made it may be broken`);
  return bytes;
}
