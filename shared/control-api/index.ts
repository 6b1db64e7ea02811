// Owns the local control API's contract (agent <-> UI, CLI, plug-ins): paths, request bodies
// (zod, strict) and response and event types. The agent serves it; clients only read it.

import { z } from 'zod';
import type { ErrorBody } from '../errors.js';
import type { JobView, TaskView } from '../model/jobs.js';
import { MAX_WEDGE_VARIANTS, PHYSICS_ENGINE, physicsSettingsRequestSchema } from '../model/physics-jobs.js';
import { BLENDER_ENGINE, BUILTIN_RENDER_ENGINE, blenderVersionSchema, fpsSchema, frameNumberSchema, outputFormatSchema, prioritySchema, samplesPerPixelSchema, seedSchema } from '../model/jobs.js';

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

/** `troupe render scene.glb` and the UI's submit: a glTF scene on this machine and how to render it. */
export const submitBuiltinRenderBody = z.strictObject({
  /** Which engine's job this is; absent means the built-in renderer (requests before 2.2). */
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

/**
 * A .blend rendered or baked on the team (the Blender add-on, `troupe render scene.blend`,
 * `troupe bake`). Frames, size, samples and the output format are the scene's own; the request
 * only picks frames and where they go.
 */
export const submitBlenderBody = z.strictObject({
  engine: z.literal(BLENDER_ENGINE),
  job: z.enum(['render', 'bake']).default('render'),
  /** Absolute path of the .blend on the agent's machine (the add-on's saved temporary copy). */
  scenePath: z.string().min(1).max(4096),
  name: z.string().min(1).max(64).optional(),
  /** The Blender major.minor workers must run; the coordinator's own Blender when absent. */
  blenderVersion: blenderVersionSchema.optional(),
  /** Any Blender will do (the job carries a warning: versions may render differently). */
  anyBlenderVersion: z.boolean().default(false),
  priority: prioritySchema.default(0),
  /** The scene's own frame range when absent. */
  frameStart: frameNumberSchema.optional(),
  frameEnd: frameNumberSchema.optional(),
  frameStep: z.number().int().min(1).max(100_000).optional(),
  /** One frame, rendered in regions across the team and stitched. */
  still: z.boolean().default(false),
  /** Absolute folder for the frames; the folder of outputPattern, or of the scene's output path, when absent. */
  outputDir: z.string().min(1).max(4096).optional(),
  /** The frames' absolute output path, Blender's way (`/renders/shot_####`); the scene's when absent. */
  outputPattern: z.string().min(1).max(4096).optional(),
  /** A bake: where the baked .blend goes (absolute); `<scene folder>/<name>.baked.blend` when absent. */
  outputPath: z.string().min(1).max(4096).optional(),
  /** The folder every file the scene uses must be in (absolute); the .blend's folder when absent. */
  projectRoot: z.string().min(1).max(4096).optional(),
  /** Files outside the project folder (or hidden) the user approved, by absolute path. */
  allowFiles: z.array(z.string().min(1).max(4096)).max(1000).optional(),
  /** Send the job although some files are missing (frames that show them render without them). */
  allowMissing: z.boolean().default(false),
  /** 'off': render without the scene's denoising (where a machine lacks the denoiser); the scene's by default. */
  denoising: z.enum(['scene', 'off']).default('scene'),
  /** Where Cycles renders: 'gpu' only on machines with one, 'cpu' never on a GPU; 'any' a GPU where there is one. */
  device: z.enum(['cpu', 'gpu', 'any']).default('any'),
  /** A still: 'whole' on one machine, 'regions' across the team and stitched; 'auto': whole when the scene denoises or the team is one machine. */
  stillMode: z.enum(['auto', 'whole', 'regions']).default('auto'),
});

/**
 * `troupe simulate scene.glb`: rigid bodies of a glTF scene (KHR_physics_rigid_bodies) with the
 * built-in physics engine. A bake is one run in time chunks; with `wedge` (or `random`), one run
 * per variant of the swept parameters (the engine's wedge grammar, engines/physics/wedge-variants.ts).
 */
export const submitPhysicsBody = z.strictObject({
  engine: z.literal(PHYSICS_ENGINE),
  scenePath: z.string().min(1).max(4096),
  name: z.string().min(1).max(64).optional(),
  settings: physicsSettingsRequestSchema.default({}),
  /** "friction=0.2:0.8:4,restitution=0:1:3": a grid; with `random`, ranges drawn from. */
  wedge: z.string().min(1).max(4000).optional(),
  random: z.strictObject({ count: z.number().int().min(1).max(MAX_WEDGE_VARIANTS), seed: z.number().int().min(0).max(2 ** 32 - 1) }).optional(),
  /** A bake's steps per chunk (the engine picks when absent). */
  chunkSteps: z.number().int().min(1).max(10_000_000).optional(),
  /** Then render the baked animation with the built-in renderer, frame by frame as it is baked (a bake only). */
  thenRender: z
    .strictObject({
      width: z.number().int().min(1).default(640),
      height: z.number().int().min(1).default(480),
      samplesPerPixel: samplesPerPixelSchema.default(64),
      seed: seedSchema.default(1),
      format: outputFormatSchema.default('png'),
    })
    .optional(),
  outputDir: z.string().min(1).max(4096),
  priority: prioritySchema.default(0),
});

/** A job for one engine; requests without `engine` are the built-in renderer's. */
export const submitJobBody = z.union([submitBuiltinRenderBody, submitBlenderBody, submitPhysicsBody]);
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
  AddonInstalled,
  VariantRow,
  JobPreview,
} from './responses.js';
export { VARIANT_SORT_KEYS } from './responses.js';
export type { JobView, TaskView };

export type { ErrorBody };
