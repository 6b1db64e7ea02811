// Owns the schemas of what the control API answers and streams, so a client (the UI above all)
// can check what it reads instead of trusting it. The control API's own view types are inferred
// from these (z.infer); the model's shared views (shared/model) are checked against them with
// `satisfies`, so the compiler keeps both in step.

import { z } from 'zod';
import type { NearbyDevice, TeamMember, TeamView } from '../model/index.js';
import {
  jobAboutSchema,
  jobStateSchema,
  jobSubmissionSchema,
  taskSpecSchema,
  taskStateSchema,
  type JobView,
  type TaskAttemptView,
  type TaskView,
} from '../model/jobs.js';
import { capacitySchema, sharingSchema } from '../protocol/index.js';
import { ERROR_CODES } from '../errors.js';

const deviceId = z.string();
const errorBody = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

export const agentStatusSchema = z.object({
  deviceId,
  deviceIdDisplay: z.string(),
  name: z.string(),
  version: z.string(),
  protocolVersion: z.number(),
  listenPort: z.number(),
  addresses: z.array(z.string()),
  team: z.object({ teamId: z.string(), name: z.string(), members: z.number(), online: z.number() }).nullable(),
  sharing: sharingSchema,
  capacity: capacitySchema,
  teamFreeCores: z.number(),
  teamCores: z.number(),
  transfers: z.object({ bytesReceived: z.number(), blobsReceived: z.number() }),
  /** Pairing with this machine is paused until then after repeated abandoned attempts (see `pairingLocked`); null: open. */
  pairingLockedUntilMs: z.number().nullable(),
  /** Where the UI suggests a job's images go. */
  defaultOutputDir: z.string(),
  /** Seconds since anyone touched this machine's keyboard or mouse, as the desktop shell last said; null: not known (no shell). */
  userIdleSeconds: z.number().nullable(),
  /** What the sandbox teammates' work runs in here contains, and what it does not (docs/protocol.md §12). */
  sandbox: z.object({ mechanism: z.string(), contained: z.array(z.string()), notContained: z.array(z.string()) }),
});
export type AgentStatus = z.infer<typeof agentStatusSchema>;

export const nearbyDeviceSchema = z.object({
  deviceId,
  name: z.string(),
  addresses: z.array(z.string()),
  port: z.number(),
  os: z.string(),
  cores: z.number(),
  memoryBytes: z.number(),
  engines: z.array(z.string()),
  protocolVersion: z.number(),
  source: z.enum(['mdns', 'manual']),
  lastSeenMs: z.number(),
  member: z.boolean(),
}) satisfies z.ZodType<NearbyDevice>;

const teamMemberSchema = z.object({
  deviceId,
  name: z.string(),
  addedBy: deviceId,
  online: z.boolean(),
  self: z.boolean(),
  address: z.string().nullable(),
  capacity: capacitySchema.nullable(),
  lastHeartbeatMs: z.number().nullable(),
}) satisfies z.ZodType<TeamMember>;

export const teamViewSchema = z.object({
  teamId: z.string(),
  name: z.string(),
  members: z.array(teamMemberSchema),
}) satisfies z.ZodType<TeamView>;

export const pairRequestSchema = z.object({
  requestId: z.string(),
  deviceId,
  deviceIdDisplay: z.string(),
  name: z.string(),
  teamName: z.string(),
  address: z.string(),
  code: z.string(),
  expiresAtMs: z.number(),
});
/** An approval the owner of this machine is asked for. */
export type PairRequest = z.infer<typeof pairRequestSchema>;

export const pairingSchema = z.object({
  pairingId: z.string(),
  target: z.string(),
  deviceId,
  name: z.string(),
  code: z.string(),
  state: z.enum(['awaiting-approval', 'paired', 'rejected', 'failed', 'expired']),
  /** This machine's owner confirmed that both screens show the same code. */
  confirmed: z.boolean(),
  error: errorBody.nullable(),
});
/** A pairing this machine started. */
export type Pairing = z.infer<typeof pairingSchema>;
export type PairingState = Pairing['state'];

const taskAttemptSchema = z.object({
  workerId: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number().nullable(),
  workMs: z.number().nullable(),
  outcome: z.enum(['running', 'done', 'failed', 'lost', 'cancelled']),
  speculative: z.boolean(),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  progress: z.object({ done: z.number().int().min(0), total: z.number().int().min(1) }).optional(),
}) satisfies z.ZodType<TaskAttemptView>;

export const taskViewSchema = taskSpecSchema.extend({
  state: taskStateSchema,
  attempts: z.array(taskAttemptSchema),
}) satisfies z.ZodType<TaskView>;

export const jobViewSchema = z.object({
  jobId: z.string(),
  submission: jobSubmissionSchema,
  about: jobAboutSchema,
  state: jobStateSchema,
  createdAtMs: z.number(),
  finishedAtMs: z.number().nullable(),
  tasksDone: z.number(),
  tasksTotal: z.number(),
  outputs: z.array(z.string()),
  errors: z.array(z.string()),
  warnings: z.array(z.string()),
}) satisfies z.ZodType<JobView>;

/** What a job would send before it is made (`POST /api/jobs/preview`): its files by name and size. */
export const jobPreviewSchema = z.object({
  files: z.array(z.object({ name: z.string(), sizeBytes: z.number() })),
  totalBytes: z.number(),
  warnings: z.array(z.string()),
});
export type JobPreview = z.infer<typeof jobPreviewSchema>;

