// Owns the job journal's SQLite schema as numbered migrations (Flamenco-style): PRAGMA user_version
// is the number applied; each entry of JOURNAL_MIGRATIONS moves the schema one step and is never edited.

import type { Database } from 'better-sqlite3';
import { JournalTooNewError } from './journal-errors.js';

const JOB_STATES = `('queued', 'running', 'paused', 'done', 'failed', 'cancelled')`;
const TASK_STATES = `('queued', 'leased', 'running', 'done', 'failed', 'cancelled')`;

/**
 * Append only: a shipped migration has run on users' files, so changing it would leave them with
 * a schema no version describes. STRICT makes SQLite refuse a value of the wrong type at write
 * time instead of handing it back later. Times and priority are REAL because the Clock port and
 * JobSubmission give plain numbers (a virtual clock may give fractions), which STRICT INTEGER refuses.
 */
export const JOURNAL_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    job_id TEXT PRIMARY KEY NOT NULL,
    -- creation order; not rowid, which VACUUM may renumber in a table without INTEGER PRIMARY KEY
    seq INTEGER NOT NULL UNIQUE,
    submission TEXT NOT NULL CHECK (json_valid(submission)),
    state TEXT NOT NULL CHECK (state IN ${JOB_STATES}),
    priority REAL NOT NULL,
    created_at_ms REAL NOT NULL,
    finished_at_ms REAL,
    errors TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(errors))
  ) STRICT;

  CREATE TABLE tasks (
    job_id TEXT NOT NULL REFERENCES jobs (job_id) ON DELETE CASCADE,
    task_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    spec TEXT NOT NULL CHECK (json_valid(spec)),
    state TEXT NOT NULL CHECK (state IN ${TASK_STATES}),
    -- why the state last changed, when the scheduler said; for a person reading the file
    state_note TEXT,
    -- JSON array of the task ids that replaced this one (a frame split into buckets)
    superseded_by TEXT CHECK (superseded_by IS NULL OR json_valid(superseded_by)),
    PRIMARY KEY (job_id, task_id),
    UNIQUE (job_id, position)
  ) STRICT;

  CREATE TABLE task_outcomes (
    job_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    started_at_ms REAL NOT NULL,
    ended_at_ms REAL NOT NULL,
    outputs TEXT NOT NULL CHECK (json_valid(outputs)),
    PRIMARY KEY (job_id, task_id),
    FOREIGN KEY (job_id, task_id) REFERENCES tasks (job_id, task_id) ON DELETE CASCADE
  ) STRICT;

  CREATE TABLE task_failures (
    failure_id INTEGER PRIMARY KEY,
    job_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    worker_id TEXT NOT NULL,
    error TEXT NOT NULL,
    at_ms REAL NOT NULL,
    FOREIGN KEY (job_id, task_id) REFERENCES tasks (job_id, task_id) ON DELETE CASCADE
  ) STRICT;
  CREATE INDEX task_failures_by_task ON task_failures (job_id, task_id, failure_id);
  `,
  // 2: the machines found returning wrong results for a job (result checks): they get none of
  // its tasks again, after a restart too. A JSON array of device ids.
  `
  ALTER TABLE jobs ADD COLUMN untrusted TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(untrusted));
  `,
  // 3: what a task's worker warned of while it succeeded (a file missing there). A JSON array.
  `
  ALTER TABLE task_outcomes ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(warnings));
  `,
  // 4 (protocol 2.7): the scheduler decides by a task's traits, which its job type sets, not by its
  // kind. Tasks written before carry none: they get the traits the scheduler read off their kind.
  `
  UPDATE tasks SET spec = json_set(spec, '$.runsOn', 'coordinator') WHERE json_extract(spec, '$.kind') = 'merge';
  UPDATE tasks SET spec = json_set(spec, '$.sticky', json('true'))
    WHERE json_extract(spec, '$.kind') = 'chunk' AND json_array_length(spec, '$.dependsOn') = 1;
  UPDATE tasks SET spec = json_set(spec, '$.splittable', json('true'))
    WHERE json_extract(spec, '$.kind') = 'frames' AND json_array_length(spec, '$.frames') = 1;
  `,
];

export function schemaVersion(db: Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuses a file from a newer schema before anything writes to it. */
export function assertNotNewer(db: Database, path: string, migrations: readonly string[] = JOURNAL_MIGRATIONS): void {
  const version = schemaVersion(db);
  if (version > migrations.length) throw new JournalTooNewError(path, version, migrations.length);
}

/**
 * Brings the file up to the last migration. Each step and its version bump commit together (SQLite
 * DDL and user_version are transactional), so a crash leaves the file at one version or the next.
 * IMMEDIATE takes the write lock before reading the version: two agents opening the same file
 * cannot both apply a step.
 */
export function migrateJournal(db: Database, path: string, migrations: readonly string[] = JOURNAL_MIGRATIONS): void {
  db.transaction(() => {
    assertNotNewer(db, path, migrations);
    for (let version = schemaVersion(db); version < migrations.length; version++) {
      db.exec(migrations[version]!);
      db.pragma(`user_version = ${version + 1}`);
    }
  }).immediate();
}
