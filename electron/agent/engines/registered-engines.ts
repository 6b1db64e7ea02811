// Owns which engines this build of Troupe has: the one place an engine is added. An engine is a
// job type (the coordinator's half) and an engine (the worker's half) under one id; nothing else
// in the agent names an engine.

import type { BuiltinRendererOptions } from './builtin-render/builtin-renderer.js';
import { PathTracerEngine } from './builtin-render/path-tracer-engine.js';
import { PathTracerJobType } from './builtin-render/path-tracer-job-type.js';
import { EngineRegistry } from './engine-registry.js';

export interface EngineOptions {
  /** The built-in renderer's limits (defaults in builtin-render/render-limits.ts); tests lower them. */
  builtinRender?: Omit<BuiltinRendererOptions, 'threads'>;
}

export function registeredEngines(options: EngineOptions = {}): EngineRegistry {
  return new EngineRegistry().register(new PathTracerJobType(), new PathTracerEngine(options.builtinRender));
}
