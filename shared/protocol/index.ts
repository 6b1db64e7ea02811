// Owns the peer-to-peer wire vocabulary: every message two agents exchange, as strict zod
// schemas. Framing (msgpack, size limits) belongs to the transport, not to this module.
// docs/protocol.md describes each message; change both together.

import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
export const SERVICE_TYPE = 'troupe'; // published as _troupe._tcp
/** Largest frame an agent accepts on a link; bigger frames close the connection. */
export const MAX_FRAME_BYTES = 1024 * 1024;
export const HEARTBEAT_INTERVAL_MS = 1000;
/**
 * A member whose link is silent this long is offline: two missed heartbeats and some slack, so that
 * with the 100 ms check a cut cable is noticed within 2.4 s (the promise is 3 s, on a loaded machine).
 */
export const HEARTBEAT_TIMEOUT_MS = 2300;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const deviceId = hex64;
const name = z.string().min(1).max(64);

export const sharingSchema = z.strictObject({
  mode: z.enum(['on', 'off', 'idle']),
  coreCap: z.number().int().min(1).max(4096).nullable(),
});

export const capacitySchema = z.strictObject({
  cores: z.number().int().min(0).max(4096),
  freeCores: z.number().min(0).max(4096),
  memoryBytes: z.number().min(0),
  freeMemoryBytes: z.number().min(0),
  load: z.number().min(0).max(1e6),
  sharing: sharingSchema,
});

/** One signed change to a team's roster. The roster is the fold of every valid op (see electron/agent/pairing/team-roster.ts). */
export const rosterOpSchema = z.strictObject({
  kind: z.enum(['create', 'add', 'remove']),
  teamId: z.string().regex(/^[0-9a-f]{32}$/),
  teamName: name,
  subject: deviceId,
  subjectName: name,
  /** PEM certificate of the subject; required for create and add, empty for remove. */
  subjectCert: z.string().max(4096),
  by: deviceId,
  /** Lamport clock: orders ops the same way on every member. */
  clock: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  atMs: z.number().int().min(0),
  /** Base64 ECDSA P-256 / SHA-256 signature by `by` over the canonical form of the other fields. */
  sig: z.string().min(16).max(256),
});
export type RosterOp = z.infer<typeof rosterOpSchema>;

const rosterOps = z.array(rosterOpSchema).max(2000);

// ---- Link messages (wss://host:port/link, members only) ----

export const helloSchema = z.strictObject({
  type: z.literal('hello'),
  protocol: z.number().int(),
  name,
  listenPort: z.number().int().min(1).max(65535),
  capacity: capacitySchema,
});
export const heartbeatSchema = z.strictObject({
  type: z.literal('heartbeat'),
  seq: z.number().int().min(0),
  sentAtMs: z.number().int().min(0),
  capacity: capacitySchema,
  name,
  /** The sender coordinates a job with tasks waiting: workers with free cores should ask it for work. */
  hasWork: z.boolean(),
});
export const rosterSyncSchema = z.strictObject({
  type: z.literal('roster.sync'),
  ops: rosterOps,
  /** Where the sender last reached each member (host:port): how a newcomer finds teammates mDNS cannot show it. */
  addresses: z.record(deviceId, z.array(z.string().max(100)).max(8)),
});
export const errorMessageSchema = z.strictObject({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(2000),
});

// ---- Work (pull scheduling) ----

const hash = hex64;
const assetRefSchema = z.strictObject({
  name: z.string().min(1).max(400),
  hash,
  sizeBytes: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
});
const regionSchema = z.strictObject({
  x: z.number().int().min(0).max(16384),
  y: z.number().int().min(0).max(16384),
  width: z.number().int().min(1).max(16384),
  height: z.number().int().min(1).max(16384),
});
export const taskSpecSchema = z.strictObject({
  taskId: z.string().min(1).max(120),
  kind: z.enum(['frames', 'bucket', 'merge']),
  frames: z.array(z.number().int().min(-1_000_000).max(1_000_000)).min(1).max(1000),
  region: regionSchema.nullable(),
  dependsOn: z.array(z.string().max(120)).max(4096),
  cost: z.number().min(0),
});
export const renderSettingsSchema = z.strictObject({
  width: z.number().int().min(1).max(16384),
  height: z.number().int().min(1).max(16384),
  samplesPerPixel: z.number().int().min(1).max(100_000),
  seed: z.number().int().min(0).max(2 ** 32 - 1),
  frameStart: z.number().int().min(-1_000_000).max(1_000_000),
  frameEnd: z.number().int().min(-1_000_000).max(1_000_000),
  fps: z.number().min(1).max(1000),
  format: z.enum(['png', 'exr']),
});

