// Owns the shape of a render request and its bounds. A request is checked before any work
// starts: a 100000x100000 frame is refused here, not after allocating its buffer.

import { MAX_PIXELS, MAX_SIDE_PX, type Region } from '../../../../../shared/model/jobs.js';
import { BadRenderRequestError } from '../../gltf/scene-errors.js';
import { MAX_JOB_SAMPLES_PER_PIXEL } from '../../../../../shared/model/jobs.js';

export interface RenderSettings {
  width: number;
  height: number;
  samplesPerPixel: number;
  maxBounces?: number;
  seed: number;
  frame: number;
  fps?: number;
}

/** The job limit, so a job the coordinator accepts is one every worker can render. */
export const MAX_SAMPLES_PER_PIXEL = MAX_JOB_SAMPLES_PER_PIXEL;
export const MAX_BOUNCES = 64;
export const DEFAULT_MAX_BOUNCES = 6;
export const DEFAULT_FPS = 24;

/** Settings with defaults filled in, once they are known to be in bounds. */
export type CheckedSettings = Required<RenderSettings>;

export function checkRenderRequest(settings: RenderSettings, region: Region): CheckedSettings {
  const refuse = (why: string): never => {
    throw new BadRenderRequestError(why);
  };
  const { width, height } = settings;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    refuse(`the image size ${width}x${height} must be whole pixels, at least 1x1`);
  }
  if (width > MAX_SIDE_PX || height > MAX_SIDE_PX || width * height > MAX_PIXELS) {
    refuse(`${width}x${height} is too large: at most ${MAX_SIDE_PX} pixels a side and ${MAX_PIXELS / 1e6} megapixels`);
  }
  const spp = settings.samplesPerPixel;
  if (!Number.isInteger(spp) || spp < 1 || spp > MAX_SAMPLES_PER_PIXEL) refuse(`samples per pixel must be 1 to ${MAX_SAMPLES_PER_PIXEL}, not ${spp}`);
  const maxBounces = settings.maxBounces ?? DEFAULT_MAX_BOUNCES;
  if (!Number.isInteger(maxBounces) || maxBounces < 0 || maxBounces > MAX_BOUNCES) refuse(`max bounces must be 0 to ${MAX_BOUNCES}, not ${maxBounces}`);
  if (!Number.isSafeInteger(settings.seed)) refuse(`the seed must be a whole number, not ${settings.seed}`);
  if (!Number.isInteger(settings.frame) || settings.frame < 0 || settings.frame > 1e7) refuse(`frame ${settings.frame} is not a frame number`);
  const fps = settings.fps ?? DEFAULT_FPS;
  if (!(fps > 0 && fps <= 1000)) refuse(`fps must be above 0 and at most 1000, not ${fps}`);
  const { x, y } = region;
  const ok = [x, y, region.width, region.height].every(Number.isInteger) && x >= 0 && y >= 0 && region.width >= 1 && region.height >= 1;
  if (!ok || x + region.width > width || y + region.height > height) {
    refuse(`region ${region.width}x${region.height} at ${x},${y} is not inside the ${width}x${height} frame`);
  }
  return { width, height, samplesPerPixel: spp, maxBounces, seed: settings.seed, frame: settings.frame, fps };
}
