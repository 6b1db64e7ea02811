// Owns the schemas of what the control API answers, so a client (the UI above all) can check
// what it reads instead of trusting it. Each is annotated with the view type it describes, so the
// compiler keeps the two in step; moving the types themselves to z.infer is the next step.

import { z } from 'zod';
import type { NearbyDevice, TeamMember, TeamView } from '../model/index.js';
import {
  jobStateSchema,
  jobSubmissionSchema,
  taskSpecSchema,
  taskStateSchema,
  type JobView,
  type TaskAttemptView,
  type TaskView,
} from '../model/jobs.js';
import { capacitySchema, sharingSchema } from '../protocol/index.js';
import type { AgentStatus, Pairing, PairRequest } from './index.js';
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
  pairingLockedUntilMs: z.number().nullable(),
}) satisfies z.ZodType<AgentStatus>;

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
}) satisfies z.ZodType<PairRequest>;

export const pairingSchema = z.object({
  pairingId: z.string(),
  target: z.string(),
  deviceId,
  name: z.string(),
  code: z.string(),
  state: z.enum(['awaiting-approval', 'paired', 'rejected', 'failed', 'expired']),
  confirmed: z.boolean(),
  error: errorBody.nullable(),
}) satisfies z.ZodType<Pairing>;

const taskAttemptSchema = z.object({
  workerId: z.string(),
  startedAtMs: z.number(),
  endedAtMs: z.number().nullable(),
  workMs: z.number().nullable(),
  outcome: z.enum(['running', 'done', 'failed', 'lost', 'cancelled']),
  speculative: z.boolean(),
  error: z.string().nullable(),
}) satisfies z.ZodType<TaskAttemptView>;

export const taskViewSchema = taskSpecSchema.extend({
  state: taskStateSchema,
  attempts: z.array(taskAttemptSchema),
}) satisfies z.ZodType<TaskView>;

export const jobViewSchema = z.object({
  jobId: z.string(),
  submission: jobSubmissionSchema,
  state: jobStateSchema,
  createdAtMs: z.number(),
  finishedAtMs: z.number().nullable(),
  tasksDone: z.number(),
  tasksTotal: z.number(),
  outputs: z.array(z.string()),
  errors: z.array(z.string()),
}) satisfies z.ZodType<JobView>;
