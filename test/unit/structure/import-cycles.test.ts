// src/ imports one way: a module never needs, through any chain of imports,
// a module that needs it. Checked by reading every file's import and
// export-from statements, type-only ones too, as madge does
// (test/helpers/import-cycles.ts), so a new cycle fails here, naming its
// files, before it reaches a reader.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { elementaryCycles, importCycles, importGraph, importedSpecifiers } from '../../helpers/import-cycles.js';
import { REPO } from '../../helpers/sandbox.js';

describe('import cycles', () => {
  test('issue 13: src/ has no import cycle, type-only imports included', () => {
    const src = path.join(REPO, 'src');
    const found = elementaryCycles(importGraph(src)).map((c) => c.map((f) => path.relative(src, f)).join(' > '));
    expect(found).toEqual([]);
  });

  test('the cycle finder sees a loop of three modules, and no loop in a chain', () => {
    const loop = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(importCycles(loop)).toEqual([['a', 'b', 'c']]);
    expect(elementaryCycles(loop)).toEqual([['a', 'b', 'c']]);
    expect(
      importCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
    expect(
      elementaryCycles(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });

  test('each elementary cycle is listed once, from its least file, even when loops share files', () => {
    // b -> a closes a second loop among files already in a cycle: a new entry, not the same group.
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c', 'a']],
      ['c', ['a']],
      ['d', ['d']],
    ]);
    expect(
      elementaryCycles(graph)
        .map((c) => c.join(' > '))
        .sort(),
    ).toEqual(['a > b', 'a > b > c', 'd']);
  });

  test.each([
    ["import { a } from './a.js';", ['./a.js']],
    ["import {\n  a,\n  b,\n} from '../b/index.js';", ['../b/index.js']],
    ["export { a } from './a.js';", ['./a.js']],
    ["export * from './a.js';", ['./a.js']],
    ["import './side-effect.js';", ['./side-effect.js']],
    ["const m = await import('./lazy.js');", ['./lazy.js']],
    ["import { type A, b } from './a.js';", ['./a.js']],
    ["import fs from 'node:fs';", []],
    // Erased by the compiler, but a reader still follows them (madge counts them too).
    ["import type { A } from './a.js';", ['./a.js']],
    ["import { type A, type B } from './a.js';", ['./a.js']],
    ["export type { A } from './a.js';", ['./a.js']],
    ["type T = typeof import('./a.js');", ['./a.js']],
    ["// import { a } from './a.js';", []],
  ])('%j names %j', (text, expected) => {
    expect(importedSpecifiers(text)).toEqual(expected);
  });
});
