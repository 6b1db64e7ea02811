// Owns the request to render a scene file into images, as the app's render form and
// `troupe render FILE` make it: frames, size, samples, format, where the images go. It names no
// engine: the agent gives it to the engine that takes the file (a request without `engine` is the
// built-in renderer's), and the form checks its fields with this schema before sending.

import { z } from 'zod';
import { fpsSchema, frameNumberSchema, outputFormatSchema, prioritySchema, samplesPerPixelSchema, seedSchema } from '../model/jobs.js';

export const sceneRenderRequestFields = {
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
};

/** A scene render request, fields checked as the agent checks them; `engine` left to the agent. */
export const sceneRenderRequestSchema = z.strictObject(sceneRenderRequestFields);
export type SceneRenderRequest = z.input<typeof sceneRenderRequestSchema>;
