// Owns the ways a physics task can be refused before (or instead of) simulating: the scene cannot
// be simulated as written (`bad-scene`), or what was asked of it is out of bounds (`bad-request`):
// settings, a wedge spec, an override, or a chunk snapshot that does not belong to the task.

import { TroupeError } from '../../../../shared/errors.js';

/** The scene's physics cannot be simulated as written: no moving body, an unsupported shape or joint, malformed extension data. */
export class BadPhysicsSceneError extends TroupeError {
  constructor(message: string) {
    super('bad-scene', message);
  }
}

/** Step size, substeps, duration, gravity or fps are out of bounds. */
export class BadPhysicsSettingsError extends TroupeError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** A wedge spec (`friction=0.2:0.8:4,...`) that cannot be read or would make too many variants. */
export class BadWedgeSpecError extends TroupeError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** An override names a body the scene does not have, or a value outside what the engine accepts. */
export class BadPhysicsOverrideError extends TroupeError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** A chunk's snapshot is damaged, or was taken from another scene, settings or step. */
export class BadPhysicsSnapshotError extends TroupeError {
  constructor(message: string) {
    super('bad-request', message);
  }
}

/** Chunk results handed over to be joined are missing one, or out of order. */
export class BadPhysicsChunksError extends TroupeError {
  constructor(message: string) {
    super('bad-request', message);
  }
}
