// The throwaway engine's worker half: hashes its byte range of the lease's file and hands the hex
// digest back as its one output.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineAdvert } from '../../../shared/model/jobs.js';
import type { Engine, EngineTask } from '../../../electron/agent/engines/engine.js';
import { CHECKSUM_ENGINE, CHECKSUM_WIRE, type ChecksumLease } from './checksum-wire.js';

export class ChecksumEngine implements Engine<ChecksumLease> {
  readonly wire = CHECKSUM_WIRE;
  readonly timeLimitAdvice = 'hash the file in more parts';
  /** Every lease this worker read, as its engine received it (the test compares it with the wire). */
  readonly leases: ChecksumLease[] = [];

  advert(): EngineAdvert {
    return { id: CHECKSUM_ENGINE, version: '1', label: 'checksums' };
  }

  async detect(): Promise<void> {}

  async run(lease: ChecksumLease, task: EngineTask): Promise<void> {
    this.leases.push(lease);
    const hash = createHash('sha256');
    if (lease.to > lease.from) {
      for await (const chunk of createReadStream(join(task.jobDir, lease.scene), { start: lease.from, end: lease.to - 1, signal: task.signal })) hash.update(chunk as Buffer);
    }
    task.progress(1, 1);
    const path = task.outputPath();
    await mkdir(task.outputDir, { recursive: true });
    await writeFile(path, `${hash.digest('hex')}\n`);
    await task.output('digest', path);
  }

  async close(): Promise<void> {}
}
