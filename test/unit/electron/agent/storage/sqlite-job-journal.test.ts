import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  JournalDamagedError,
  JournalEntryNotFoundError,
  JournalTooNewError,
} from '../../../../../electron/agent/storage/journal-errors.js';
import { JOURNAL_MIGRATIONS, migrateJournal } from '../../../../../electron/agent/storage/journal-migrations.js';
import { SqliteJobJournal } from '../../../../../electron/agent/storage/sqlite-job-journal.js';
import type { TaskOutcome } from '../../../../../electron/agent/scheduler/ports.js';
import type { JobSubmission, TaskSpec } from '../../../../../shared/model/jobs.js';

const root = fileURLToPath(new URL('../../../../..', import.meta.url));

let dir: string;
let path: string;
const open: SqliteJobJournal[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'troupe-journal-'));
  path = join(dir, 'jobs.sqlite');
});
afterEach(async () => {
  for (const journal of open.splice(0)) journal.close();
  await rm(dir, { recursive: true, force: true });
});

function openJournal(): SqliteJobJournal {
  const journal = SqliteJobJournal.open(path);
  open.push(journal);
  return journal;
}

/** A second connection, as a person with the sqlite3 shell would have. */
function raw(): Database.Database {
  return new Database(path);
}

function submission(name = 'shot', priority = 5): JobSubmission {
  return {
    name,
    engine: 'builtin-render',
    kind: 'animation',
    scene: 'scene.glb',
    assets: [{ name: 'scene.glb', hash: 'a'.repeat(64), sizeBytes: 1234 }],
    settings: { width: 320, height: 240, samplesPerPixel: 16, seed: 7, frameStart: 1, frameEnd: 3, fps: 24, format: 'png' },
    outputDir: '/home/me/renders',
    priority,
  };
}

function frameTask(taskId: string, frame: number): TaskSpec {
  return { taskId, kind: 'frames', frames: [frame], region: null, dependsOn: [], cost: 100 };
}

function bucketTask(taskId: string, frame: number, x: number): TaskSpec {
  return { taskId, kind: 'bucket', frames: [frame], region: { x, y: 0, width: 160, height: 240 }, dependsOn: [], cost: 50 };
}

function outcome(workerId: string, hash = 'b'.repeat(64)): TaskOutcome {
  return { workerId, startedAtMs: 1000, endedAtMs: 2500.5, outputs: { image: { hash, sizeBytes: 4096 } }, warnings: [`${workerId}: a texture was missing`] };
}