/** One machine's share of a capacity sample. */
export const memberLoadSchema = z.object({
  deviceId,
  name: z.string(),
  online: z.boolean(),
  cores: z.number(),
  /** Cores busy with anything: the owner's own work and the team's. */
  busyCores: z.number(),
  /** Cores the team may use now. */
  freeCores: z.number(),
});
export type MemberLoad = z.infer<typeof memberLoadSchema>;

/** The team's load at one moment, sampled every CAPACITY_SAMPLE_MS for the utilisation chart. */
export const capacitySampleSchema = z.object({ atMs: z.number(), members: z.array(memberLoadSchema) });
export type CapacitySample = z.infer<typeof capacitySampleSchema>;
export const capacityHistorySchema = z.object({ intervalMs: z.number(), samples: z.array(capacitySampleSchema) });
export type CapacityHistory = z.infer<typeof capacityHistorySchema>;
/** How often the agent samples the team's load, and how much history it keeps. */
export const CAPACITY_SAMPLE_MS = 5000;
export const CAPACITY_HISTORY_MS = 10 * 60_000;

/** What a scene file offers as a job's defaults, read by the agent that will coordinate it. */
export const sceneInfoSchema = z.object({
  /** Where the scene now is on the agent's machine (an upload is kept there until the job is sent). */
  scenePath: z.string(),
  name: z.string(),
  sizeBytes: z.number(),
  /** Animated: the frames the scene's animations cover at `fps`; still: null. */
  frames: z.object({ start: z.number(), end: z.number(), fps: z.number() }).nullable(),
  /** Whether the scene has its own camera (else the renderer frames the whole scene). */
  hasCamera: z.boolean(),
  /** For a rough cost before the job starts. */
  triangles: z.number(),
  lights: z.number(),
  /** What the user should know before rendering ("the scene has no lights; …"). */
  warnings: z.array(z.string()),
});
export type SceneInfo = z.infer<typeof sceneInfoSchema>;

export const uploadSchema = z.object({ path: z.string(), sizeBytes: z.number() });
export type Upload = z.infer<typeof uploadSchema>;
export const loginLinkSchema = z.object({ url: z.string(), expiresAtMs: z.number() });
export type LoginLink = z.infer<typeof loginLinkSchema>;
export const openedFolderSchema = z.object({ opened: z.boolean(), path: z.string(), message: z.string().nullable() });
export type OpenedFolder = z.infer<typeof openedFolderSchema>;

/**
 * Something an engine offers to do on this machine (put Troupe's add-on into its Blender): a button
 * in the app, and `troupe <command>` on the command line.
 */
export const engineActionSchema = z.object({ engine: z.string(), action: z.string(), title: z.string(), command: z.string() });
export type EngineActionInfo = z.infer<typeof engineActionSchema>;
/** What an engine action did, in words, and the facts behind them (where a file went). */
export const engineActionDoneSchema = z.object({ message: z.string(), details: z.record(z.string(), z.string()) });
export type EngineActionDone = z.infer<typeof engineActionDoneSchema>;

// ---- The event stream (one JSON text message per event on EVENTS_PATH) ----

export const controlEventSchema = z.discriminatedUnion('type', [
  /** What changed in the nearby list: devices new or changed, and ids gone (GET /api/nearby has the whole list). */
  z.object({ type: z.literal('nearbyChanged'), changed: z.array(nearbyDeviceSchema), gone: z.array(deviceId) }),
  z.object({ type: z.literal('teamChanged'), team: teamViewSchema.nullable() }),
  z.object({ type: z.literal('memberOnline'), deviceId, name: z.string() }),
  z.object({ type: z.literal('memberOffline'), deviceId, name: z.string(), reason: z.string() }),
  /** A teammate runs a protocol version this one cannot speak; `reason` names both versions. */
  z.object({ type: z.literal('memberIncompatible'), deviceId, reason: z.string() }),
  z.object({ type: z.literal('pairRequestReceived'), request: pairRequestSchema }),
  z.object({
    type: z.literal('pairRequestClosed'),
    requestId: z.string(),
    outcome: z.enum(['accepted', 'rejected', 'expired', 'cancelled']),
  }),
  z.object({ type: z.literal('pairingChanged'), pairing: pairingSchema }),
  /** Pairing requests are refused until `untilMs`: initiators walked away after seeing the code (protocol §5.3). */
  z.object({ type: z.literal('pairingLocked'), untilMs: z.number(), abandoned: z.number(), reason: z.string() }),
  /** Pairing requests were turned away in a burst (busy, rate-limited, paused): one notice instead of a prompt each. */
  z.object({ type: z.literal('pairRequestsRefused'), refused: z.number(), windowMs: z.number(), message: z.string() }),
  z.object({ type: z.literal('statusChanged'), status: agentStatusSchema }),
  z.object({ type: z.literal('jobChanged'), job: jobViewSchema }),
  /** A task of a job this machine coordinates changed: leased, started, done (its image can be read), failed. */
  z.object({ type: z.literal('taskChanged'), jobId: z.string(), task: taskViewSchema }),
  z.object({ type: z.literal('capacitySampled'), sample: capacitySampleSchema }),
]);
export type ControlEvent = z.infer<typeof controlEventSchema>;
export type ControlEventType = ControlEvent['type'];
