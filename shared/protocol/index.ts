// Owns the peer-to-peer wire vocabulary: every message two agents exchange, as zod schemas.
// Framing (msgpack, size limits) belongs to the transport, not to this module.
// docs/protocol.md describes each message; change both together.
//
// Mixed versions: machines of one team update on different days. Message schemas therefore
// ignore fields they do not know (zod strips them), roster ops keep them (they are signed and
// passed on, see rosterOpSchema), and anything optional is offered as a feature in the hello.
// Only a different major version is refused, with both versions named on both sides.

import { z } from 'zod';
import { assetRefSchema, blobHashSchema, engineAdvertSchema, engineIdSchema, hex64Schema, taskSpecSchema } from '../model/jobs.js';

/** Major version: agents with different majors refuse each other's links and pairings. */
export const PROTOCOL_VERSION = 2;
/** Minor version: only adds (fields a receiver may ignore, messages sent behind a feature). */
export const PROTOCOL_MINOR = 7;
/** A coordinator that takes `task.progress` (since 2.6): a worker sends it only to one that offers this. */
export const TASK_PROGRESS_FEATURE = 'task-progress';
/** Optional capabilities this build offers in its hello; a link uses those both sides offer. */
export const PROTOCOL_FEATURES: readonly string[] = [TASK_PROGRESS_FEATURE];
export const SERVICE_TYPE = 'troupe'; // published as _troupe._tcp
/** Largest frame an agent accepts on a link; bigger frames close the connection. */
export const MAX_FRAME_BYTES = 1024 * 1024;
export const HEARTBEAT_INTERVAL_MS = 1000;
/**
 * A member whose link is silent this long is offline: two missed heartbeats and some slack, so that
 * with the 100 ms check a cut cable is noticed within 2.4 s (the promise is 3 s, on a loaded machine).
 */
export const HEARTBEAT_TIMEOUT_MS = 2300;
/** Leases a heartbeat lists at most (a worker runs one task at a time; checks and prefetch add a few). */
export const MAX_HEARTBEAT_LEASES = 64;

const hex64 = hex64Schema;
const deviceId = hex64;
const name = z.string().min(1).max(64);
const teamIdSchema = z.string().regex(/^[0-9a-f]{32}$/);

export const sharingSchema = z.object({
  mode: z.enum(['on', 'off', 'idle']),
  coreCap: z.number().int().min(1).max(4096).nullable(),
});

export const capacitySchema = z.object({
  cores: z.number().int().min(0).max(4096),
  freeCores: z.number().min(0).max(4096),
  memoryBytes: z.number().min(0),
  freeMemoryBytes: z.number().min(0),
  load: z.number().min(0).max(1e6),
  /** Since 2.1: cores busy with the team's work on the sender (older senders: 0). */
  workCores: z.number().min(0).max(4096).optional(),
  sharing: sharingSchema,
  /** Since 2.2: the engines the sender runs, with their versions (older senders: the built-in renderer alone). */
  engines: z.array(engineAdvertSchema).max(16).optional(),
});

// ---- Roster ops (see electron/agent/pairing/roster-op.ts and roster-fold.ts) ----

/** Roster ops one message (roster.ops, pair.welcome) carries at most; senders also keep frames under MAX_ROSTER_BATCH_BYTES. */
export const MAX_ROSTER_OPS_PER_MESSAGE = 512;
export const MAX_ROSTER_BATCH_BYTES = 768 * 1024;
/** Causal references per op: the author's heads when it signed (more heads than this: the newest). */
export const MAX_OP_DEPS = 16;
/** Heads carried in hello and heartbeat: enough to tell "in step" from "behind" at a glance. */
export const MAX_REPORTED_HEADS = 8;

/**
 * One signed change to a team's roster. Fields every op has are checked here; the fields of each
 * kind are checked by roster-op.ts, and fields no kind of ours knows are kept: they are covered by
 * the signature and passed on unchanged, so a newer teammate's ops survive an older one.
 */
