// Owns the errors of the job journal (Flamenco-style, one class per condition): what the agent
// tells the user when the journal file cannot be used, and what a caller bug looks like.

import { TroupeError } from '../../../shared/errors.js';

/** The file was written by a newer Troupe: opening it here could corrupt what that version relies on. */
export class JournalTooNewError extends TroupeError {
  constructor(path: string, fileVersion: number, knownVersion: number) {
    super(
      'internal',
      `The job journal ${path} was written by a newer Troupe (schema ${fileVersion}; this version knows up to ${knownVersion}). ` +
        'Update Troupe, or move the file away to start with an empty job list.',
    );
    this.name = 'JournalTooNewError';
  }
}

/** The file, or a row in it, cannot be read back: the message names the row so it can be repaired. */
export class JournalDamagedError extends TroupeError {
  constructor(path: string, what: string) {
    super('internal', `The job journal ${path} is damaged: ${what}. Move the file away to start with an empty job list.`);
    this.name = 'JournalDamagedError';
  }
}

/** A call named a job or task the journal never recorded: a bug in the caller, never silently ignored. */
export class JournalEntryNotFoundError extends TroupeError {
  constructor(what: string) {
    super('not-found', `The job journal has no ${what}`);
    this.name = 'JournalEntryNotFoundError';
  }
}
