import { describe, expect, it } from 'vitest';
import type { DirectDeps } from '../../../src/deps/direct-deps.js';
import { DepGraph } from '../../../src/deps/graph.js';
import { GraphNodes } from '../../../src/deps/graph-nodes.js';
import { type MerkleNode, decodeNode } from '../../../src/deps/merkle.js';
import { TreeDiffer, diffTrees } from '../../../src/deps/merkle-diff.js';
import { hashString } from '../../../src/hash.js';
import type { RelPath } from '../../../src/types.js';

const d = (files: string[], external: string[] = [], unresolved: string[] = []): DirectDeps => ({
  files: files as RelPath[],
  external,
  unresolved,
});
const P = (s: string) => s as RelPath;
const OS = '/usr/lib/python3/os.py';

type Edges = Record<string, DirectDeps>;
// test -> api -> util -> os; api -> models -> util (a diamond); api -> a <-> b (a cycle) -> leaf.
const base: Edges = {
  'test.py': d(['api.py']),
  'api.py': d(['util.py', 'models.py', 'a.py'], [], ['missing_mod']),
  'models.py': d(['util.py']),
  'util.py': d([], [OS]),
  'a.py': d(['b.py']),
  'b.py': d(['a.py', 'leaf.py']),
  'leaf.py': d([]),
};

/** A graph with identities, and its Merkle tree from test.py as the store would keep it. */
function tree(edges: Edges, ids: Record<string, string> = {}) {
  const graph = new DepGraph(new Map(Object.entries(edges).map(([k, v]) => [P(k), v])));
  const nodes = new GraphNodes(graph, (dep) => ids[dep] ?? 'v1');
  const stored = new Map<string, MerkleNode>();
  for (const row of nodes.unkept(P('test.py'), () => false)) stored.set(row[0], decodeNode(row));
  return { graph, nodes, root: nodes.hashAt(P('test.py')), stored };
}

/** Counts the nodes looked up on the old side: the diff must skip what both trees share. */
function counted(m: Map<string, MerkleNode>): { get: (h: string) => MerkleNode | undefined; calls: () => number } {
  const asked = new Set<string>();
  return { get: (h) => (asked.add(h), m.get(h)), calls: () => asked.size };
}

describe('Merkle nodes of the dependency graph', () => {
  it('hash as DepGraph.deepHash always has, so results recorded before stay fresh', () => {
    const t = tree({ 'x.py': d(['y.py'], [OS], ['gone']), 'y.py': d([]), 'test.py': d(['x.py']) });
    const y = hashString('f y.py v1');
    const x = hashString([`e ${OS} v1`, 'f x.py v1', `h ${y}`, 'u gone'].join('\n'));
    expect(t.graph.deepHash(P('x.py'), () => 'v1')).toBe(x);
    expect(t.nodes.hashAt(P('x.py'))).toBe(x);
  });

  it('store a cycle as one node', () => {
    const t = tree(base);
    const cycle = [...t.stored.values()].find((n) => n.files.some(([p]) => p === 'a.py'))!;
    expect(cycle.files.map(([p]) => p).sort()).toEqual(['a.py', 'b.py']);
    expect(t.stored.size).toBe(6); // test, api, models, util, {a, b}, leaf
  });

  it('an unchanged tree differs in nothing, without a lookup', () => {
    const before = tree(base);
    const now = tree(base);
    const old = counted(before.stored);
    expect(diffTrees(before.root, now.root, old.get, (h) => now.nodes.node(h))).toEqual([]);
    expect(old.calls()).toBe(0);
  });

  it('names a changed leaf, descending only along the changed path', () => {
    const before = tree(base);
    const now = tree(base, { 'leaf.py': 'v2' });
    const old = counted(before.stored);
    expect(diffTrees(before.root, now.root, old.get, (h) => now.nodes.node(h))).toEqual([
      { path: 'leaf.py', change: 'changed' },
    ]);
    // test, api, the cycle, leaf: not models or util, which did not change.
    expect(old.calls()).toBeLessThanOrEqual(4);
  });

  it('names a file edited in a diamond once', () => {
    const before = tree(base);
    const now = tree(base, { 'util.py': 'v2' });
    expect(
      diffTrees(
        before.root,
        now.root,
        (h) => before.stored.get(h),
        (h) => now.nodes.node(h),
      ),
    ).toEqual([{ path: 'util.py', change: 'changed' }]);
  });

  it('names a dependency removed or added only when it really was', () => {
    const before = tree(base);
    const now = tree({
      ...base,
      'api.py': d(['util.py', 'a.py', 'new.py'], [], ['missing_mod']),
      'new.py': d([], [OS]),
    });
    // api.py's own identity is the same here: only its imports moved.
    expect(
      diffTrees(
        before.root,
        now.root,
        (h) => before.stored.get(h),
        (h) => now.nodes.node(h),
      ),
    ).toEqual([
      { path: 'models.py', change: 'removed' },
      { path: 'new.py', change: 'added' },
    ]);
  });

  it('does not name a leaf that the unchanged part of the tree still holds', () => {
    // leaf.py now imports os, which util.py (unchanged, shared) already did: os is no new dependency.
    const before = tree(base);
    const now = tree({ ...base, 'leaf.py': d([], [OS]) });
    expect(
      diffTrees(
        before.root,
        now.root,
        (h) => before.stored.get(h),
        (h) => now.nodes.node(h),
      ),
    ).toEqual([]);
  });

  it('names an import that stopped resolving as an unresolved name', () => {
    const before = tree(base);
    const now = tree({ ...base, 'b.py': d(['a.py'], [], ['leaf']) });
    expect(
      diffTrees(
        before.root,
        now.root,
        (h) => before.stored.get(h),
        (h) => now.nodes.node(h),
      ),
    ).toEqual([
      { path: '?leaf', change: 'added' },
      { path: 'leaf.py', change: 'removed' },
    ]);
  });

  it('gives up (null) when the old tree was not kept', () => {
    const before = tree(base);
    const now = tree(base, { 'leaf.py': 'v2' });
    expect(
      diffTrees(
        before.root,
        now.root,
        () => undefined,
        (h) => now.nodes.node(h),
      ),
    ).toBeNull();
  });

  it('keeps only the nodes the store does not have', () => {
    const before = tree(base);
    const now = tree(base, { 'leaf.py': 'v2' });
    const rows = now.nodes.unkept(P('test.py'), (h) => before.stored.has(h));
    // leaf, the cycle above it, api, test: models and util are kept already.
    expect(rows.length).toBe(4);
  });

  it('shares the diff of a node pair between the jobs whose trees hold it', () => {
    const before = tree(base);
    const now = tree(base, { 'leaf.py': 'v2' });
    const old = counted(before.stored);
    const differ = new TreeDiffer(old.get, (h) => now.nodes.node(h));
    const api = (t: typeof before): string => t.nodes.hashAt(P('api.py'));
    expect(differ.diff(api(before), api(now))).toEqual([{ path: 'leaf.py', change: 'changed' }]);
    const asked = old.calls();
    expect(differ.diff(before.root, now.root)).toEqual([{ path: 'leaf.py', change: 'changed' }]);
    expect(old.calls()).toBe(asked + 1); // test.py's own node only
  });
});
