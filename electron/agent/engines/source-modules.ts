// Owns starting a thread or a process on this project's TypeScript sources, as under vitest,
// where there is no dist/ to run: a small module hook strips types with the project's own
// TypeScript compiler. Built, callers start the compiled .js next to them instead.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

/**
 * The compiled module `name` (a .js path relative to `base`) if it exists, or null when running
 * from sources. Inside a packaged app the code sits in app.asar, which a forked process or a
 * worker thread cannot run from: electron-builder unpacks these files beside it (asarUnpack), so
 * their path is the same with app.asar.unpacked.
 */
export function compiledModule(name: string, base: string | URL): URL | null {
  const compiled = new URL(name, base);
  const unpacked = unpackedPath(fileURLToPath(compiled));
  if (unpacked !== null && existsSync(unpacked)) return pathToFileURL(unpacked);
  return existsSync(fileURLToPath(compiled)) ? compiled : null;
}

/** The path with its `app.asar` folder swapped for `app.asar.unpacked`; null when it is not inside one. */
export function unpackedPath(path: string): string | null {
  const swapped = path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
  return swapped === path ? null : swapped;
}

/** JavaScript that registers the hooks; run it first in the new thread or process. */
export function registerSourceHooks(): string {
  const typescriptUrl = pathToFileURL(createRequire(import.meta.url).resolve('typescript')).href;
  const hooks = `data:text/javascript,${encodeURIComponent(SOURCE_HOOKS)}`;
  return `require('node:module').register(${JSON.stringify(hooks)}, { data: { typescriptUrl: ${JSON.stringify(typescriptUrl)} } });`;
}

/** `--import` arguments for a process whose entry module is a .ts source. */
export function sourceHooksExecArgv(): string[] {
  const code = registerSourceHooks().replace("require('node:module').register", "(await import('node:module')).register");
  return ['--import', `data:text/javascript,${encodeURIComponent(code)}`];
}
