// Owns the local control API's contract (agent <-> UI, CLI, plug-ins): paths, request bodies
// (zod, strict) and response and event types. The agent serves it; clients only read it.

import { z } from 'zod';
import type { ErrorBody } from '../errors.js';
import { engineIdSchema, prioritySchema, type JobView, type TaskView } from '../model/jobs.js';

export const CONTROL_TOKEN_HEADER = 'authorization';
export { CONTROL_TOKEN_SUBPROTOCOL_PREFIX } from './route-paths.js';

export const addNearbyBody = z.strictObject({ address: z.string().min(3).max(300) });
export const startPairingBody = z.strictObject({ target: z.string().min(1).max(300) });
export const sharingBody = z.strictObject({
  mode: z.enum(['on', 'off', 'idle']).optional(),
  coreCap: z.number().int().min(1).max(4096).nullable().optional(),
});
export const renameBody = z.strictObject({ name: z.string().min(1).max(64) });
export const teamNameBody = z.strictObject({ name: z.string().min(1).max(64) });

/**
 * A job for one engine: `engine` names it (absent: the built-in renderer, as before 2.2), and the
 * rest is that engine's request (each engine's *-wire.ts). The agent checks the whole request with
 * the engine's own schema (the union its engine registry builds); clients only know this much.
 */
export const submitJobBody = z.looseObject({
  engine: engineIdSchema.optional(),
  scenePath: z.string().min(1).max(4096),
});
export type SubmitJobRequest = z.input<typeof submitJobBody>;
/** A submission after the engine's checks, defaults filled in. */
export type SubmitJob = z.output<typeof submitJobBody>;
/**
 * A file a command line names and what to do with it (`troupe render FILE --frames 1-4`): the
 * agent finds the engine that takes it (by the verb and the file's type) and reads the flags as
 * that engine says. Flag values are as typed; a flag given alone is `true`; a repeated one a list.
 */
export const commandJobBody = z.strictObject({
  verb: z.string().regex(/^[a-z][a-z-]{0,31}$/),
  file: z.string().min(1).max(4096),
  /** The folder relative paths in flags are read from (the shell's working folder): absolute. */
  cwd: z.string().max(4096).regex(/^(?:\/|[A-Za-z]:[\\/])/, 'an absolute path'),
  flags: z.record(z.string().max(64), z.union([z.string().max(4096), z.literal(true), z.array(z.string().max(4096)).max(1000)])).refine((r) => Object.keys(r).length <= 64, 'at most 64 flags'),
  /** List the files the job would send, with sizes; make no job. */
  listOnly: z.boolean().default(false),
});
export type CommandJob = z.input<typeof commandJobBody>;
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
  EngineActionInfo,
  EngineActionDone,
  JobPreview,
} from './responses.js';
export type { JobView, TaskView };
export type { ResultTable, ResultTableInfo, JobAbout } from '../model/jobs.js';

export type { ErrorBody };
