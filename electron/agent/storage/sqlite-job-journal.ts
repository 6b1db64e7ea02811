// Owns the coordinator's durable job journal in SQLite: each JobJournal call is one transaction,
// on disk before it returns, so neither a crash nor a power cut forgets a finished task.
// The schema lives in journal-migrations.ts; what the calls mean is the scheduler's business.

import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { z } from 'zod';
import {
  jobStateSchema,
  jobSubmissionSchema,
  taskSpecSchema,
  taskStateSchema,
  type JobState,
  type JobSubmission,
  type TaskSpec,
  type TaskState,
} from '../../../shared/model/jobs.js';
import type { JobJournal, JournalSnapshot, TaskOutcome } from '../scheduler/ports.js';
import { JournalDamagedError, JournalEntryNotFoundError } from './journal-errors.js';
import { assertNotNewer, migrateJournal } from './journal-migrations.js';

type JournalJob = JournalSnapshot['jobs'][number];
type JournalTask = JournalJob['tasks'][number];

const FINISHED_JOB_STATES: ReadonlySet<JobState> = new Set(['done', 'failed', 'cancelled']);

/** Another process (a second agent by mistake, a person with the sqlite3 shell) may hold the lock briefly. */
const BUSY_TIMEOUT_MS = 5000;

interface JobRow {
  job_id: string;
  submission: string;
  state: string;
  priority: number;
  created_at_ms: number;
  finished_at_ms: number | null;
  errors: string;
  untrusted: string;
}
interface TaskRow {
  job_id: string;
  task_id: string;
  spec: string;
  state: string;
}
interface OutcomeRow {
  job_id: string;
  task_id: string;
  worker_id: string;
  started_at_ms: number;
  ended_at_ms: number;
  outputs: string;
  warnings: string;
}
interface FailureRow {
  job_id: string;
  task_id: string;
  worker_id: string;
  error: string;
}

export class SqliteJobJournal implements JobJournal {
  private readonly stmt;
  private readonly createJob: (jobId: string, submission: JobSubmission, createdAtMs: number, tasks: TaskSpec[]) => void;
  private readonly addTasks: (jobId: string, tasks: TaskSpec[], superseded: string | null) => void;
  private readonly completeTask: (jobId: string, taskId: string, outcome: TaskOutcome) => void;
  private readonly readAll: () => JournalSnapshot;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {
    this.stmt = {
      jobExists: db.prepare<[string], 1>('SELECT 1 FROM jobs WHERE job_id = ?').pluck(),
      taskExists: db.prepare<[string, string], 1>('SELECT 1 FROM tasks WHERE job_id = ? AND task_id = ?').pluck(),
      insertJob: db.prepare<[string, string, number, number]>(
        `INSERT INTO jobs (job_id, seq, submission, state, priority, created_at_ms)
         VALUES (?, (SELECT coalesce(max(seq), 0) + 1 FROM jobs), ?, 'queued', ?, ?)`,
      ),
      // Position follows the job's last task, so tasks added by a split load after the originals.
      insertTask: db.prepare<{ jobId: string; taskId: string; spec: string }>(
        `INSERT INTO tasks (job_id, task_id, position, spec, state)
         VALUES (@jobId, @taskId, (SELECT coalesce(max(position), -1) + 1 FROM tasks WHERE job_id = @jobId), @spec, 'queued')`,
      ),
      supersede: db.prepare<[string, string, string]>(
        `UPDATE tasks SET state = 'cancelled', state_note = 'superseded', superseded_by = ? WHERE job_id = ? AND task_id = ?`,
      ),
      setTaskState: db.prepare<[string, string | null, string, string]>(
        'UPDATE tasks SET state = ?, state_note = ? WHERE job_id = ? AND task_id = ?',
      ),
      insertOutcome: db.prepare<[string, string, string, number, number, string, string]>(
        `INSERT INTO task_outcomes (job_id, task_id, worker_id, started_at_ms, ended_at_ms, outputs, warnings)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, task_id) DO NOTHING`,
      ),
      deleteOutcome: db.prepare<[string, string]>('DELETE FROM task_outcomes WHERE job_id = ? AND task_id = ?'),
      insertFailure: db.prepare<[string, string, string, string, number]>(
        'INSERT INTO task_failures (job_id, task_id, worker_id, error, at_ms) VALUES (?, ?, ?, ?, ?)',
      ),
      // errors NULL keeps what is recorded: a state change without errors does not erase them.
      setJobState: db.prepare<[string, number | null, string | null, string]>(
        'UPDATE jobs SET state = ?, finished_at_ms = ?, errors = coalesce(?, errors) WHERE job_id = ?',
      ),
      setJobPriority: db.prepare<[number, string]>('UPDATE jobs SET priority = ? WHERE job_id = ?'),
      setUntrusted: db.prepare<[string, string, string]>('UPDATE jobs SET untrusted = ?, errors = ? WHERE job_id = ?'),
      allJobs: db.prepare<[], JobRow>(
        'SELECT job_id, submission, state, priority, created_at_ms, finished_at_ms, errors, untrusted FROM jobs ORDER BY seq',
      ),
      allTasks: db.prepare<[], TaskRow>('SELECT job_id, task_id, spec, state FROM tasks ORDER BY job_id, position'),
      allOutcomes: db.prepare<[], OutcomeRow>('SELECT job_id, task_id, worker_id, started_at_ms, ended_at_ms, outputs, warnings FROM task_outcomes'),
      allFailures: db.prepare<[], FailureRow>('SELECT job_id, task_id, worker_id, error FROM task_failures ORDER BY failure_id'),
    };

    this.createJob = db.transaction((jobId: string, submission: JobSubmission, createdAtMs: number, tasks: TaskSpec[]) => {
      this.stmt.insertJob.run(jobId, JSON.stringify(submission), submission.priority, createdAtMs);
      for (const spec of tasks) this.stmt.insertTask.run({ jobId, taskId: spec.taskId, spec: JSON.stringify(spec) });
    });
    // The replacements and the cancellation commit together: after a crash the frame is either
    // still one task or already its buckets, never both nor neither.
    this.addTasks = db.transaction((jobId: string, tasks: TaskSpec[], superseded: string | null) => {
      this.requireJob(jobId);
      for (const spec of tasks) this.stmt.insertTask.run({ jobId, taskId: spec.taskId, spec: JSON.stringify(spec) });
      if (superseded !== null) {
        const replacedBy = JSON.stringify(tasks.map((t) => t.taskId));
        if (this.stmt.supersede.run(replacedBy, jobId, superseded).changes === 0) {
          throw new JournalEntryNotFoundError(`task "${superseded}" in job "${jobId}" to supersede`);
        }
      }
    });
    // First result wins: a late duplicate (a lease that lapsed, then both workers answered) must
    // not replace outputs the coordinator may already have handed on.
    this.completeTask = db.transaction((jobId: string, taskId: string, outcome: TaskOutcome) => {
      this.requireTask(jobId, taskId);
      const { workerId, startedAtMs, endedAtMs, outputs, warnings } = outcome;
      const inserted = this.stmt.insertOutcome.run(jobId, taskId, workerId, startedAtMs, endedAtMs, JSON.stringify(outputs), JSON.stringify(warnings ?? []));
      if (inserted.changes === 1) this.stmt.setTaskState.run('done', null, jobId, taskId);
    });
    // One read transaction, so the four queries see the same moment.
    this.readAll = db.transaction(() => this.assemble());
  }

