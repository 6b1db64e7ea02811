// The built-in renderer's wire: its request (a glTF scene and how to render it), its submission
// and its lease. Runtime-neutral, like every engine's *-wire.ts: zod and shared/ only (lint
// enforces it), so the registry builds the wire and API unions from it without the renderer's code.

import { z } from 'zod';
import { sceneRenderRequestFields } from '../../../../shared/control-api/scene-render-request.js';
import { imageJobFields, imageLeaseFields } from '../../../../shared/model/jobs.js';
import { leaseFields } from '../../../../shared/protocol/index.js';

/** The CPU path tracer for glTF every agent has: the only engine of protocol 2.0 and 2.1. */
export const BUILTIN_RENDER_ENGINE = 'builtin-render';

/**
 * A job of the built-in renderer. Fields stay in this order: it is the order of the journal's
 * JSON since protocol 2.0.
 */
export const builtinRenderSubmissionSchema = z.object({ name: z.string(), engine: z.literal(BUILTIN_RENDER_ENGINE), ...imageJobFields });
export type BuiltinRenderSubmission = z.infer<typeof builtinRenderSubmissionSchema>;

/** The built-in renderer's lease: exactly the lease of protocol 2.0 and 2.1, field for field. */
export const builtinRenderLeaseSchema = z.object({ ...leaseFields, engine: z.literal(BUILTIN_RENDER_ENGINE), ...imageLeaseFields });
export type BuiltinRenderLease = z.infer<typeof builtinRenderLeaseSchema>;

/**
 * `troupe render scene.glb` and the app's render form: the scene render request every client
 * speaks (shared/control-api/scene-render-request.ts). A request that names no engine is this
 * engine's: the built-in renderer is the one every machine has, and the only one before 2.2.
 */
export const builtinRenderRequestSchema = z.strictObject({
  engine: z.literal(BUILTIN_RENDER_ENGINE).default(BUILTIN_RENDER_ENGINE),
  ...sceneRenderRequestFields,
});
export type BuiltinRenderRequest = z.output<typeof builtinRenderRequestSchema>;

/** What the registry knows of the engine without its code (EngineWire). */
export const BUILTIN_RENDER_WIRE = { id: BUILTIN_RENDER_ENGINE, request: builtinRenderRequestSchema, submission: builtinRenderSubmissionSchema, lease: builtinRenderLeaseSchema } as const;
