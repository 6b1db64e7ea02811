// Lint rules and the import boundaries between the layers (see docs for the layering):
//   shared/            pure data and vocabulary: npm packages only, no Node, no Electron, nothing outside shared/
//   electron/agent|cli plain Node: no Electron, no shell, no renderer
//   electron/shell|preload  the only code that may import `electron`
//   renderer/          browser code: no Node, no Electron, nothing under electron/
// no-restricted-imports options are replaced, not merged, by a later matching config object,
// so every block below lists its full set of restrictions.

import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

const noNode = [
  { regex: '^node:', message: 'This layer must not use Node built-ins.' },
  {
    regex: `^(${nodeBuiltins.map((m) => m.replace(/[/]/g, '\\/')).join('|')})(\\/.*)?$`,
    message: 'This layer must not use Node built-ins.',
  },
];
// Bare `electron` is caught by each block's `paths`; this catches its subpaths (electron/main, ...).
const noElectron = { regex: '^electron/', message: 'Only electron/shell and electron/preload may import electron.' };

// shared/ may reach nothing of the project outside shared/: at depth n a relative import that
// climbs n levels lands at the repository root, and it must then go back into shared/.
const sharedBlocks = [1, 2, 3, 4, 5].map((depth) => ({
  name: `troupe/boundaries/shared-depth-${depth}`,
  files: [`shared/${'*/'.repeat(depth - 1)}*.{ts,tsx,js,mjs}`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        paths: [{ name: 'electron', message: 'shared/ must not import electron.' }],
        patterns: [
          ...noNode,
          noElectron,
          { regex: '^\\.{1,2}/(.*/)?electron(/|$)', message: 'shared/ must not import from electron/.' },
          { group: ['**/renderer/**', '**/renderer'], message: 'shared/ must not import from renderer/.' },
          {
            regex: `^(\\.\\./){${depth}}(?!shared(/|$))`,
            message: 'shared/ imports nothing of the project outside shared/ (npm packages only).',
          },
          { regex: `^(\\.\\./){${depth + 1},}`, message: 'shared/ imports nothing outside the repository.' },
        ],
      },
    ],
  },
}));

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
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
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

  // Default everywhere: no electron (the shell and preload blocks below lift this).
  {
    name: 'troupe/boundaries/default',
    files: ['**/*.{ts,tsx,js,mjs}'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: noElectron.message }], patterns: [noElectron] }],
    },
  },

  ...sharedBlocks,

  {
    name: 'troupe/boundaries/agent-cli',
    files: ['electron/agent/**/*.{ts,js,mjs}', 'electron/cli/**/*.{ts,js,mjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The agent and CLI run in plain Node: no electron.' }],
          patterns: [
            noElectron,
            { group: ['**/electron/shell/**', '**/electron/shell'], message: 'The agent and CLI must not import the Electron shell.' },
            // From electron/agent/* or electron/cli/*, climbing out of agent/ or cli/ into shell/.
            { regex: '^(\\.\\./)+shell(/|$)', message: 'The agent and CLI must not import the Electron shell.' },
            { group: ['**/renderer/**', '**/renderer'], message: 'The agent and CLI must not import the renderer.' },
          ],
        },
      ],
    },
  },

  {
    name: 'troupe/boundaries/renderer',
    files: ['renderer/**/*.{ts,tsx,js,mjs}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'electron', message: 'The renderer must not import electron; go through the preload bridge.' }],
          patterns: [
            ...noNode,
            noElectron,
            { regex: '^\\.{1,2}/(.*/)?electron(/|$)', message: 'The renderer must not import from electron/.' },
          ],
        },
      ],
    },
  },

  {
    name: 'troupe/boundaries/shell-preload',
    files: ['electron/shell/**/*.{ts,js,mjs}', 'electron/preload/**/*.{ts,js,mjs}'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
