// Lint configuration: eslint's and typescript-eslint's recommended rules over
// src/, test/, bench/ and bin/. The untyped set: the type-checked one took
// about three times as long here and found no bug, only casts and `any` from
// JSON.parse and `new Map()`. Rules are turned off or tuned only where they
// fight a deliberate, consistent style of this code; each says why.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // fixtures/ are source trees of the tests' made-up users, not runner's code.
  { ignores: ['dist/', 'fixtures/', 'node_modules/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // bin/runner has no extension, so it is named.
    files: ['**/*.{ts,js,mjs,cjs}', 'bin/runner'],
    languageOptions: { globals: globals.node },
    rules: {
      // runner reads and writes terminal output and XML: its patterns match
      // ANSI escapes and C0 control characters on purpose.
      'no-control-regex': 'off',
      // A leading underscore names what is there only to be left out:
      // `const { where: _where, ...id } = e`, `([p, _was]) => ...`.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // A `let` a callback reads is declared before the callback and set once
      // after it (exec/pty.ts: the exit callback must exist before the fork).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // bin/runner is CommonJS (bin/package.json): an ES module entry costs every command the ES module loader's start.
    files: ['bin/runner'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