  /** Opens (creating if needed) and migrates the journal at `path`, a file path (not ':memory:'). */
  static open(path: string): SqliteJobJournal {
    createPrivately(path);
    const db = new Database(path);
    try {
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // Before any pragma that writes: a newer version's file is left exactly as it was.
      assertNotNewer(db, path);
      // WAL where the file system allows it; if SQLite refuses (some network file systems), the
      // rollback journal with FULL sync is as durable, only slower.
      db.pragma('journal_mode = WAL');
      // FULL syncs the WAL on every commit: NORMAL would survive a crash but may lose the last
      // commits to a power cut, and the scheduler treats a returned call as on disk.
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      migrateJournal(db, path);
      return new SqliteJobJournal(db, path);
    } catch (err) {
      db.close();
      if (err instanceof Database.SqliteError && (err.code === 'SQLITE_NOTADB' || err.code === 'SQLITE_CORRUPT')) {
        throw new JournalDamagedError(path, `SQLite cannot read it (${err.message})`);
      }
      throw err;
    }
  }

  close(): void {
    this.db.close();
  }

  jobCreated(jobId: string, submission: JobSubmission, createdAtMs: number, tasks: TaskSpec[]): void {
    this.createJob(jobId, submission, createdAtMs, tasks);
  }

  tasksAdded(jobId: string, tasks: TaskSpec[], superseded: string | null): void {
    this.addTasks(jobId, tasks, superseded);
  }

  taskStateChanged(jobId: string, taskId: string, state: TaskState, note?: string): void {
    this.db.transaction(() => {
      if (this.stmt.setTaskState.run(state, note ?? null, jobId, taskId).changes === 0) {
        throw new JournalEntryNotFoundError(`task "${taskId}" in job "${jobId}"`);
      }
      // Back in the queue (its result was lost): the old outcome must not stand in for the new one.
      if (state === 'queued') this.stmt.deleteOutcome.run(jobId, taskId);
    })();
  }

  batch<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  taskCompleted(jobId: string, taskId: string, outcome: TaskOutcome): void {
    this.completeTask(jobId, taskId, outcome);
  }

  taskAttemptFailed(jobId: string, taskId: string, workerId: string, error: string, atMs: number): void {
    // Checked first: the foreign key would refuse it too, but with a message naming no task.
    this.requireTask(jobId, taskId);
    this.stmt.insertFailure.run(jobId, taskId, workerId, error, atMs);
  }

  jobStateChanged(jobId: string, state: JobState, atMs: number, errors?: string[]): void {
    const finishedAtMs = FINISHED_JOB_STATES.has(state) ? atMs : null;
    const errorsJson = errors === undefined ? null : JSON.stringify(errors);
    if (this.stmt.setJobState.run(state, finishedAtMs, errorsJson, jobId).changes === 0) {
      throw new JournalEntryNotFoundError(`job "${jobId}"`);
    }
  }

