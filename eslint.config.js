// Lint rules and the import boundaries between the runtimes (docs/architecture.md, "Import rules").
// The boundary is one rule, `troupe/layering`, that resolves every import and judges it by the
// folder it comes from and the folder (or package) it reaches, whatever the depth of either file:
//   shared/                      pure data and vocabulary: npm packages and shared/ only
//   renderer/                    browser code: shared/, renderer/ and npm packages; no Node, no Electron
//   electron/agent, electron/cli plain Node: no `electron`, nothing of electron/main|preload or renderer/
//   electron/agent/engines/**/*-wire.ts  an engine's runtime-neutral wire (its request, submission and
//                                lease schemas): zod, shared/ and other wires only, no Node, so the
//                                registry, tests and tools read an engine's messages without its code
//   electron/main, preload       the only code that may import `electron`; never the renderer's code
//   test/                        anything

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import { builtinModules } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import tseslint from 'typescript-eslint';

const REPO = import.meta.dirname;
const NODE_BUILTINS = new Set(builtinModules.filter((m) => !m.startsWith('_')));

/** Which runtime layer a repository file belongs to, by its folder. */
function layerOf(file) {
  const path = relative(REPO, file).split('\\').join('/');
  if (path.startsWith('shared/')) return 'shared';
  if (path.startsWith('renderer/')) return 'renderer';
  if (/^electron\/agent\/engines\/(?:.+\/)?[^/]+-wire\.ts$/.test(path)) return 'neutral';
  if (path.startsWith('electron/agent/') || path.startsWith('electron/cli/')) return 'node';
  if (path.startsWith('electron/main/') || path.startsWith('electron/preload/')) return 'electron';
  if (path.startsWith('test/')) return 'test';
  return 'other';
}

/** What an import reaches: a layer of this repository, Node, Electron, a package, or outside the repository. */
function targetOf(spec, fromFile) {
  if (spec.startsWith('.')) {
    // Imports name the compiled file (.js); the layer is the source's (.ts).
    const abs = resolve(dirname(fromFile), spec).replace(/\.js$/, '.ts');
    if (relative(REPO, abs).startsWith('..')) return 'outside';
    return layerOf(abs);
  }
  if (spec === 'electron' || spec.startsWith('electron/')) return 'electron-api';
  if (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0])) return 'node-api';
  return 'package';
}

const ALLOWED = {
  shared: new Set(['shared', 'package']),
  renderer: new Set(['renderer', 'shared', 'package']),
  neutral: new Set(['neutral', 'shared', 'package']),
  node: new Set(['node', 'neutral', 'shared', 'package', 'node-api']),
  electron: new Set(['electron', 'node', 'neutral', 'shared', 'package', 'node-api', 'electron-api']),
};
const WHY = {
  'electron-api': 'only electron/main and electron/preload may import electron',
  'node-api': 'this layer does not run in Node',
  renderer: 'the renderer is reached through the preload bridge or HTTP, not imported',
  electron: 'electron/main and electron/preload are the shell: nothing else imports them',
  node: 'the agent and CLI are plain Node: reach them through the control API',
  neutral: "an engine's wire is the agent's: clients speak the generic control API",
  outside: 'nothing outside the repository',
  other: 'not a layer others import',
  test: 'tests are not imported by code',
};

const layering = {
  meta: { type: 'problem', schema: [], messages: { refused: '{{from}} may not import {{spec}}: {{why}}.' } },
  create(context) {
    const from = layerOf(context.filename);
    const allowed = ALLOWED[from];
    if (!allowed) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      const target = targetOf(spec, context.filename);
      if (!allowed.has(target)) context.report({ node, messageId: 'refused', data: { from, spec, why: WHY[target] ?? target } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'coverage/', '**/coverage/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'troupe/base',
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    plugins: { troupe: { rules: { layering } } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'troupe/layering': 'error',
    },
  },
  {
    name: 'troupe/renderer',
    files: ['renderer/**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    name: 'troupe/tests',
    files: ['test/**/*.ts'],
    rules: {
      // Tests reach into private members and build deliberately malformed input.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
