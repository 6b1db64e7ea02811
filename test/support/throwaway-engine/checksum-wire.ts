// A throwaway engine's wire, as a new engine's folder would have it: "checksum" hashes a file in
// parts on the team (SHA-256 of each byte range) and joins the digests on the coordinator. It is
// here to prove the seam: an engine is this folder plus one register call, nothing else edited.

import { z } from 'zod';
import { assetNameSchema, assetRefSchema, prioritySchema, taskSpecSchema } from '../../../shared/model/jobs.js';
import { leaseFields } from '../../../shared/protocol/index.js';

export const CHECKSUM_ENGINE = 'checksum';

export const checksumRequestSchema = z.strictObject({
  engine: z.literal(CHECKSUM_ENGINE),
  scenePath: z.string().min(1).max(4096),
  name: z.string().min(1).max(64).optional(),
  parts: z.number().int().min(1).max(64).default(4),
  outputDir: z.string().min(1).max(4096),
  priority: prioritySchema.default(0),
});
export type ChecksumRequest = z.output<typeof checksumRequestSchema>;

export const checksumSubmissionSchema = z.object({
  name: z.string(),
  engine: z.literal(CHECKSUM_ENGINE),
  scene: assetNameSchema,
  assets: z.array(assetRefSchema).length(1),
  outputDir: z.string(),
  priority: prioritySchema,
  parts: z.number().int().min(1).max(64),
});
export type ChecksumSubmission = z.infer<typeof checksumSubmissionSchema>;

export const checksumLeaseSchema = z.object({
  ...leaseFields,
  engine: z.literal(CHECKSUM_ENGINE),
  task: taskSpecSchema,
  scene: assetNameSchema,
  assets: z.array(assetRefSchema).length(1),
  /** The bytes [from, to) of the file this task hashes. */
  from: z.number().int().min(0),
  to: z.number().int().min(0),
});
export type ChecksumLease = z.infer<typeof checksumLeaseSchema>;

export const CHECKSUM_WIRE = { id: CHECKSUM_ENGINE, request: checksumRequestSchema, submission: checksumSubmissionSchema, lease: checksumLeaseSchema } as const;