  jobPriorityChanged(jobId: string, priority: number): void {
    if (this.stmt.setJobPriority.run(priority, jobId).changes === 0) {
      throw new JournalEntryNotFoundError(`job "${jobId}"`);
    }
  }

  workersUntrusted(jobId: string, workerIds: string[], errors: string[]): void {
    if (this.stmt.setUntrusted.run(JSON.stringify(workerIds), JSON.stringify(errors), jobId).changes === 0) {
      throw new JournalEntryNotFoundError(`job "${jobId}"`);
    }
  }

  load(): JournalSnapshot {
    return this.readAll();
  }

  private requireJob(jobId: string): void {
    if (this.stmt.jobExists.get(jobId) === undefined) throw new JournalEntryNotFoundError(`job "${jobId}"`);
  }

  private requireTask(jobId: string, taskId: string): void {
    if (this.stmt.taskExists.get(jobId, taskId) === undefined) {
      throw new JournalEntryNotFoundError(`task "${taskId}" in job "${jobId}"`);
    }
  }

  private assemble(): JournalSnapshot {
    const jobs = new Map<string, JournalJob>();
    for (const row of this.stmt.allJobs.all()) {
      const what = `job "${row.job_id}"`;
      const submission = this.parse(row.submission, jobSubmissionSchema, `the submission of ${what}`);
      jobs.set(row.job_id, {
        jobId: row.job_id,
        // The column, not the submission, holds the priority: jobPriorityChanged updates only it.
        submission: { ...submission, priority: row.priority },
        state: this.check(row.state, jobStateSchema, `the state of ${what}`),
        createdAtMs: row.created_at_ms,
        finishedAtMs: row.finished_at_ms,
        errors: this.parse(row.errors, z.array(z.string()), `the errors of ${what}`),
        untrusted: this.parse(row.untrusted, z.array(z.string()), `the untrusted workers of ${what}`),
        tasks: [],
      });
    }
    const tasks = new Map<string, JournalTask>();
    for (const row of this.stmt.allTasks.all()) {
      const what = `task "${row.task_id}" of job "${row.job_id}"`;
      const spec = this.parse(row.spec, taskSpecSchema, `the spec of ${what}`);
      if (spec.taskId !== row.task_id) throw new JournalDamagedError(this.path, `the spec of ${what} names task "${spec.taskId}"`);
      const task: JournalTask = {
        spec,
        state: this.check(row.state, taskStateSchema, `the state of ${what}`),
        outcome: null,
        failures: [],
      };
      const job = jobs.get(row.job_id);
      if (job === undefined) throw new JournalDamagedError(this.path, `${what} belongs to no recorded job`);
      job.tasks.push(task);
      tasks.set(taskKey(row.job_id, row.task_id), task);
    }
    for (const row of this.stmt.allOutcomes.all()) {
      const what = `task "${row.task_id}" of job "${row.job_id}"`;
      const task = this.taskOf(tasks, row, `the outcome of ${what}`);
      task.outcome = {
        workerId: row.worker_id,
        startedAtMs: row.started_at_ms,
        endedAtMs: row.ended_at_ms,
        outputs: this.parse(row.outputs, outputsSchema, `the outputs of ${what}`),
        warnings: this.parse(row.warnings, warningsSchema, `the warnings of ${what}`),
      };
    }
    for (const row of this.stmt.allFailures.all()) {
      const task = this.taskOf(tasks, row, `a failure of task "${row.task_id}" of job "${row.job_id}"`);
      task.failures.push({ workerId: row.worker_id, error: row.error });
    }
    return { jobs: [...jobs.values()] };
  }

  private taskOf(tasks: Map<string, JournalTask>, row: { job_id: string; task_id: string }, what: string): JournalTask {
    const task = tasks.get(taskKey(row.job_id, row.task_id));
    if (task === undefined) throw new JournalDamagedError(this.path, `${what} refers to a task that is not recorded`);
    return task;
  }

  /** JSON columns are checked on the way out: a damaged row is named, not a crash deep in the scheduler. */
  private parse<T>(text: string, schema: z.ZodType<T>, what: string): T {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new JournalDamagedError(this.path, `${what} is not valid JSON`);
    }
    return this.check(raw, schema, what);
  }

  private check<T>(raw: unknown, schema: z.ZodType<T>, what: string): T {
    const parsed = schema.safeParse(raw);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new JournalDamagedError(this.path, `${what} is not what was written (${issue?.message ?? 'invalid'}${where})`);
  }
}

/**
 * Submissions carry folder paths and job names, so the file is private to the user; SQLite gives
 * the -wal and -shm files the database file's mode, so creating this one first covers all three.
 */
function createPrivately(path: string): void {
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

function taskKey(jobId: string, taskId: string): string {
  return JSON.stringify([jobId, taskId]);
}

const outputsSchema = z.record(z.string(), z.object({ hash: z.string(), sizeBytes: z.number() }));
const warningsSchema = z.array(z.string());

