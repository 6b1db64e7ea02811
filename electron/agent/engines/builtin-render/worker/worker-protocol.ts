// Owns what the render pool and its threads say to each other, and the layout of the shared
// control block they both touch without messages (row counter, abort flag).

import type { ErrorCode } from '../../../../../shared/errors.js';
import type { SharedFrame } from '../reading/frame-scene.js';
import type { Region } from '../../../../../shared/model/jobs.js';
import type { CheckedSettings } from './render-request.js';

/** Int32 slots of the control SharedArrayBuffer. */
export const CONTROL_NEXT_ROW = 0;
export const CONTROL_ABORT = 1;
export const CONTROL_SLOTS = 2;

export interface RenderJobMessage {
  type: 'render';
  jobId: number;
  /** Built once by the loader; its arrays are shared memory, so posting it copies no geometry. */
  frame: SharedFrame;
  settings: CheckedSettings;
  region: Region;
  /** region.width * region.height * 4 float32, linear RGBA. */
  output: SharedArrayBuffer;
  control: SharedArrayBuffer;
}

/**
 * Collect garbage now: a dropped frame's shared memory is freed only once every isolate that saw
 * it has collected, and an idle thread allocates too little to do so on its own.
 */
export interface CollectMessage {
  type: 'collect';
  jobId: number;
}

export type WorkerReply =
  | { type: 'row'; jobId: number }
  | { type: 'done'; jobId: number }
  | { type: 'collected'; jobId: number }
  | { type: 'error'; jobId: number; code: ErrorCode; message: string };
