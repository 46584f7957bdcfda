// ESLint flat config: the recommended rules (typescript-eslint without type information, for
// speed) and the layer direction of DESIGN.md §1, checked here rather than by memory:
//   renderer → core/contract (+ core/errors.ts),  electron → core,  core → nothing above it.
// Caveat: in flat config a later block's options for a rule REPLACE an earlier block's, so every
// block below that sets `no-restricted-imports` carries the complete list for its files.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

// `node:*` and the bare names of Node's built-in modules (`fs`, `fs/promises`, `path`, ...).
const bareBuiltins = builtinModules.filter((name) => !name.startsWith('_') && !name.includes('/'));
const NODE_BUILTINS_REGEX = `^(?:node:|(?:${bareBuiltins.join('|')})(?:/|$))`;

// Relative specifiers that reach into a top-level folder, however many `../` they climb.
const relativeInto = (folder) => `^\\.{1,2}/(?:.*/)?${folder}(?:/|$)`;

const core = [
  {
    regex: '^(?:electron|react|react-dom)(?:/|$)',
    message: 'core/ is plain TypeScript for Node: it never imports electron or react (DESIGN.md §1).',
  },
  {
    regex: relativeInto('(?:renderer|electron)'),
    message: 'core/ must not import from renderer/ or electron/: dependencies point one way (DESIGN.md §1).',
  },
];

const noNode = (who) => ({
  regex: NODE_BUILTINS_REGEX,
  message: `${who} never touches Node: no node:* or built-in modules (DESIGN.md §2).`,
});

// A file in core/contract at `depth` folders below it leaves the contract with depth + 1 `../`;
// from there only errors.ts (and the contract itself) may be reached. Flat-config globs cannot
// express "relative to the importing file", so one block per depth; the contract is meant to be
// shallow, and files deeper than this are still covered by the core/** rules.
const MAX_CONTRACT_DEPTH = 4;
const contractBlocks = Array.from({ length: MAX_CONTRACT_DEPTH + 1 }, (_, depth) => ({
  name: `pitr/layers/core-contract-depth-${depth}`,
  files: [`core/contract/${'*/'.repeat(depth)}*`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...core,
          noNode('core/contract (shared with the renderer)'),
          {
            regex: `^(?:\\.\\./){${depth + 1}}(?!errors(?:\\.[jt]s)?$|contract(?:/|$))`,
            message:
              'core/contract holds the types shared with the renderer: it may import only core/contract and core/errors.ts.',
          },
        ],
      },
    ],
  },
}));

/** Node's globals, for the plain JavaScript files (scripts, bin, this config). */
const nodeGlobals = Object.fromEntries(
  [
    'process', 'console', 'Buffer', 'URL', 'URLSearchParams', 'AbortController', 'AbortSignal',
    'TextEncoder', 'TextDecoder', 'fetch', 'structuredClone', 'queueMicrotask',
    'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate',
  ].map((name) => [name, 'readonly']),
);

export default defineConfig(
  globalIgnores(['dist/', 'node_modules/', 'test-results/', 'playwright-report/', 'release/', 'renderer-dist/']),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'pitr/base',
    files: ['**/*.{js,mjs,cjs,ts,mts,cts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    name: 'pitr/node-javascript',
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: nodeGlobals },
  },
  {
    name: 'pitr/layers/core',
    files: ['core/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: core }] },
  },
  ...contractBlocks,
  {
    name: 'pitr/layers/renderer',
    files: ['renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noNode('The renderer'),
            {
              regex: '^(?:electron|better-sqlite3)(?:/|$)',
              message: 'The renderer reaches the host only through the contract client (DESIGN.md §2).',
            },
            {
              regex: '^\\.{1,2}/(?:.*/)?core(?:/(?!contract(?:/|$)|errors(?:\\.[jt]s)?$)|$)',
              message: 'The renderer may import from core only core/contract and core/errors.ts (DESIGN.md §1).',
            },
            {
              regex: relativeInto('electron'),
              message: 'The renderer must not import electron/: shared types belong in core/contract.',
            },
          ],
        },
      ],
    },
  },
  {
    name: 'pitr/layers/electron',
    files: ['electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:react|react-dom)(?:/|$)',
              message: 'electron/ is the main process and preload: no react (DESIGN.md §1).',
            },
            {
              regex: relativeInto('renderer'),
              message: 'electron/ must not import renderer/: it loads the built renderer, it does not link it.',
            },
          ],
        },
      ],
    },
  },
);
