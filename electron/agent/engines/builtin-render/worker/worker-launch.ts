// Owns starting a render thread. Built (dist/), the compiled render-worker.js sits next to this
// file. Run from TypeScript sources (vitest), there is no .js to start, so the thread first
// installs the module hook from source-modules.

import { Worker } from 'node:worker_threads';
import { compiledModule, registerSourceHooks } from '../../source-modules.js';

/** A thread's JS heap holds its tracer and messages only; the scene is shared memory outside it. */
const RENDER_THREAD_HEAP_MB = 256;

export function startRenderWorker(): Worker {
  const resourceLimits = { maxOldGenerationSizeMb: RENDER_THREAD_HEAP_MB };
  const compiled = compiledModule('./render-worker.js', import.meta.url);
  if (compiled) return new Worker(compiled, { resourceLimits });
  const source = new URL('./render-worker.ts', import.meta.url).href;
  const bootstrap = [registerSourceHooks(), `import(${JSON.stringify(source)}).catch((err) => { console.error(err); process.exit(1); });`].join('\n');
  return new Worker(bootstrap, { eval: true, resourceLimits });
}
