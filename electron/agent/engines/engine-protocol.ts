// Owns what an engine host and its child process say to each other: JSON-like messages on the
// IPC channel, and large binary results (pixels) on a separate pipe, so they cross neither the
// serializer nor the IPC buffers. One task at a time per child.

import type { ErrorBody } from '../../../shared/errors.js';

/** The child's end of the payload pipe (stdio index in the parent). */
export const PAYLOAD_FD = 3;
/** Each payload on the pipe starts with its length as a little-endian uint64. */
export const PAYLOAD_HEADER_BYTES = 8;

/** Host -> child. */
export type HostMessage =
  | { type: 'run'; taskId: number; request: unknown }
  | { type: 'cancel'; taskId: number };

/** Child -> host. */
export type ChildMessage =
  /** Sent once the child listens: a run sent earlier could be lost while its modules load. */
  | { type: 'ready' }
  | { type: 'progress'; taskId: number; done: number; total: number }
  /** The payload, payloadBytes long (0: none), is written to the pipe before this is sent. */
  | { type: 'result'; taskId: number; value: unknown; payloadBytes: number }
  | { type: 'failed'; taskId: number; error: ErrorBody; aborted: boolean }
  /** The child's own resident memory, for platforms where the host cannot read it (no /proc). */
  | { type: 'memory'; rssBytes: number };

export function isChildMessage(value: unknown): value is ChildMessage {
  const type = (value as { type?: unknown } | null)?.type;
  return typeof type === 'string' && ['ready', 'progress', 'result', 'failed', 'memory'].includes(type);
}

/** Set to "1" in an engine child's environment when the owner waits on it: it keeps normal priority. */
export const ENGINE_INTERACTIVE_ENV = 'TROUPE_ENGINE_INTERACTIVE';