describe('SqliteJobJournal: opening and migrations', () => {
  it('creates a fresh file at the last schema version, in WAL mode with FULL sync and foreign keys', async () => {
    const journal = openJournal();
    expect(journal.load()).toEqual({ jobs: [] });
    const db = (journal as any).db as Database.Database;
    expect(db.pragma('user_version', { simple: true })).toBe(JOURNAL_MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['jobs', 'task_failures', 'task_outcomes', 'tasks']);
    // Submissions name folders on this machine: the file is the user's alone.
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('re-opens an existing file without migrating again, keeping what it holds', () => {
    const first = openJournal();
    first.jobCreated('j1', submission(), 10, [frameTask('f1', 1)]);
    first.close();
    open.splice(0);
    const again = openJournal();
    expect(again.load().jobs.map((j) => j.jobId)).toEqual(['j1']);
    expect(((again as any).db as Database.Database).pragma('user_version', { simple: true })).toBe(JOURNAL_MIGRATIONS.length);
  });

  it('refuses a file from a newer schema and leaves it untouched', () => {
    const db = raw();
    db.pragma(`user_version = ${JOURNAL_MIGRATIONS.length + 1}`);
    db.close();
    expect(() => SqliteJobJournal.open(path)).toThrow(JournalTooNewError);
    const known = JOURNAL_MIGRATIONS.length;
    expect(() => SqliteJobJournal.open(path)).toThrow(`newer Troupe (schema ${known + 1}; this version knows up to ${known})`);
    const after = raw();
    expect(after.pragma('user_version', { simple: true })).toBe(JOURNAL_MIGRATIONS.length + 1);
    expect(after.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(after.prepare("SELECT count(*) FROM sqlite_schema WHERE type = 'table'").pluck().get()).toBe(0);
    after.close();
  });

  it('applies only the missing steps, in order, and rolls back a step that fails', () => {
    const db = raw();
    const steps = ['CREATE TABLE a (x INTEGER)', 'CREATE TABLE b (y INTEGER)'];
    migrateJournal(db, path, steps.slice(0, 1));
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    migrateJournal(db, path, steps); // would fail on "table a already exists" if step 1 ran again
    expect(db.pragma('user_version', { simple: true })).toBe(2);

    expect(() => migrateJournal(db, path, [...steps, 'CREATE TABLE c (z INTEGER); CREATE TABLE nonsense ('])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'c'").pluck().get()).toBe(0);

    expect(() => migrateJournal(db, path, steps.slice(0, 1))).toThrow(JournalTooNewError);
    db.close();
  });

  it('names a file that is not a database instead of failing deep inside', async () => {
    await writeFile(path, 'this is a text file, not SQLite, and it is long enough to have a header'.repeat(20));
    expect(() => SqliteJobJournal.open(path)).toThrow(JournalDamagedError);
    expect(() => SqliteJobJournal.open(path)).toThrow(/jobs\.sqlite is damaged/);
  });
});

describe('SqliteJobJournal: what load() gives back', () => {
  it('round-trips every call', () => {
    const journal = openJournal();
    journal.jobCreated('j1', submission('shot', 5), 1000, [frameTask('f1', 1), frameTask('f2', 2), frameTask('f3', 3)]);
    journal.jobStateChanged('j1', 'running', 1100);
    journal.taskStateChanged('j1', 'f1', 'leased');
    journal.taskStateChanged('j1', 'f1', 'running', 'worker w1 started');
    journal.taskCompleted('j1', 'f1', outcome('w1'));
    journal.taskStateChanged('j1', 'f2', 'running');
    journal.taskAttemptFailed('j1', 'f2', 'w2', 'engine crashed', 1200);
    journal.taskAttemptFailed('j1', 'f2', 'w3', 'out of memory', 1300);
    journal.taskStateChanged('j1', 'f2', 'failed');
    const merge: TaskSpec = { taskId: 'm3', kind: 'merge', frames: [3], region: null, dependsOn: ['b3a', 'b3b'], cost: 1 };
    journal.tasksAdded('j1', [bucketTask('b3a', 3, 0), bucketTask('b3b', 3, 160), merge], 'f3');
    journal.jobPriorityChanged('j1', 9);
    journal.workersUntrusted('j1', ['w4'], ['w4 returned a wrong result for task f1']);
    journal.jobStateChanged('j1', 'failed', 1400, ['w4 returned a wrong result for task f1', 'frame 2 failed on 3 workers']);
    journal.jobCreated('j0', submission('later', 1), 2000, []);

    const expected = {
      jobs: [
        {
          jobId: 'j1',
          submission: submission('shot', 9),
          state: 'failed',
          createdAtMs: 1000,
          finishedAtMs: 1400,
          errors: ['w4 returned a wrong result for task f1', 'frame 2 failed on 3 workers'],
          untrusted: ['w4'],
          tasks: [
            { spec: frameTask('f1', 1), state: 'done', outcome: outcome('w1'), failures: [] },
            {
              spec: frameTask('f2', 2),
              state: 'failed',
              outcome: null,
              failures: [
                { workerId: 'w2', error: 'engine crashed' },
                { workerId: 'w3', error: 'out of memory' },
              ],
            },
            { spec: frameTask('f3', 3), state: 'cancelled', outcome: null, failures: [] },
            { spec: bucketTask('b3a', 3, 0), state: 'queued', outcome: null, failures: [] },
            { spec: bucketTask('b3b', 3, 160), state: 'queued', outcome: null, failures: [] },
            { spec: merge, state: 'queued', outcome: null, failures: [] },
          ],
        },
        // Creation order, not id order.
        { jobId: 'j0', submission: submission('later', 1), state: 'queued', createdAtMs: 2000, finishedAtMs: null, errors: [], untrusted: [], tasks: [] },
      ],
    };
    expect(journal.load()).toEqual(expected);
    journal.close();
    open.splice(0);
    expect(openJournal().load()).toEqual(expected);
  });

  it('keeps recorded errors when a state change brings none, and clears finishedAtMs when a job runs again', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, []);
    journal.jobStateChanged('j', 'failed', 50, ['disk full']);
    journal.jobStateChanged('j', 'running', 60);
    expect(journal.load().jobs[0]).toMatchObject({ state: 'running', finishedAtMs: null, errors: ['disk full'] });
    journal.jobStateChanged('j', 'done', 70, []);
    expect(journal.load().jobs[0]).toMatchObject({ state: 'done', finishedAtMs: 70, errors: [] });
  });

  it('keeps the untrusted workers a journal written before they were recorded opens without (schema 1 to 2)', () => {
    const db = raw();
    migrateJournal(db, path, JOURNAL_MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO jobs (job_id, seq, submission, state, priority, created_at_ms) VALUES ('old', 1, ?, 'running', 5, 0)`,
    ).run(JSON.stringify(submission()));
    db.close();
    const journal = openJournal();
    expect(journal.load().jobs[0]).toMatchObject({ jobId: 'old', errors: [], untrusted: [] });
    journal.workersUntrusted('old', ['w9', 'w7'], ['w9 and w7 returned wrong results']);
    expect(journal.load().jobs[0]).toMatchObject({ untrusted: ['w9', 'w7'], errors: ['w9 and w7 returned wrong results'] });
    expect(() => journal.workersUntrusted('nope', ['w1'], [])).toThrow(JournalEntryNotFoundError);
  });

  it('keeps the first result of a task completed twice', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, [frameTask('f1', 1)]);
    journal.taskCompleted('j', 'f1', outcome('first', 'c'.repeat(64)));
    journal.taskCompleted('j', 'f1', outcome('second', 'd'.repeat(64)));
    const [task] = journal.load().jobs[0]!.tasks;
    expect(task).toEqual({ spec: frameTask('f1', 1), state: 'done', outcome: outcome('first', 'c'.repeat(64)), failures: [] });
  });

  it('supersedes a task: replacements after the existing tasks, the old one cancelled in the same step', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, [frameTask('f1', 1), frameTask('f2', 2)]);
    journal.tasksAdded('j', [bucketTask('b1a', 1, 0), bucketTask('b1b', 1, 160)], 'f1');
    journal.tasksAdded('j', [frameTask('f3', 3)], null);
    const tasks = journal.load().jobs[0]!.tasks;
    expect(tasks.map((t) => [t.spec.taskId, t.state])).toEqual([
      ['f1', 'cancelled'],
      ['f2', 'queued'],
      ['b1a', 'queued'],
      ['b1b', 'queued'],
      ['f3', 'queued'],
    ]);
    const db = raw();
    expect(db.prepare("SELECT superseded_by FROM tasks WHERE task_id = 'f1'").pluck().get()).toBe('["b1a","b1b"]');
    db.close();
  });

  it('adds nothing when the task to supersede is unknown', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, [frameTask('f1', 1)]);
    expect(() => journal.tasksAdded('j', [bucketTask('b9', 9, 0)], 'f9')).toThrow(JournalEntryNotFoundError);
    expect(journal.load().jobs[0]!.tasks.map((t) => t.spec.taskId)).toEqual(['f1']);
  });

  it('refuses calls about jobs or tasks it never recorded', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, [frameTask('f1', 1)]);
    expect(() => journal.tasksAdded('nope', [frameTask('x', 1)], null)).toThrow(/no job "nope"/);
    expect(() => journal.taskStateChanged('j', 'nope', 'running')).toThrow(/no task "nope" in job "j"/);
    expect(() => journal.taskCompleted('j', 'nope', outcome('w'))).toThrow(JournalEntryNotFoundError);
    expect(() => journal.taskAttemptFailed('nope', 'f1', 'w', 'e', 1)).toThrow(JournalEntryNotFoundError);
    expect(() => journal.jobStateChanged('nope', 'done', 1)).toThrow(JournalEntryNotFoundError);
    expect(() => journal.jobPriorityChanged('nope', 1)).toThrow(JournalEntryNotFoundError);
    expect(() => journal.jobCreated('j', submission(), 0, [])).toThrow(/UNIQUE/);
  });

  it('creates a job and its tasks together or not at all', () => {
    const journal = openJournal();
    expect(() => journal.jobCreated('j', submission(), 0, [frameTask('f1', 1), frameTask('f1', 2)])).toThrow(/UNIQUE/);
    expect(journal.load()).toEqual({ jobs: [] });
  });
});

describe('SqliteJobJournal: damaged rows', () => {
  function damage(sql: string): void {
    const db = raw();
    db.pragma('ignore_check_constraints = ON'); // the schema's json_valid checks would refuse the damage
    db.exec(sql);
    db.close();
  }

  it('names the task whose spec is not JSON', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, [frameTask('f1', 1)]);
    damage(`UPDATE tasks SET spec = '{"taskId": "f1", ' WHERE task_id = 'f1'`);
    expect(() => journal.load()).toThrow(JournalDamagedError);
    expect(() => journal.load()).toThrow(/the spec of task "f1" of job "j" is not valid JSON/);
  });

  it('names the job whose submission has the wrong shape, and where (its engine part is read by its engine, not here)', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, []);
    damage(`UPDATE jobs SET submission = json_set(submission, '$.settings.width', 'wide')`);
    expect(journal.load().jobs[0]!.submission).toMatchObject({ settings: { width: 'wide' } }); // the coordinator's registry refuses it
    damage(`UPDATE jobs SET submission = json_set(submission, '$.outputDir', 7)`);
    expect(() => journal.load()).toThrow(/the submission of job "j" is not what was written \(.* at outputDir\)/);
  });

  it('names a spec that claims to be another task, and outputs of the wrong shape', () => {
    const journal = openJournal();
    journal.jobCreated('j', submission(), 0, [frameTask('f1', 1), frameTask('f2', 2)]);
    journal.taskCompleted('j', 'f2', outcome('w'));
    damage(`UPDATE tasks SET spec = json_set(spec, '$.taskId', 'f9') WHERE task_id = 'f1'`);
    expect(() => journal.load()).toThrow(/the spec of task "f1" of job "j" names task "f9"/);
    damage(`UPDATE tasks SET spec = json_set(spec, '$.taskId', 'f1') WHERE task_id = 'f1'`);
    damage(`UPDATE task_outcomes SET outputs = '[1, 2]'`);
    expect(() => journal.load()).toThrow(/the outputs of task "f2" of job "j"/);
  });
});

describe('SqliteJobJournal: durability', () => {
  /** Compiles just the writer and what it imports into dist/: the child runs plain Node on JS. */
  async function buildWriter(): Promise<string> {
    await mkdir(join(root, 'dist'), { recursive: true });
    const config = join(root, 'dist', `.journal-writer-${process.pid}.tsconfig.json`);
    const fixture = 'test/unit/electron/agent/storage/journal-writer.fixture';
    await writeFile(config, JSON.stringify({ extends: '../tsconfig.json', files: [`../${fixture}.ts`], include: [] }));
    try {
      await promisify(execFile)(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config]);
    } catch (err) {
      throw new Error(`building the journal writer failed: ${(err as { stdout?: string }).stdout ?? String(err)}`, { cause: err });
    } finally {
      await unlink(config);
    }
    return join(root, 'dist', `${fixture}.js`);
  }

  it('loses no completed task when the writer is killed with SIGKILL mid-stream', async () => {
    const writer = await buildWriter();
    const taskCount = 200;
    const child = spawn(process.execPath, [writer, path, String(taskCount)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const printedCompleted = () => stdout.split('\n').filter((line) => /^t\d+$/.test(line));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (printedCompleted().length >= 50) child.kill('SIGKILL');
    });
    const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    );
    expect(exit, stderr).toEqual({ code: null, signal: 'SIGKILL' });

    const completed = printedCompleted();
    expect(completed.length).toBeGreaterThanOrEqual(50);
    const journal = openJournal();
    const [job] = journal.load().jobs;
    expect(job?.tasks).toHaveLength(taskCount);
    const byId = new Map(job!.tasks.map((t) => [t.spec.taskId, t]));
    for (const taskId of completed) {
      const task = byId.get(taskId);
      expect(task?.state, taskId).toBe('done');
      expect(task?.outcome).toMatchObject({ workerId: `w-${taskId}`, outputs: { image: { hash: `hash-${taskId}` } } });
    }
    // Each completion is one transaction: never a done task without its outcome, nor the reverse.
    for (const task of job!.tasks) expect(task.state === 'done', task.spec.taskId).toBe(task.outcome !== null);

    const db = raw();
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});
