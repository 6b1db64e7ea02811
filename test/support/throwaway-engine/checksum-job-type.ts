// The throwaway engine's coordinator half: a file stored by content, one task per byte range, and
// a join on the coordinator that writes every part's digest into one file; a table of the parts.

import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { TroupeError } from '../../../shared/errors.js';
import type { EngineAdvert, JobAbout, ResultTable, TaskSpec, TaskView } from '../../../shared/model/jobs.js';
import { flagPath, flagWhole } from '../../../electron/agent/jobs/command-flags.js';
import type { CommandLine, FinishedPart, JobType, LeaseBase, ResultFiles, TaskOutputs } from '../../../electron/agent/jobs/job-type.js';
import type { BlobStore } from '../../../electron/agent/storage/blob-store.js';
import { CHECKSUM_ENGINE, CHECKSUM_WIRE, type ChecksumLease, type ChecksumRequest, type ChecksumSubmission } from './checksum-wire.js';

const JOINED = 'checksums.txt';
const partFile = (i: number): string => `part-${String(i).padStart(2, '0')}.sha256`;

export function partRange(job: ChecksumSubmission, i: number): { from: number; to: number } {
  const size = job.assets[0]!.sizeBytes;
  return { from: Math.floor((i * size) / job.parts), to: Math.floor(((i + 1) * size) / job.parts) };
}

export class ChecksumJobType implements JobType<ChecksumSubmission, ChecksumRequest, ChecksumLease> {
  readonly wire = CHECKSUM_WIRE;
  readonly deterministic = true;
  readonly commands = [{ verb: 'checksum', extensions: ['.bin', '.txt'], usage: 'troupe checksum <file.bin> [--parts N] [--out DIR]' }];

  async prepare(request: ChecksumRequest, blobs: BlobStore): Promise<ChecksumSubmission> {
    if (!(await stat(request.scenePath).catch(() => null))?.isFile()) throw new TroupeError('not-found', `No file at ${request.scenePath}`);
    const stored = await blobs.put(createReadStream(request.scenePath));
    const name = basename(request.scenePath);
    return { name: request.name ?? name, engine: CHECKSUM_ENGINE, scene: name, assets: [{ name, ...stored }], outputDir: request.outputDir, priority: request.priority, parts: request.parts };
  }

  requestFromCommand(command: CommandLine): Record<string, unknown> {
    return { engine: CHECKSUM_ENGINE, scenePath: command.file, parts: flagWhole(command.flags, 'parts') ?? 4, outputDir: flagPath(command, 'out', 'troupe-out') };
  }

  about(job: ChecksumSubmission): JobAbout {
    return {
      description: `SHA-256 of ${job.scene} in ${job.parts} parts`,
      images: null,
      warnings: [],
      tables: [{ name: 'parts', title: 'Parts', columns: [{ key: 'part', label: 'Part', sortable: true }, { key: 'bytes', label: 'Bytes', sortable: true }, { key: 'sha256', label: 'SHA-256', sortable: false }], defaultSort: 'part' }],
    };
  }

  async table(job: ChecksumSubmission, _jobId: string, _name: string, tasks: readonly TaskView[], sort: string): Promise<ResultTable> {
    const rows: ResultTable['rows'] = [];
    for (const t of tasks) {
      if (t.kind !== 'chunk' || t.state !== 'done') continue;
      const i = t.frames[0]!;
      const { from, to } = partRange(job, i);
      rows.push({ part: i, bytes: to - from, sha256: (await readFile(join(job.outputDir, partFile(i)), 'utf8')).trim() });
    }
    const key = sort.replace(/^-/, '') as 'part' | 'bytes';
    rows.sort((a, b) => (sort.startsWith('-') ? -1 : 1) * ((a[key] as number) - (b[key] as number)));
    return { columns: this.about(job).tables[0]!.columns, rows };
  }

  compile(jobId: string, job: ChecksumSubmission): TaskSpec[] {
    const parts: TaskSpec[] = Array.from({ length: job.parts }, (_, i) => ({ taskId: `${jobId}:p${i}`, kind: 'chunk', frames: [i], region: null, dependsOn: [], cost: partRange(job, i).to - partRange(job, i).from }));
    return [...parts, { taskId: `${jobId}:join`, kind: 'merge', frames: [0], region: null, dependsOn: parts.map((p) => p.taskId), cost: 1, runsOn: 'coordinator' }];
  }

  split(): null {
    return null;
  }

  workKey(): null {
    return null;
  }

  runsOn(_job: ChecksumSubmission, engines: readonly EngineAdvert[]): boolean {
    return engines.some((e) => e.id === CHECKSUM_ENGINE);
  }

  lease(job: ChecksumSubmission, base: LeaseBase): ChecksumLease {
    return { ...base, engine: CHECKSUM_ENGINE, scene: job.scene, assets: job.assets, ...partRange(job, base.task.frames[0]!) };
  }

  expectedOutputs(_job: ChecksumSubmission, _task: TaskSpec, sent: TaskOutputs): TaskOutputs {
    if (!sent.digest || sent.digest.sizeBytes > 128) throw new Error('the worker sent no digest, or one too long to be one');
    return { digest: sent.digest };
  }

  async keepResult(job: ChecksumSubmission, task: TaskSpec, outputs: TaskOutputs, files: ResultFiles): Promise<TaskOutputs> {
    await files.writeFromBlob(job.outputDir, partFile(task.frames[0]!), outputs.digest!.hash);
    return { [partFile(task.frames[0]!)]: outputs.digest! };
  }

  heldBlobs(): string[] {
    return [];
  }

  outputFiles(_task: TaskSpec, outputs: TaskOutputs): string[] {
    return Object.keys(outputs);
  }

  async finish(job: ChecksumSubmission, _task: TaskSpec, parts: FinishedPart[], files: ResultFiles): Promise<TaskOutputs> {
    const lines = await Promise.all(
      [...parts].sort((a, b) => a.spec.frames[0]! - b.spec.frames[0]!).map(async (p) => `${(await readFile(join(job.outputDir, partFile(p.spec.frames[0]!)), 'utf8')).trim()}  part ${p.spec.frames[0]}`),
    );
    const bytes = new TextEncoder().encode(`${lines.join('\n')}\n`);
    await files.writeBytes(job.outputDir, JOINED, bytes);
    return { [JOINED]: { hash: '0'.repeat(64), sizeBytes: bytes.length } };
  }
}
