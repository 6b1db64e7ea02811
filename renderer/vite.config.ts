// Builds the desktop UI into dist/renderer, which the Electron shell loads (app://) and the agent
// serves on its 127.0.0.1 control port. Run from the repository root (npm run build:ui).

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'renderer',
  // Relative asset URLs so the same build works from app:// and from http://127.0.0.1:<port>/.
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // Keep scripts in files: the agent's CSP has no 'unsafe-inline' for scripts.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
