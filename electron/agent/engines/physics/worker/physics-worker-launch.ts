// Owns starting a physics thread. Built (dist/), the compiled physics-worker.js sits next to this
// file. Run from TypeScript sources (vitest), there is no .js to start, so the thread first
// installs the module hook from source-modules.

import { Worker } from 'node:worker_threads';
import { compiledModule, registerSourceHooks } from '../../source-modules.js';

/** The thread's JS heap holds the scene's JSON and small objects; Rapier's world lives in WebAssembly memory, keyframes in ArrayBuffers. */
const PHYSICS_THREAD_HEAP_MB = 512;

export function startPhysicsWorker(): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: PHYSICS_THREAD_HEAP_MB };
  const compiled = compiledModule('./physics-worker.js', import.meta.url);
  if (compiled) return new Worker(compiled, { resourceLimits });
  const source = new URL('./physics-worker.ts', import.meta.url).href;
  const bootstrap = [registerSourceHooks(), `import(${JSON.stringify(source)}).catch((err) => { console.error(err); process.exit(1); });`].join('\n');
  return new Worker(bootstrap, { eval: true, resourceLimits });
}
