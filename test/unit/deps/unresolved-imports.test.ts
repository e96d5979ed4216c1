// Which unresolved javascript specifiers warn, and how they are grouped
// (issue 11, "Never silent"): the pure part, on hand-made direct deps.
import { describe, expect, it } from 'vitest';
import {
  type DirectDeps,
  UNREADABLE_IMPORTS,
  groupUnresolved,
  reachedFrom,
  specifierMatcher,
  warnedKind,
} from '../../../src/deps/index.js';
import type { RelPath } from '../../../src/types.js';

const deps = (unresolved: string[], files: string[] = []): DirectDeps => ({
  files: files as RelPath[],
  external: [],
  unresolved,
});
const all = (): boolean => true;

describe('warnedKind', () => {
  it.each([
    ['left-pad', 'package'],
    ['lodash/map', 'package'],
    ['@ws/lib', 'package'],
    ['@types/node/fs', 'package'],
    ['@/components/x', 'alias'],
    ['~/utils', 'alias'],
    ['~utils', 'alias'],
    ['#imports', 'subpath'],
    ['#app/config', 'subpath'],
    ['virtual:pwa-register', 'scheme'],
    ['https://esm.sh/react', 'scheme'],
    ['bun:test', 'scheme'],
  ] as const)('%s warns as %s', (specifier, kind) => {
    expect(warnedKind(specifier)).toBe(kind);
  });

  it.each([
    ['a relative path (the tool reports the missing file)', './missing.js'],
    ['a parent path', '../lib/gone'],
    ['the directory itself', '.'],
    ['an absolute path', '/opt/lib/x.js'],
    ['a Node builtin', 'fs'],
    ['a builtin subpath', 'fs/promises'],
    ['a node: builtin', 'node:test'],
    ['a data: URL (its code is in the specifier)', 'data:text/javascript,export default 1'],
    ['the marker of a file whose imports could not be read', UNREADABLE_IMPORTS],
    ['an empty specifier', ''],
  ])('%s does not warn', (_what, specifier) => {
    expect(warnedKind(specifier)).toBeNull();
  });
});

describe('groupUnresolved', () => {
  it('gives one entry per specifier in code-unit order, with the first importer in path order and the count', () => {
    const direct: [RelPath, DirectDeps][] = [
      ['src/b.ts' as RelPath, deps(['left-pad', './gone.js', 'fs'])],
      ['src/a.ts' as RelPath, deps(['left-pad', '@ws/lib'])],
      ['src/c.ts' as RelPath, deps(['left-pad'])],
      ['src/d.ts' as RelPath, deps([])],
    ];
    expect(groupUnresolved(direct, all)).toEqual([
      { specifier: '@ws/lib', kind: 'package', first: 'src/a.ts', files: 1 },
      { specifier: 'left-pad', kind: 'package', first: 'src/a.ts', files: 3 },
    ]);
  });

  it('counts only the files some job reaches', () => {
    const direct: [RelPath, DirectDeps][] = [
      ['scripts/tool.ts' as RelPath, deps(['left-pad', 'commander'])],
      ['src/a.ts' as RelPath, deps(['left-pad'])],
    ];
    expect(groupUnresolved(direct, (p) => p.startsWith('src/'))).toEqual([
      { specifier: 'left-pad', kind: 'package', first: 'src/a.ts', files: 1 },
    ]);
  });

  it('gives nothing when every unresolved name is relative or a builtin', () => {
    expect(groupUnresolved([['a.ts' as RelPath, deps(['./x', 'node:fs', UNREADABLE_IMPORTS])]], all)).toEqual([]);
  });
});

describe('reachedFrom', () => {
  it('walks the direct file edges from the jobs, through cycles, once each', () => {
    const edges: Record<string, string[]> = {
      't.ts': ['a.ts'],
      'a.ts': ['b.ts'],
      'b.ts': ['a.ts'],
      'lone.ts': ['c.ts'],
    };
    const reached = reachedFrom(['t.ts' as RelPath], (p) => (edges[p] ?? []) as RelPath[]);
    expect([...reached].sort()).toEqual(['a.ts', 'b.ts', 't.ts']);
  });
});

describe('specifierMatcher', () => {
  it.each([
    [['virtual:*'], 'virtual:pwa-register', true],
    [['virtual:*'], 'virtual:', true],
    [['virtual:*'], 'my-virtual:x', false],
    [['#imports'], '#imports', true],
    [['#imports'], '#imports/x', false],
    // `*` crosses `/`: a scope's packages and their subpaths in one glob.
    [['@internal/*'], '@internal/a/b', true],
    [['@internal/*'], '@internals/a', false],
    // Everything but `*` is literal: `.` and `?` are not regex syntax.
    [['a.b'], 'axb', false],
    [['a?'], 'ab', false],
    [['a?'], 'a?', true],
    [[], 'anything', false],
    [['x', 'left-*'], 'left-pad', true],
  ])('%j on %s: %s', (globs, specifier, expected) => {
    expect(specifierMatcher(globs)(specifier)).toBe(expected);
  });
});
