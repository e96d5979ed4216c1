// src/ imports one way: a module never needs, through any chain of imports,
// a module that needs it. Checked by reading every file's import and
// export-from statements (test/helpers/import-cycles.ts), so a new cycle
// fails here, naming its files, before it reaches a reader.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { importCycles, importGraph, importedSpecifiers } from '../../helpers/import-cycles.js';
import { REPO } from '../../helpers/sandbox.js';

describe('import cycles', () => {
  test('issue 13: no module in src/ imports itself through a chain of imports', () => {
    const src = path.join(REPO, 'src');
    const cycles = importCycles(importGraph(src)).map((c) => c.map((f) => path.relative(src, f)).join(' <-> '));
    expect(cycles).toEqual([]);
  });

  test('the cycle finder sees a loop of three modules, and no loop in a chain', () => {
    const loop = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(importCycles(loop)).toEqual([['a', 'b', 'c']]);
    expect(importCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
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
    // Erased by the compiler: they order no module's evaluation.
    ["import type { A } from './a.js';", []],
    ["import { type A, type B } from './a.js';", []],
    ["export type { A } from './a.js';", []],
    ["// import { a } from './a.js';", []],
  ])('%j names %j', (text, expected) => {
    expect(importedSpecifiers(text)).toEqual(expected);
  });
});
