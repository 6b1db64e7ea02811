import type { SceneInfo } from '../../../shared/control-api/responses.js';
import type { RouteBody } from '../../../shared/control-api/routes.js';
import type { OutputFormat } from '../../../shared/model/jobs.js';

/** What the render form edits; the submit body is made from it. */
export interface RenderOptions {
  name: string;
  frameStart: number;
  frameEnd: number;
  fps: number;
  width: number;
  height: number;
  samplesPerPixel: number;
  format: OutputFormat;
  priority: number;
  outputDir: string;
}

const DEFAULT_WIDTH = 1280;
const DEFAULT_HEIGHT = 720;
const DEFAULT_SAMPLES = 64;
const MAX_NAME_CHARS = 64;

/** A job's name from its scene: the file name without extension, as the CLI names it. */
export function jobNameOf(info: SceneInfo): string {
  const base = (info.name || 'scene').replace(/\.(glb|gltf)$/i, '');
  return base.slice(0, MAX_NAME_CHARS) || 'scene';
}

/** `dir` + `name` with the separator the agent's OS uses (its default folder shows which). */
export function joinPath(dir: string, name: string): string {
  const sep = dir.includes('\\') && !dir.includes('/') ? '\\' : '/';
  const safe = name.replace(/[\\/:*?"<>|]/g, '_');
  return dir.endsWith(sep) ? `${dir}${safe}` : `${dir}${sep}${safe}`;
}

export function defaultRenderOptions(info: SceneInfo, defaultOutputDir: string): RenderOptions {
  const name = jobNameOf(info);
  const frames = info.frames;
  return {
    name,
    frameStart: frames?.start ?? 1,
    frameEnd: frames?.end ?? frames?.start ?? 1,
    fps: frames?.fps ?? 24,
    width: DEFAULT_WIDTH,
    height: DEFAULT_HEIGHT,
    samplesPerPixel: DEFAULT_SAMPLES,
    format: 'png',
    priority: 0,
    outputDir: joinPath(defaultOutputDir, name),
  };
}

export function submitBodyOf(scenePath: string, o: RenderOptions): RouteBody<'submitJob'> {
  return {
    scenePath,
    name: o.name,
    frameStart: o.frameStart,
    frameEnd: o.frameEnd,
    fps: o.fps,
    width: o.width,
    height: o.height,
    samplesPerPixel: o.samplesPerPixel,
    format: o.format,
    priority: o.priority,
    outputDir: o.outputDir,
  };
}
