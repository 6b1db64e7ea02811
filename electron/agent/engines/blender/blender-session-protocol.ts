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
  /** Where the region goes: linear 32-bit float OpenEXR, whatever the scene's output format. */
  output: string;
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
  scene?: string;
}
export interface StitchResult {
  path: string;
  width: number;
  height: number;
}

export type DependencyKind =
  'library' | 'image' | 'font' | 'sound' | 'movie-clip' | 'volume' | 'cache-file' | 'point-cache' | 'fluid-cache' | 'other';
export interface Dependency {
  kind: DependencyKind;
  /** The datablock (or object) that uses the file. */
  name: string | null;
  /** Set when the user is inside a linked library: its path is that library's to relocate. */
  viaLibrary: string | null;
  absolutePath: string;
  exists: boolean;
  isDirectory: boolean;
  sizeBytes: number | null;
}
export interface DependencyReport {
  blendFile: string;
  dependencies: Dependency[];
  /** Absolute paths of dependencies that are not on this machine. */
  missing: string[];
}

export interface RemapArgs {
  /** Absolute path as reported by `dependencies` -> where the worker keeps that file. */
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
  dependencies: { args: Record<string, never>; result: DependencyReport };
  remap_paths: { args: RemapArgs; result: RemapResult };
  bake: { args: BakeArgs; result: BakeResult };
}
export type SessionCommandName = keyof SessionCommands;

/** A line on the answer pipe. */
export type SessionAnswer =
  | ({ event: 'ready' } & SessionFacts)
  | { id: number; event: string; [field: string]: unknown }
  | { id: number; ok: true; result: unknown }
  | { id: number | null; ok: false; error: { code: string; message: string } };
