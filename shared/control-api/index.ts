// Owns the local control API's contract (agent <-> UI, CLI, plug-ins): paths, request bodies
// (zod, strict) and response and event types. The agent serves it; clients only read it.

import { z } from 'zod';
import type { Capacity, DeviceId, NearbyDevice, SharingSetting, TeamView } from '../model/index.js';
import type { ErrorBody } from '../errors.js';
import type { JobView, TaskView } from '../model/jobs.js';
import { fpsSchema, frameNumberSchema, outputFormatSchema, prioritySchema, samplesPerPixelSchema, seedSchema } from '../model/jobs.js';

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

export interface AgentStatus {
  deviceId: DeviceId;
  /** The id as people read it: base32 groups with check characters. */
  deviceIdDisplay: string;
  name: string;
  version: string;
  protocolVersion: number;
  listenPort: number;
  addresses: string[];
  team: { teamId: string; name: string; members: number; online: number } | null;
  sharing: SharingSetting;
  capacity: Capacity;
  /** Team capacity at a glance: free cores over every online member, this one included. */
  teamFreeCores: number;
  teamCores: number;
  /** What this machine received from teammates since it started (scenes as a worker, results as a coordinator). */
  transfers: { bytesReceived: number; blobsReceived: number };
  /** Pairing with this machine is paused until then after repeated abandoned attempts (see `pairingLocked`); null: open. */
  pairingLockedUntilMs: number | null;
}

/** An approval the owner of this machine is asked for. */
export interface PairRequest {
  requestId: string;
  deviceId: DeviceId;
  deviceIdDisplay: string;
  name: string;
  teamName: string;
  address: string;
  code: string;
  expiresAtMs: number;
}

export type PairingState = 'awaiting-approval' | 'paired' | 'rejected' | 'failed' | 'expired';

/** A pairing this machine started. */
export interface Pairing {
  pairingId: string;
  target: string;
  deviceId: DeviceId;
  name: string;
  code: string;
  state: PairingState;
  /** This machine's owner confirmed that both screens show the same code. */
  confirmed: boolean;
  error: ErrorBody | null;
}

export type ControlEvent =
  | { type: 'nearbyChanged'; nearby: NearbyDevice[] }
  | { type: 'teamChanged'; team: TeamView | null }
  | { type: 'memberOnline'; deviceId: DeviceId; name: string }
  | { type: 'memberOffline'; deviceId: DeviceId; name: string; reason: string }
  /** A teammate runs a protocol version this one cannot speak; `reason` names both versions. */
  | { type: 'memberIncompatible'; deviceId: DeviceId; reason: string }
  | { type: 'pairRequestReceived'; request: PairRequest }
  | { type: 'pairRequestClosed'; requestId: string; outcome: 'accepted' | 'rejected' | 'expired' | 'cancelled' }
  | { type: 'pairingChanged'; pairing: Pairing }
  /** Pairing requests are refused until `untilMs`: initiators walked away after seeing the code (§5.3). `reason` is for people. */
  | { type: 'pairingLocked'; untilMs: number; abandoned: number; reason: string }
  /** Pairing requests were turned away in a burst (busy, rate-limited, paused): one notice instead of a prompt each. */
  | { type: 'pairRequestsRefused'; refused: number; windowMs: number; message: string }
  | { type: 'statusChanged'; status: AgentStatus }
  | { type: 'jobChanged'; job: JobView };

export type { JobView, TaskView };

export type { ErrorBody };
