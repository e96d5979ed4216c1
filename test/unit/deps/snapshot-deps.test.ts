import { describe, expect, it } from 'vitest';
import { GRAPH_DIGEST_ENTRY, snapshotPathOf, withSnapshot } from '../../../src/deps/snapshot-deps.js';
import { encodeDeps } from '../../../src/manifest/index.js';
import type { JobResult } from '../../../src/manifest/index.js';
import type { JobDeps } from '../../../src/plan/index.js';

const SNAP = 'test/__snapshots__/a.test.ts.snap';

/** A graph kind's dependencies whose digest is `digest`, and which reports `util.ts` changed from any other. */
function graphDeps(digest: string): JobDeps {
  return {
    digest,
    entries: [],
    changesFrom: (before) =>
      before === digest ? [] : before === 'lost' ? null : [{ path: 'util.ts', change: 'changed' }],
  };
}

const resultWith =
  (deps: string): (() => JobResult) =>
  () =>
    ({ deps }) as JobResult;

describe('snapshot dependencies', () => {
  it('sits in __snapshots__ beside the test: the whole file name .snap (jest, vitest), the module .ambr (syrupy)', () => {
    expect(snapshotPathOf('test/a.test.ts')).toBe(SNAP);
    expect(snapshotPathOf('a.spec.js')).toBe('__snapshots__/a.spec.js.snap');
    expect(snapshotPathOf('tests/test_x.py', 'syrupy')).toBe('tests/__snapshots__/test_x.ambr');
  });

  it('keeps a job without a snapshot as its deps kind finds it, and adds one by content', () => {
    expect(withSnapshot(null, SNAP, 'missing', () => undefined)).toMatchObject({ digest: '', entries: [] });
    const some = withSnapshot(null, SNAP, 'd1', () => undefined);
    expect(some.entries).toEqual([[SNAP, 'd1']]);
    expect(withSnapshot(null, SNAP, 'd2', () => undefined).digest).not.toBe(some.digest);
    const g = graphDeps('g1');
    expect(withSnapshot(g, SNAP, 'missing', () => undefined).digest).toBe('g1');
    expect(withSnapshot(g, SNAP, 'd1', () => undefined).digest).not.toBe('g1');
  });

  it("tells a graph's change apart from the snapshot's, against what the last result stored", () => {
    const stored = encodeDeps([
      [GRAPH_DIGEST_ENTRY, 'g1'],
      [SNAP, 'd1'],
    ]);
    const now = (graph: string, id: string, last: string): ReturnType<NonNullable<JobDeps['changesFrom']>> =>
      withSnapshot(graphDeps(graph), SNAP, id, resultWith(last)).changesFrom!('composite');
    expect(now('g1', 'd2', stored)).toEqual([{ path: SNAP, change: 'changed' }]);
    expect(now('g2', 'd1', stored)).toEqual([{ path: 'util.ts', change: 'changed' }]);
    expect(now('g1', 'missing', stored)).toEqual([{ path: SNAP, change: 'removed' }]);
    // A result stored without a snapshot kept the graph's own digest.
    expect(withSnapshot(graphDeps('g1'), SNAP, 'd1', resultWith('')).changesFrom!('g1')).toEqual([
      { path: SNAP, change: 'added' },
    ]);
    // The last run's graph not kept: unknown, as the graph says.
    expect(withSnapshot(graphDeps('g1'), SNAP, 'd1', resultWith('')).changesFrom!('lost')).toBeNull();
  });
});
