// Owns the local control API's contract (agent <-> UI, CLI, plug-ins): paths, request bodies
// (zod, strict) and response and event types. The agent serves it; clients only read it.

import { z } from 'zod';
import type { ErrorBody } from '../errors.js';
import type { JobView, TaskView } from '../model/jobs.js';
import { BUILTIN_RENDER_ENGINE, fpsSchema, frameNumberSchema, outputFormatSchema, prioritySchema, samplesPerPixelSchema, seedSchema } from '../model/jobs.js';

export const CONTROL_TOKEN_HEADER = 'authorization';
/** Browsers cannot set headers on a WebSocket, so the event stream also takes the token as a subprotocol. */
export const CONTROL_TOKEN_SUBPROTOCOL_PREFIX = 'troupe-token.';

export const addNearbyBody = z.strictObject({ address: z.string().min(3).max(300) });
export const startPairingBody = z.strictObject({ target: z.string().min(1).max(300) });
export const sharingBody = z.strictObject({
  mode: z.enum(['on', 'off', 'idle']).optional(),
  coreCap: z.number().int().min(1).max(4096).nullable().optional(),
});
export const renameBody = z.strictObject({ name: z.string().min(1).max(64) });
export const teamNameBody = z.strictObject({ name: z.string().min(1).max(64) });

/** `troupe render` and the UI's submit: a scene file on this machine and how to render it. */
export const submitJobBody = z.strictObject({
  /** Which engine's job this is; each engine's job type checks the rest. Today only the built-in renderer's. */
  engine: z.literal(BUILTIN_RENDER_ENGINE).default(BUILTIN_RENDER_ENGINE),
  scenePath: z.string().min(1).max(4096),
  name: z.string().min(1).max(64).optional(),
  frameStart: frameNumberSchema.default(1),
  frameEnd: frameNumberSchema.optional(),
  // No upper bound here: the agent refuses a size above MAX_SIDE_PX / MAX_PIXELS with its reason.
  width: z.number().int().min(1).default(640),
  height: z.number().int().min(1).default(480),
  samplesPerPixel: samplesPerPixelSchema.default(64),
  seed: seedSchema.default(1),
  fps: fpsSchema.default(24),
  format: outputFormatSchema.default('png'),
  outputDir: z.string().min(1).max(4096),
  priority: prioritySchema.default(0),
});
export type SubmitJobRequest = z.input<typeof submitJobBody>;
/** A submission after validation, defaults filled in. */
export type SubmitJob = z.output<typeof submitJobBody>;
export const jobPriorityBody = z.strictObject({ priority: prioritySchema });
/** The desktop shell's report of how long nobody has touched keyboard or mouse (Electron's powerMonitor). */
export const presenceBody = z.strictObject({ idleSeconds: z.number().min(0).max(1e9) });
export const inspectSceneBody = z.strictObject({ scenePath: z.string().min(1).max(4096) });

/** Largest scene file the UI may upload (the scene memory budget's default). */
export const MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
/**
 * A dropped file's name as an upload may give it: one path segment, no tricks. Not: a separator
 * or a dot first; a control character (C0, DEL, C1); a bidirectional override or line separator,
 * which make a name read as another (`scene\u202Egpj.glb`); a trailing dot or space, which Windows
 * drops (so the file is not where its name says); a Windows device name (`CON`, `NUL.glb`, `COM1`).
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what a file name may not hold
export const UPLOAD_NAME_PATTERN = /^(?!\.)(?!(?:con|prn|aux|nul|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3])(?:\.|$))(?!.*[. ]$)[^/\\\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069:*?"<>|]{1,200}$/i;

export type {
  AgentStatus,
  PairRequest,
  Pairing,
  PairingState,
  ControlEvent,
  ControlEventType,
  CapacitySample,
  CapacityHistory,
  MemberLoad,
  SceneInfo,
  Upload,
  LoginLink,
  OpenedFolder,
} from './responses.js';
export type { JobView, TaskView };

export type { ErrorBody };
