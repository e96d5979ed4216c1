// A test's snapshot file as one of its dependencies: vitest and jest compare
// `toMatchSnapshot()` against `__snapshots__/<test file>.snap` beside the
// test, and pytest's syrupy its `snapshot` fixture against
// `__snapshots__/<test module>.ambr`; no import names either. A snapshot
// changed by a teammate, a checkout or an update (`-u`, `--snapshot-update`)
// run elsewhere changes the test's result, so the job's dependencies include
// the file by content. Pure: identities come in.
import { hashString } from '../hash.js';
import { decodeDeps, digestEntries } from '../manifest/index.js';
import type { JobDeps } from '../plan/index.js';
import type { JobResult } from '../manifest/index.js';

/** The pair that keeps a graph kind's own digest among a result's stored dependencies, for explain. */
export const GRAPH_DIGEST_ENTRY = '<import graph>';

/** Where a test file's snapshots are kept by default: jest and vitest, or pytest's syrupy. */
export function snapshotPathOf(testPath: string, runner: 'jest' | 'syrupy' = 'jest'): string {
  const slash = testPath.lastIndexOf('/');
  const name = testPath.slice(slash + 1);
  const file = runner === 'jest' ? `${name}.snap` : `${name.replace(/\.py$/, '')}.ambr`;
  return `${testPath.slice(0, slash + 1)}__snapshots__/${file}`;
}

/**
 * `base` (the job's dependencies as its deps kind finds them; null for none)
 * with the snapshot at `snapshot`, whose identity is `id` ('missing' when
 * there is none). Without a snapshot the digest is base's own, so a test
 * that has none keeps its results. A graph kind's digest is a tree explain
 * walks: the result also stores that digest (GRAPH_DIGEST_ENTRY), so what
 * changed is told apart from the last result (`latest`).
 */
export function withSnapshot(
  base: JobDeps | null,
  snapshot: string,
  id: string,
  latest: () => JobResult | undefined,
): JobDeps {
  const has = id !== 'missing';
  if (base === null || base.changesFrom === undefined) {
    const entries: [string, string][] = [...(base?.entries ?? []).map(([p, i]): [string, string] => [p, i])];
    if (has) entries.push([snapshot, id]);
    return {
      digest: entries.length === 0 ? (base?.digest ?? '') : digestEntries(entries),
      entries,
      ...(base?.via !== undefined ? { via: base.via } : {}),
    };
  }
  const graph = base;
  return {
    digest: has ? hashString(`${graph.digest}\0${snapshot}\0${id}`) : graph.digest,
    entries: has
      ? [
          [GRAPH_DIGEST_ENTRY, graph.digest],
          [snapshot, id],
        ]
      : [],
    via: (dep) => graph.via?.(dep) ?? [],
    changesFrom: (before) => {
      const stored = latest()?.deps;
      const old = new Map(stored === undefined || stored === '' ? [] : decodeDeps(stored));
      // A result kept without a snapshot stored the graph's digest alone.
      const oldGraph = old.get(GRAPH_DIGEST_ENTRY) ?? before;
      const oldSnapshot = old.get(snapshot) ?? 'missing';
      const changes: NonNullable<ReturnType<NonNullable<JobDeps['changesFrom']>>> = [];
      if (oldGraph !== graph.digest) {
        const inGraph = graph.changesFrom!(oldGraph);
        if (inGraph === null) return null;
        changes.push(...inGraph);
      }
      if (oldSnapshot !== id)
        changes.push({ path: snapshot, change: oldSnapshot === 'missing' ? 'added' : has ? 'changed' : 'removed' });
      return changes;
    },
    ...(graph.nodesToKeep !== undefined ? { nodesToKeep: graph.nodesToKeep.bind(graph) } : {}),
  };
}
