import { describe, expect, it } from 'vitest';
import type { DirectDeps } from '../../../src/deps/direct-deps.js';
import { DepGraph } from '../../../src/deps/graph.js';
import type { RelPath } from '../../../src/types.js';

const d = (files: string[], external: string[] = [], unresolved: string[] = []): DirectDeps => ({
  files: files as RelPath[],
  external,
  unresolved,
});
const P = (s: string) => s as RelPath;
const sorted = (s: ReadonlySet<string>) => [...s].sort();

describe('DepGraph', () => {
  // test_api -> api -> util -> (os external), api -> models -> util (a diamond); a <-> b a cycle.
  const g = new DepGraph(
    new Map([
      [P('test_api.py'), d(['api.py'])],
      [P('api.py'), d(['util.py', 'models.py'], [], ['missing_mod'])],
      [P('models.py'), d(['util.py'])],
      [P('util.py'), d([], ['/usr/lib/python3/os.py'])],
      [P('a.py'), d(['b.py'])],
      [P('b.py'), d(['a.py', 'util.py'])],
    ]),
  );

  it('closes over every transitive dependency, through a diamond', () => {
    const c = g.closure(P('test_api.py'));
    expect(sorted(c.files)).toEqual(['api.py', 'models.py', 'util.py']);
    expect(sorted(c.external)).toEqual(['/usr/lib/python3/os.py']);
    expect(sorted(c.unresolved)).toEqual(['missing_mod']);
  });

  it('gives every member of a cycle the whole cycle and what it reaches', () => {
    expect(sorted(g.closure(P('a.py')).files)).toEqual(['a.py', 'b.py', 'util.py']);
    expect(sorted(g.closure(P('b.py')).files)).toEqual(sorted(g.closure(P('a.py')).files));
    expect(sorted(g.closure(P('a.py')).external)).toEqual(['/usr/lib/python3/os.py']);
  });

  it('a leaf or unknown file depends on nothing', () => {
    expect(g.closure(P('util.py')).files.size).toBe(0);
    expect(g.closure(P('nowhere.py')).files.size).toBe(0);
  });

  it('finds the shortest import chain to a tracked, an external and an unresolved dependency', () => {
    expect(g.chain(P('test_api.py'), 'util.py')).toEqual(['test_api.py', 'api.py', 'util.py']);
    expect(g.chain(P('test_api.py'), '/usr/lib/python3/os.py')).toEqual([
      'test_api.py',
      'api.py',
      'util.py',
      '/usr/lib/python3/os.py',
    ]);
    expect(g.chain(P('test_api.py'), 'missing_mod')).toEqual(['test_api.py', 'api.py', 'missing_mod']);
    expect(g.chain(P('util.py'), 'api.py')).toEqual([]);
  });

  it('gives each file its own shortest chain to one dependency, through a cycle too, and the same when asked again', () => {
    // One dependency asked about from every file, as a run's stale jobs ask for the one that changed.
    const os = '/usr/lib/python3/os.py';
    const chains = ['test_api.py', 'api.py', 'models.py', 'util.py', 'a.py', 'b.py'].map((f) => g.chain(P(f), os));
    expect(chains).toEqual([
      ['test_api.py', 'api.py', 'util.py', os],
      ['api.py', 'util.py', os],
      ['models.py', 'util.py', os],
      ['util.py', os],
      ['a.py', 'b.py', 'util.py', os],
      ['b.py', 'util.py', os],
    ]);
    expect(g.chain(P('a.py'), os)).toEqual(chains[4]);
    expect(g.chain(P('a.py'), 'b.py')).toEqual(['a.py', 'b.py']);
    expect(g.chain(P('b.py'), 'a.py')).toEqual(['b.py', 'a.py']);
    expect(g.chain(P('nowhere.py'), os)).toEqual([]);
    expect(g.chain(P('test_api.py'), 'not-a-dependency')).toEqual([]);
  });

  it('lists every file that depends on a file, transitively', () => {
    expect(g.dependents(P('util.py'))).toEqual(['a.py', 'api.py', 'b.py', 'models.py', 'test_api.py']);
    expect(g.dependents(P('test_api.py'))).toEqual([]);
  });
});

describe('DepGraph.deepHash', () => {
  const ids = new Map<string, string>([
    ['a.py', 'A'],
    ['b.py', 'B'],
    ['c.py', 'C'],
    ['d.py', 'D'],
    ['/lib/os.py', '10:1'],
  ]);
  const identity = (dep: string) => ids.get(dep) ?? 'missing';
  // d -> c -> (a <-> b) -> /lib/os.py, and an unresolved import in c.
  const graph = () =>
    new DepGraph(
      new Map([
        [P('d.py'), d(['c.py'])],
        [P('c.py'), d(['a.py'], [], ['gone'])],
        [P('a.py'), d(['b.py'])],
        [P('b.py'), d(['a.py'], ['/lib/os.py'])],
      ]),
    );

  it('changes when anything below a file changes, through a cycle, and for no change elsewhere', () => {
    const before = graph().deepHash(P('d.py'), identity);
    expect(graph().deepHash(P('d.py'), identity)).toBe(before);
    for (const [dep, id] of [
      ['b.py', 'B2'],
      ['/lib/os.py', '11:1'],
    ] as const) {
      const was = ids.get(dep)!;
      ids.set(dep, id);
      expect(graph().deepHash(P('d.py'), identity), dep).not.toBe(before);
      ids.set(dep, was);
    }
    ids.set('d.py', 'D2'); // d itself is no dependency of c
    expect(graph().deepHash(P('c.py'), identity)).toBe(
      graph().deepHash(P('c.py'), (x) => (x === 'd.py' ? 'D' : identity(x))),
    );
    ids.set('d.py', 'D');
  });

  it('gives the members of a cycle one hash', () => {
    const g = graph();
    expect(g.deepHash(P('a.py'), identity)).toBe(g.deepHash(P('b.py'), identity));
  });
});
