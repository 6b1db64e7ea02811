// Bundles the preload into dist/electron/preload/preload.cjs: one CommonJS file, since a
// sandboxed preload cannot load ES modules or files of its own; `electron` stays a require.
// Run by `npm run build:app` after tsc (which type-checks the preload with the main process).

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../../dist/electron/preload', import.meta.url)),
    emptyOutDir: false,
    minify: false,
    sourcemap: true,
    target: 'chrome140',
    lib: {
      entry: fileURLToPath(new URL('./preload.ts', import.meta.url)),
      formats: ['cjs'],
      fileName: () => 'preload.cjs',
    },
    rollupOptions: { external: ['electron'] },
  },
});
