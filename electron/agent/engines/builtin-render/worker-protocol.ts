// Owns what the render pool and its threads say to each other, and the layout of the shared
// control block they both touch without messages (row counter, abort flag).

import type { ErrorCode } from '../../../../shared/errors.js';
import type { CheckedSettings, Region } from './render-request.js';

/** Int32 slots of the control SharedArrayBuffer. */
export const CONTROL_NEXT_ROW = 0;
export const CONTROL_ABORT = 1;
export const CONTROL_SLOTS = 2;

export interface RenderJobMessage {
  type: 'render';
  jobId: number;
  scenePath: string;
  settings: CheckedSettings;
  region: Region;
  /** region.width * region.height * 4 float32, linear RGBA. */
  output: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

export type WorkerReply =
  | { type: 'row'; jobId: number }
  | { type: 'done'; jobId: number }
  | { type: 'error'; jobId: number; code: ErrorCode; message: string };
