// Owns the ways an engine's process can fail a task other than refusing its input: it used more
// memory than it may, or it stopped. Both are told to the user with the reason.

import { TroupeError } from '../../../shared/errors.js';

/** The watchdog or the JS heap limit stopped the engine: the task's input needs more than this machine allows. */
export class EngineOutOfMemoryError extends TroupeError {
  constructor(message: string) {
    super('bad-scene', message);
  }
}

/** The engine's process exited or was killed while it had a task, or could not start. */
export class EngineStoppedError extends TroupeError {
  constructor(message: string) {
    super('internal', message);
  }
}
