// Owns the shapes exchanged with Troupe's kept-alive Blender session (assets/blender/
// session_server.py): one JSON command a line on Blender's stdin, one JSON answer a line on a pipe
// of its own (fd 3), so nothing Blender prints can pass for an answer.

import type { Region } from '../../../../shared/model/jobs.js';

/** The fd Blender's session script answers on (the child's stdio[3]). */
export const ANSWER_FD = 3;

/** 'scene': keep the scene's denoising and fail where this Blender lacks the denoiser; 'off': render without it, with a warning. */
export type DenoisingPolicy = 'scene' | 'off';

/** Output image settings a job may set instead of the scene's (Blender's enum names: 'PNG', 'OPEN_EXR', '8', 'RGBA'). */
export interface ImageSettingOverrides {
  fileFormat?: string;
  colorDepth?: string;
  colorMode?: string;
}

export interface SessionFacts {
  blenderVersion: [number, number, number];
  blenderVersionString: string;
  blendFile: string;
  openImageDenoise: boolean;
  /** The file holds scripts (auto-run texts, Python drivers) that were not run. */
  scriptsBlocked: boolean;
}

export interface SceneDefaults {
  scene: string;
  scenes: string[];
  frameStart: number;
  frameEnd: number;
  frameStep: number;
  fps: number;
  width: number;
  height: number;
  resolutionPercentage: number;
  camera: string | null;
  engine: string;
  samples: number | null;
  output: {
    path: string;
    absolutePath: string;
    fileFormat: string;
    colorMode: string;
    colorDepth: string;
    isMovie: boolean;
    fileExtension: string;
    useFileExtension: boolean;
  };
  /** What in the scene asks for a denoiser, in words; empty when nothing does. */
  denoising: string[];
  /** Rendering it as saved needs OpenImageDenoise. */
  usesOpenImageDenoise: boolean;
  /** Every point cache (rigid body, cloth, particles...) and whether it is baked. */
  physicsCaches: BakedCache[];
}

export interface RenderFramesArgs extends ImageSettingOverrides {
  frames: number[];
  /** Blender's output pattern (`/tmp/task/frame_####`); the scene's own when absent. */
  output?: string;
  denoising?: DenoisingPolicy;
  /** Blender's dither for this render; a still meant to equal a stitched one needs 0. */
  ditherIntensity?: number;
  scene?: string;
}
export interface RenderedFrame {
  frame: number;
  path: string;
}
export interface RenderFramesResult {
  frames: RenderedFrame[];
  warnings: string[];
}

export interface RenderRegionArgs {
  frame: number;
  /** Pixels, origin top left, as everywhere in Troupe. */
  region: Region;
  /** Where the region goes: multilayer OpenEXR (every pass of every view layer, linear 32-bit float), whatever the scene's output format. */
  output: string;
  /** Render noisy with Cycles' denoising passes (albedo, normal), for the stitch to denoise the whole frame. */
  denoise?: boolean;
  /** Where an 8-bit PNG of the region goes as well, through the scene's view transform: what the app shows until the stitch. */
  preview?: string;
  scene?: string;
}
export interface RenderRegionResult {
  path: string;
  region: Region;
  frameWidth: number;
  frameHeight: number;
  warnings: string[];
}

export interface StitchArgs extends ImageSettingOverrides {
  tiles: (Region & { path: string })[];
  /** The frame's file: written with the scene's output settings (or the overrides). */
  output: string;
  /** The frame the regions are of: the compositor and stamp see it as the current frame. */
  frame?: number;
  /** 'scene': denoise the stitched frame if the scene denoises (the regions carry the passes); 'off': not, nor the compositor's Denoise nodes. */
  denoising?: DenoisingPolicy;
  scene?: string;
}
export interface StitchResult {
  path: string;
  width: number;
  height: number;
}

export type DependencyKind =
  | 'library' | 'image' | 'font' | 'sound' | 'movie-clip' | 'volume' | 'cache-file' | 'osl-script' | 'ies'
  | 'point-cache' | 'fluid-cache' | 'other';
export interface Dependency {
  kind: DependencyKind;
  /** The datablock (or object/modifier) that uses the file. */
  name: string | null;
  /** Set when the user is inside a linked library: its relative paths are relative to that library. */
  viaLibrary: string | null;
  /** The path as the .blend stores it (`//`-relative or absolute; empty for a cache in Blender's default folder). */
  storedPath: string;
  /** The stored path resolved here: a file, a sequence's or UDIM set's named file, or a cache's folder. */
  absolutePath: string;
  /** absolutePath is a folder (a cache), whose files are `files`. */
  folder: boolean;
  /** The files the job needs (every frame of a sequence the job shows, every tile, every cache file). */
  files: string[];
  /** Files the job needs that are not there. */
  missing: string[];
  /** Only Blender's own list names it: shipped when it is a file, never a reason to refuse the job. */
  optional: boolean;
}
export interface DependencyReport {
  blendFile: string;
  dependencies: Dependency[];
  /** Absolute paths of needed files that are not on this machine. */
  missing: string[];
  /** What the user should know (a simulation that is not baked). */
  warnings: string[];
}
/** Which frames the job shows (a sequence's other frames are not needed); the scene's own when absent. */
export interface JobFrames {
  frameStart?: number;
  frameEnd?: number;
  frameStep?: number;
}

export interface RemapArgs extends JobFrames {
  /** A path as the .blend stores it -> where the worker keeps that file (for a cache: that folder). */
  paths: Record<string, string>;
  /** Also save the relocated file here (a copy; the session stays on its file). */
  saveAs?: string;
  /** Fail when anything is still missing afterwards. */
  requireAll?: boolean;
  /** Point every compositor File Output node into this folder (a teammate's task folder). */
  outputsInto?: string;
}
export interface RemapResult {
  remapped: { kind: DependencyKind; name: string; from: string; to: string }[];
  unused: string[];
  missing: string[];
  /** One line per File Output node moved into outputsInto (or that could not be). */
  containedWriters: string[];
}

export interface BakeArgs {
  /** Where the baked .blend is saved (a copy); the session's own file when absent. */
  output?: string;
}
export interface BakedCache {
  kind: string;
  owner: string;
  isBaked: boolean;
  frameStart: number;
  frameEnd: number;
  diskCache: boolean;
  info: string;
}
export interface BakeResult {
  blendFile: string;
  caches: BakedCache[];
  /** Disk cache files (blendcache_<name>/...) to bring back beside the .blend. */
  cacheFiles: string[];
}

/** Each command's args and result, by name, as the session script knows them. */
export interface SessionCommands {
  scene_info: { args: { scene?: string }; result: SceneDefaults };
  render_frames: { args: RenderFramesArgs; result: RenderFramesResult };
  render_region: { args: RenderRegionArgs; result: RenderRegionResult };
  stitch: { args: StitchArgs; result: StitchResult };
  dependencies: { args: JobFrames; result: DependencyReport };
  remap_paths: { args: RemapArgs; result: RemapResult };
  bake: { args: BakeArgs; result: BakeResult };
  select_devices: { args: { policy: 'cpu' | 'gpu' | 'any'; gpus?: Record<string, string[]>; dryRun?: boolean }; result: { device: 'CPU' | 'GPU'; type: string | null; names: string[] } };
}
export type SessionCommandName = keyof SessionCommands;

/** A line on the answer pipe. */
export type SessionAnswer =
  | ({ event: 'ready' } & SessionFacts)
  | { id: number; event: string; [field: string]: unknown }
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: string; message: string } };
