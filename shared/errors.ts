// Owns the error vocabulary shared by the agent, the CLI and the UI. It turns no error into
// wire bytes: each edge (peer link, control API) does that with `toErrorBody`.

export const ERROR_CODES = [
  'bad-frame', // a peer or client sent bytes that are not a valid message
  'frame-too-large',
  'protocol-mismatch',
  'not-paired', // the certificate is not on our team's roster
  'unknown-device',
  'pairing-rejected',
  'pairing-expired',
  'pairing-rate-limited',
  'pairing-busy',
  'pairing-code-mismatch',
  'pairing-failed',
  'already-member',
  'peer-unreachable',
  'identity-corrupt',
  'not-found',
  'bad-request',
  'bad-scene', // a scene file the built-in renderer cannot read: truncated, unsafe, unsupported
  'task-time-limit', // a teammate's task ran longer than the machine's owner allows
  'unauthorized',
  'forbidden-origin',
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The serialisable shape of an error, as it crosses any boundary. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
}

/** Base class for expected failures: they carry words the user can act on. */
export class TroupeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'TroupeError';
  }
}

export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof TroupeError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}
