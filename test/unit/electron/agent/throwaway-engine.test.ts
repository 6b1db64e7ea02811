// A new engine costs one folder and one line: a throwaway engine ("checksum", in
// test/support/throwaway-engine/) is added to this build's registry with one register call, and a
// job runs through it end to end on a real TeamWork (SQLite journal, blob store, work loop, the
// coordinator's own worker): from a command line the agent reads with the engine's flags, through
// leases the generic wire carries, to a join on the coordinator and a result table. No file of
// Troupe is edited for it; the count is printed (the figure).

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../../../shared/errors.js';
import { linkMessageSchema } from '../../../../shared/protocol/index.js';
import { CapacityProbe } from '../../../../electron/agent/capacity/capacity-probe.js';
import { registeredEngines } from '../../../../electron/agent/engines/registered-engines.js';
import { loadOrCreateIdentity, type Identity } from '../../../../electron/agent/identity/identity-store.js';
import { BlobStore } from '../../../../electron/agent/storage/blob-store.js';
import { TeamWork } from '../../../../electron/agent/team-work.js';
import { ChecksumEngine } from '../../../support/throwaway-engine/checksum-engine.js';
import { ChecksumJobType, partRange } from '../../../support/throwaway-engine/checksum-job-type.js';
import type { ChecksumSubmission } from '../../../support/throwaway-engine/checksum-wire.js';

const REPO = join(import.meta.dirname, '../../../..');
const FOLDER = 'test/support/throwaway-engine';
/** Only catches a hang: a busy machine is slow, never wrong. */
const DEADLINE_MS = 240_000;

let dataDir: string;
let identity: Identity;
let capacity: CapacityProbe;
const engine = new ChecksumEngine();

function teamWork(withChecksum: boolean): TeamWork {
  const engines = registeredEngines({ privateFolders: [dataDir] });
  if (withChecksum) engines.register(new ChecksumJobType(), engine); // the one line a new engine adds
  return new TeamWork({
    identity,
    blobs: new BlobStore(join(dataDir, 'blobs')),
    dataDir,
    capacity,
    engines,
    links: { send: () => undefined, broadcast: () => undefined, state: () => null, markHasWork: () => undefined },
    onlineTeammates: () => [],
    taskTimeLimitMs: null,
    emit: () => undefined,
    log: () => undefined,
  });
}

async function waitFor(what: string, ok: () => boolean): Promise<void> {
  const until = Date.now() + DEADLINE_MS;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'troupe-throwaway-'));
  identity = await loadOrCreateIdentity(dataDir, { allowNew: true, hasTeam: false });
  capacity = new CapacityProbe({ mode: 'on', coreCap: null });
});

afterAll(() => {
  capacity?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a throwaway engine added with one line', () => {
  it('touches no file of Troupe: only its own folder, and the line that registers it', () => {
    const sources = (dir: string): string[] =>
      readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(`${dir}/${e.name}`) : /\.tsx?$/.test(e.name) ? [`${dir}/${e.name}`] : []));
    const knowing = ['shared', 'electron', 'renderer/src', 'test'].flatMap(sources).filter((f) => !f.startsWith(`${FOLDER}/`) && /['"]checksum['"]|throwaway-engine\//.test(readFileSync(join(REPO, f), 'utf8')));
    const own = sources(FOLDER);
    console.log(`a new engine: 1 folder (${own.length} files: ${own.map((f) => f.split('/').pop()).join(', ')}) and 1 register line; other files that know it: ${knowing.join(', ')}`);
    expect(knowing).toEqual(['test/unit/electron/agent/throwaway-engine.test.ts']);
  });

  it('runs a job from a command line to a join on the coordinator, over leases the generic wire carries, with a result table', async () => {
    const work = teamWork(true);
    try {
      const file = join(dataDir, 'data.bin');
      const bytes = Buffer.from(Array.from({ length: 100_003 }, (_, i) => (i * 31 + 7) % 251));
      writeFileSync(file, bytes);
      const outputDir = join(dataDir, 'out');
      const { job } = await work.commandJob({ verb: 'checksum', file: 'data.bin', cwd: dataDir, flags: { parts: '5', out: 'out' }, listOnly: false });
      expect(job!.about.description).toBe('SHA-256 of data.bin in 5 parts');
      expect(job!.tasksTotal).toBe(6);
      await waitFor('the job to end', () => ['done', 'failed', 'cancelled'].includes(work.job(job!.jobId).job.state));
      const done = work.job(job!.jobId);
      expect(done.job.errors).toEqual([]);
      expect(done.job.state).toBe('done');

      const submission = done.job.submission as ChecksumSubmission;
      const expected = Array.from({ length: 5 }, (_, i) => {
        const { from, to } = partRange(submission, i);
        return createHash('sha256').update(bytes.subarray(from, to)).digest('hex');
      });
      expect(readFileSync(join(outputDir, 'checksums.txt'), 'utf8')).toBe(expected.map((h, i) => `${h}  part ${i}\n`).join(''));
      // The join ran on the coordinator (its trait), the parts on the worker.
      expect(done.tasks.find((t) => t.kind === 'merge')!.attempts.map((a) => a.workerId)).toEqual(['coordinator']);

      // Every lease the engine read is one the link reads unchanged: the wire needed no new union.
      expect(engine.leases).toHaveLength(5);
      for (const lease of engine.leases) expect(linkMessageSchema.parse(lease)).toEqual(lease);

      const table = await work.coordinator.table(job!.jobId, 'parts', '-bytes');
      expect(table.rows.map((r) => r.sha256).sort()).toEqual([...expected].sort());
      expect(table.rows.map((r) => r.bytes)).toEqual([...table.rows.map((r) => r.bytes as number)].sort((a, b) => b - a));
    } finally {
      await work.close();
    }
  });

  it("refuses a request in the engine's own words, and a file no engine here takes", async () => {
    const work = teamWork(true);
    try {
      const bad = await work.submitJob({ engine: 'checksum', scenePath: join(dataDir, 'data.bin'), parts: 0, outputDir: dataDir }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(TroupeError);
      expect((bad as TroupeError).message).toMatch(/^Invalid request: parts: /);
      const wrong = await work.commandJob({ verb: 'checksum', file: 'scene.glb', cwd: dataDir, flags: {}, listOnly: false }).catch((e: unknown) => e);
      expect((wrong as TroupeError).message).toMatch(/troupe checksum takes \.bin, \.txt files, not ".*scene\.glb"/);
    } finally {
      await work.close();
    }
  });

  it('a build without the engine keeps its journaled job, ended in words, instead of failing to start', async () => {
    const work = teamWork(false);
    try {
      const jobs = work.coordinator.list();
      expect(jobs.length).toBeGreaterThan(0);
      for (const j of jobs) {
        expect(j.state).toBe('done'); // finished before: nothing to run, nothing lost
        expect(j.about.description).toBe('a checksum job this version cannot read');
      }
    } finally {
      await work.close();
    }
  });
});