export const workAvailableSchema = z.strictObject({ type: z.literal('work.available') });
export const workRequestSchema = z.strictObject({
  type: z.literal('work.request'),
  requestId: z.number().int().min(0),
  freeCores: z.number().min(0).max(4096),
});
export const workLeaseSchema = z.strictObject({
  type: z.literal('work.lease'),
  requestId: z.number().int().min(0),
  leaseId: z.string().min(1).max(64),
  jobId: z.string().regex(/^[0-9a-f]{16}$/),
  engine: z.literal('builtin-render'),
  task: taskSpecSchema,
  settings: renderSettingsSchema,
  scene: z.string().min(1).max(400),
  assets: z.array(assetRefSchema).max(10_000),
  leaseMs: z.number().int().min(1000),
});
export const workNoneSchema = z.strictObject({ type: z.literal('work.none'), requestId: z.number().int().min(0) });
export const taskStartedSchema = z.strictObject({ type: z.literal('task.started'), leaseId: z.string().max(64) });
export const taskDoneSchema = z.strictObject({
  type: z.literal('task.done'),
  leaseId: z.string().max(64),
  startedAtMs: z.number().int().min(0),
  endedAtMs: z.number().int().min(0),
  /** What the task produced, by output name, fetched by the coordinator from GET /blobs/<hash>. */
  outputs: z.record(z.string().max(200), z.strictObject({ hash, sizeBytes: z.number().int().min(0) })),
});
export const taskFailedSchema = z.strictObject({ type: z.literal('task.failed'), leaseId: z.string().max(64), error: z.string().max(4000) });
export const taskCancelSchema = z.strictObject({ type: z.literal('task.cancel'), leaseId: z.string().max(64), reason: z.string().max(200) });

export const linkMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  heartbeatSchema,
  rosterSyncSchema,
  errorMessageSchema,
  workAvailableSchema,
  workRequestSchema,
  workLeaseSchema,
  workNoneSchema,
  taskStartedSchema,
  taskDoneSchema,
  taskFailedSchema,
  taskCancelSchema,
]);
export type WorkLease = z.infer<typeof workLeaseSchema>;
export type LinkMessage = z.infer<typeof linkMessageSchema>;

// ---- Pairing messages (wss://host:port/pair, any certificate) ----

export const pairHelloSchema = z.strictObject({
  type: z.literal('pair.hello'),
  protocol: z.number().int(),
  name,
  teamName: name,
  listenPort: z.number().int().min(1).max(65535),
  /** SHA-256 over the initiator's nonce and both fingerprints (commit before reveal). */
  commitment: hex64,
});
export const pairNonceSchema = z.strictObject({
  type: z.literal('pair.nonce'),
  name,
  nonce: hex64,
});
export const pairRevealSchema = z.strictObject({
  type: z.literal('pair.reveal'),
  nonce: hex64,
});
export const pairPendingSchema = z.strictObject({
  type: z.literal('pair.pending'),
  requestId: z.string().max(64),
  expiresInMs: z.number().int().min(0),
});
export const pairApprovedSchema = z.strictObject({ type: z.literal('pair.approved') });
export const pairWelcomeSchema = z.strictObject({
  type: z.literal('pair.welcome'),
  ops: rosterOps,
});
export const pairRejectedSchema = z.strictObject({
  type: z.literal('pair.rejected'),
  code: z.string().max(64),
  message: z.string().max(2000),
});

export const pairMessageSchema = z.discriminatedUnion('type', [
  pairHelloSchema,
  pairNonceSchema,
  pairRevealSchema,
  pairPendingSchema,
  pairApprovedSchema,
  pairWelcomeSchema,
  pairRejectedSchema,
  errorMessageSchema,
]);
export type PairMessage = z.infer<typeof pairMessageSchema>;

/** mDNS TXT record keys (kept short: the whole record must fit one packet). */
export const txtSchema = z.object({
  id: deviceId,
  pv: z.string().regex(/^\d+$/),
  name: z.string().max(64),
  os: z.string().max(32),
  cores: z.string().regex(/^\d+$/),
  mem: z.string().regex(/^\d+$/),
  /** Comma-separated; left out when there are none (bonjour-service mangles an empty value). */
  engines: z.string().max(200).optional(),
  port: z.string().regex(/^\d+$/),
});