export const rosterOpSchema = z.looseObject({
  kind: z.string().min(1).max(32),
  teamId: teamIdSchema,
  by: deviceId,
  /** Lamport clock: 1 + the largest clock among deps (1 for create). */
  clock: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Op ids the author had seen (its heads when it signed): the causal past. Empty only for create. */
  deps: z.array(hex64).max(MAX_OP_DEPS),
  atMs: z.number().int().min(0),
  /** Base64 (strict, padded) IEEE-P1363 ECDSA P-256/SHA-256 signature, low-S, over the op id. */
  sig: z.string().regex(/^[A-Za-z0-9+/]{86}==$/),
});
export type RosterOp = z.infer<typeof rosterOpSchema>;

const rosterOps = z.array(rosterOpSchema).max(MAX_ROSTER_OPS_PER_MESSAGE);
/** What a member reports of its roster: which team, and the ops nothing else it holds follows. */
export const rosterHeadsSchema = z.object({
  teamId: teamIdSchema,
  heads: z.array(hex64).max(MAX_REPORTED_HEADS),
  /** How many heads the sender has in all: more than `heads` lists means some are not shown. */
  count: z.number().int().min(0).default(0),
});
export type RosterHeads = z.infer<typeof rosterHeadsSchema>;

// ---- Link messages (wss://host:port/link, members only) ----

const versionFields = {
  /** Major version (PROTOCOL_VERSION). */
  protocol: z.number().int().min(0),
  /** Minor version; absent from agents that predate it. */
  minor: z.number().int().min(0).default(0),
  /** Optional capabilities the sender offers (PROTOCOL_FEATURES). */
  features: z.array(z.string().max(32)).max(32).default([]),
};

export const helloSchema = z.object({
  type: z.literal('hello'),
  ...versionFields,
  name,
  listenPort: z.number().int().min(1).max(65535),
  capacity: capacitySchema,
  /** The sender's roster; null when it is on no team. A receiver that lacks any head asks for the difference. */
  roster: rosterHeadsSchema.nullable().default(null),
});
export const heartbeatSchema = z.object({
  type: z.literal('heartbeat'),
  seq: z.number().int().min(0),
  sentAtMs: z.number().int().min(0),
  capacity: capacitySchema,
  name,
  /** The sender has work to give (a queued task, a result check, or a stuck task to race): idle workers should ask it. */
  hasWork: z.boolean(),
  roster: rosterHeadsSchema.nullable().default(null),
  /**
   * Since 2.3: the leases the sender is working on now, any coordinator's. A coordinator keeps alive
   * only those of its leases it finds here (one whose messages were lost lapses and runs again);
   * from a sender that lists none (older versions), all of its leases to that sender.
   */
  leases: z.array(z.string().min(1).max(64)).max(MAX_HEARTBEAT_LEASES).optional(),
});
/** "Send me the ops I lack": the receiver answers with every op it holds outside the causal past of `heads`. */
export const rosterWantSchema = z.object({
  type: z.literal('roster.want'),
  teamId: teamIdSchema,
  heads: z.array(hex64).max(64),
});
/** Ops, parents before children: news passed on, or (`answer`) the reply to a roster.want, whose last batch has `more: false`. */
export const rosterOpsSchema = z.object({
  type: z.literal('roster.ops'),
  ops: rosterOps,
  answer: z.boolean().default(false),
  more: z.boolean().default(false),
});
/** Where the sender last reached each member (host:port): how a newcomer finds teammates mDNS cannot show it. */
export const teamAddressesSchema = z.object({
  type: z.literal('team.addresses'),
  addresses: z.record(deviceId, z.array(z.string().max(100)).max(8)).refine((r) => Object.keys(r).length <= 256, 'at most 256 entries'),
});
export const errorMessageSchema = z.object({
  type: z.literal('error'),
  code: z.string().max(64),
  message: z.string().max(2000),
});

// ---- Work (pull scheduling) ----

const hash = blobHashSchema;

export const workAvailableSchema = z.object({ type: z.literal('work.available') });
export const workRequestSchema = z.object({
  type: z.literal('work.request'),
  requestId: z.number().int().min(0),
  freeCores: z.number().min(0).max(4096),
});
/**
 * Every lease has these, whatever its engine; each engine's lease (its folder's *-wire.ts) spreads
 * them into its own schema.
 */
