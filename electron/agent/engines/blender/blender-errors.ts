// Owns the ways Blender can fail a task, each with a reason the engine acts on (retry elsewhere,
// refuse the job, tell the user) and the last lines Blender printed, which is what a user needs
// to see when a render fails on someone else's machine.

import { TroupeError, type ErrorCode } from '../../../../shared/errors.js';

/** Why a Blender task did not finish. */
export type BlenderFailure =
  | 'not-found' // no Blender on this machine (or the configured path is not Blender)
  | 'start-failed' // Blender did not start or did not load the file in time
  | 'crashed' // the process exited while it had a task
  | 'timed-out' // the task ran past its time limit; the process was killed
  | 'cancelled' // the engine was told to stop; the process was killed
  | 'command-failed' // the session answered with an error (a bad scene, a render error)
  | 'sandbox-limit'; // the sandbox stopped Blender: over its memory or process bound

const WIRE_CODE: Record<BlenderFailure, ErrorCode> = {
  'not-found': 'internal',
  'start-failed': 'internal',
  crashed: 'internal',
  'timed-out': 'internal',
  cancelled: 'internal',
  'command-failed': 'bad-scene',
  'sandbox-limit': 'bad-scene', // as the built-in renderer's out-of-memory: the scene asks too much
};

export class BlenderTaskError extends TroupeError {
  constructor(
    readonly failure: BlenderFailure,
    message: string,
    /** Blender's last output lines before the failure, oldest first. */
    readonly logTail: readonly string[] = [],
    /** The session's own code for a command failure (e.g. `denoiser-unavailable`, `render-failed`). */
    readonly sessionCode: string | null = null,
  ) {
    super(WIRE_CODE[failure], message);
    this.name = 'BlenderTaskError';
  }
}
