// Owns the two ways a render request can be refused: the scene file cannot be used
// (`bad-scene`), or the request itself is out of bounds (`bad-request`).

import { TroupeError } from '../../../../shared/errors.js';

/** The scene file is truncated, unsafe, unsupported or inconsistent; the message names what. */
export class BadSceneError extends TroupeError {
  constructor(message: string) {
    super('bad-scene', message);
  }
}

export class BadRenderRequestError extends TroupeError {
  constructor(message: string) {
    super('bad-request', message);
  }
}