export const leaseFields = {
  type: z.literal('work.lease'),
  requestId: z.number().int().min(0),
  leaseId: z.string().min(1).max(64),
  jobId: z.string().regex(/^[0-9a-f]{16}$/),
  leaseMs: z.number().int().min(1000),
};
/**
 * A lease, as the link reads it: the fields every lease has, the engine's own kept as they are. The
 * worker's engine reads the whole lease with its own schema (a lease it cannot read fails the task
 * in words); the coordinator leases only to workers that advertise the engine. The wire stays the
 * same whatever engines a build has: a new engine adds no message and no union here.
 */
export const workLeaseSchema = z.looseObject({
  ...leaseFields,
  engine: engineIdSchema,
  task: taskSpecSchema,
  assets: z.array(assetRefSchema).max(10_000),
});
export type WorkLease = z.infer<typeof workLeaseSchema>;
export const workNoneSchema = z.object({ type: z.literal('work.none'), requestId: z.number().int().min(0) });
export const taskStartedSchema = z.object({ type: z.literal('task.started'), leaseId: z.string().max(64) });
/** At most this many warnings travel with one task's result. */
export const MAX_TASK_WARNINGS = 16;
export const taskDoneSchema = z.object({
  type: z.literal('task.done'),
  leaseId: z.string().max(64),
  startedAtMs: z.number().int().min(0),
  endedAtMs: z.number().int().min(0),
  /** What the task produced, by output name, fetched by the coordinator from GET /blobs/<hash>. */
  outputs: z.record(z.string().max(200), z.object({ hash, sizeBytes: z.number().int().min(0) })),
  /** What the user should know of a task that succeeded (a file missing on the worker), since 2.5. */
  warnings: z.array(z.string().max(1000)).max(MAX_TASK_WARNINGS).optional(),
});
/** A running task's progress in its engine's own unit (since 2.6, to coordinators that offer TASK_PROGRESS_FEATURE). */
export const taskProgressSchema = z.object({
  type: z.literal('task.progress'),
  leaseId: z.string().max(64),
  done: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  total: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export const taskFailedSchema = z.object({ type: z.literal('task.failed'), leaseId: z.string().max(64), error: z.string().max(4000) });
export const taskCancelSchema = z.object({ type: z.literal('task.cancel'), leaseId: z.string().max(64), reason: z.string().max(200) });

export const linkMessageSchema = z.discriminatedUnion('type', [
  helloSchema,
  heartbeatSchema,
  rosterWantSchema,
  rosterOpsSchema,
  teamAddressesSchema,
  errorMessageSchema,
  workAvailableSchema,
  workRequestSchema,
  workLeaseSchema,
  workNoneSchema,
  taskStartedSchema,
  taskProgressSchema,
  taskDoneSchema,
  taskFailedSchema,
  taskCancelSchema,
]);
export type LinkMessage = z.infer<typeof linkMessageSchema>;

// ---- Pairing messages (wss://host:port/pair, any certificate) ----

export const pairHelloSchema = z.object({
  type: z.literal('pair.hello'),
  ...versionFields,
  name,
  teamName: name,
  listenPort: z.number().int().min(1).max(65535),
  /** SHA-256 over the initiator's nonce and both fingerprints (commit before reveal). */
  commitment: hex64,
});
export const pairNonceSchema = z.object({
  type: z.literal('pair.nonce'),
  name,
  nonce: hex64,
});
export const pairRevealSchema = z.object({
  type: z.literal('pair.reveal'),
  nonce: hex64,
});
export const pairPendingSchema = z.object({
  type: z.literal('pair.pending'),
  requestId: z.string().max(64),
  expiresInMs: z.number().int().min(0),
});
export const pairApprovedSchema = z.object({ type: z.literal('pair.approved') });
/** The team's roster, in batches (parents first); the last batch has `more: false`. */
export const pairWelcomeSchema = z.object({
  type: z.literal('pair.welcome'),
  ops: rosterOps,
  more: z.boolean().default(false),
});
export const pairRejectedSchema = z.object({
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
