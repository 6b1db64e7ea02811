// Owns which engines this build of Troupe has: the one place an engine is added. An engine is a
// job type (the coordinator's half) and an engine (the worker's half) under one id; nothing else
// in the agent names an engine.

import { BlenderEngine } from './blender/blender-engine.js';
import { configuredBlenderFinder } from './blender/blender-finder.js';
import { BlenderJobType } from './blender/blender-job-type.js';
import type { BuiltinRendererOptions } from './builtin-render/worker/builtin-renderer.js';
import { PathTracerEngine } from './builtin-render/worker/path-tracer-engine.js';
import { PathTracerJobType } from './builtin-render/coordinator/path-tracer-job-type.js';
import { EngineRegistry } from './engine-registry.js';
import { PhysicsEngine } from './physics/worker/physics-engine.js';
import { PhysicsJobType } from './physics/coordinator/physics-job-type.js';

export interface EngineOptions {
  /** The built-in renderer's limits (defaults in builtin-render/render-limits.ts); tests lower them. */
  builtinRender?: Omit<BuiltinRendererOptions, 'threads'>;
  /** The Blender to use (the owner's setting, or TROUPE_BLENDER); else PATH and the usual install folders. */
  blenderPath?: string | null;
  /** Folders no scene may send files from (the agent's data folder). */
  privateFolders?: readonly string[];
}

export function registeredEngines(options: EngineOptions = {}): EngineRegistry {
  // One finder for both halves: the coordinator reads a .blend with the Blender its worker runs.
  const blender = configuredBlenderFinder(options.blenderPath ?? process.env.TROUPE_BLENDER ?? null);
  return new EngineRegistry()
    .register(new PathTracerJobType(), new PathTracerEngine(options.builtinRender))
    .register(new BlenderJobType(blender, options.privateFolders), new BlenderEngine(blender))
    .register(new PhysicsJobType(), new PhysicsEngine());
}
