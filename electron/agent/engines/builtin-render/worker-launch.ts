// Owns starting a render thread. Built (dist/), the compiled render-worker.js sits next to this
// file. Run from TypeScript sources (vitest), there is no .js to start, so the thread first
// installs a small module hook that strips types with the project's own TypeScript compiler.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

const SOURCE_HOOKS = `
let ts;
export async function initialize(data) { ts = (await import(data.typescriptUrl)).default; }
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (err) {
    if (specifier.startsWith('.') && specifier.endsWith('.js')) return next(specifier.slice(0, -3) + '.ts', context);
    throw err;
  }
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL(url), 'utf8');
  const options = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, experimentalDecorators: true, sourceMap: false };
  return { format: 'module', source: ts.transpileModule(source, { compilerOptions: options }).outputText, shortCircuit: true };
}`;

export function startRenderWorker(): Worker {
  const compiled = new URL('./render-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(compiled))) return new Worker(compiled);
  const source = new URL('./render-worker.ts', import.meta.url).href;
  const typescriptUrl = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  const hooks = `data:text/javascript,${encodeURIComponent(SOURCE_HOOKS)}`;
  const bootstrap = [
    `require('node:module').register(${JSON.stringify(hooks)}, { data: { typescriptUrl: ${JSON.stringify(typescriptUrl)} } });`,
    `import(${JSON.stringify(source)}).catch((err) => { console.error(err); process.exit(1); });`,
  ].join('\n');
  return new Worker(bootstrap, { eval: true });
}
