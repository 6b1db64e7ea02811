// Owns what an engine's runtime-neutral file (its folder's *-wire.ts) gives the registry: its id
// and the schemas of its request (control API), its submission (journal, job views) and its lease
// (the link). Neutral files import zod and shared/ only (lint enforces it), so the agent checks
// every engine's messages through the registry while the wire itself stays generic.

import type { ZodType } from 'zod';
import type { JobSubmission } from '../../../shared/model/jobs.js';
import type { WorkLease } from '../../../shared/protocol/index.js';

export interface EngineWire<Request = unknown, Submission extends JobSubmission = JobSubmission, Lease extends WorkLease = WorkLease> {
  readonly id: string;
  /** The control API's request for this engine's job (strict: an unknown field is refused). */
  readonly request: ZodType<Request, unknown>;
  /** The job as the coordinator keeps it: what the journal stores and job views carry. */
  readonly submission: ZodType<Submission, unknown>;
  /** One task's lease, as the worker reads it. */
  readonly lease: ZodType<Lease, unknown>;
}
