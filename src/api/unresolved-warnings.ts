// Once per scan: the javascript imports that resolve nowhere in files some job
// depends on, less the config's ignoreUnresolved, for the reporter and the
// scan summary (issue 11, "Never silent"). Warns only: no fingerprint and no
// skipping decision reads what is computed here.
import { type DepGraph, type UnresolvedImport, groupUnresolved, reachedFrom, specifierMatcher } from '../deps/index.js';
import { digestBytes, hashString } from '../hash.js';
import type { Session } from '../session.js';
import type { RelPath } from '../types.js';
import type { EventSink } from './events.js';
import type { TreeView } from './tree-view.js';

/** The answer kept with the graph, and what it was computed from. */
interface KeptAnswer {
  key: string;
  found: UnresolvedImport[];
}

/**
 * The unresolved imports to warn about, already emitted to `events` when
 * there are any. `direct` is the kept graph's direct-dependency snapshot as it
 * stands after this scan (null: no graph kept): the grouping is a function of
 * it and the tools' filters, so a no-op reuses the answer stored under
 * `keptName` beside it and never decodes the kept graph.
 */
export function warnUnresolvedImports(opts: {
  s: Pick<Session, 'manifest' | 'loaded'>;
  tree: TreeView;
  graph: DepGraph;
  direct: Buffer | null;
  keptName: string | null;
  /** Whether a javascript tool takes the file (its job's dependencies come from this graph). */
  isJob: (p: RelPath) => boolean;
  events: EventSink;
}): UnresolvedImport[] {
  const { s, tree, graph } = opts;
  const filters = tree.tools
    .filter((t) => t.config.deps === 'javascript')
    .map((t) => [t.config.include, t.config.exclude]);
  const key = opts.direct === null ? null : hashString(`${digestBytes(opts.direct)}\0${JSON.stringify(filters)}`);
  let found: UnresolvedImport[] | null = null;
  const keptBlob = opts.keptName === null ? undefined : s.manifest.blob(opts.keptName);
  if (key !== null && keptBlob !== undefined) {
    try {
      const kept = JSON.parse(keptBlob.toString('utf8')) as KeptAnswer;
      if (kept.key === key) found = kept.found;
    } catch {
      found = null; // unreadable: compute it again
    }
  }
  if (found === null) {
    found = groupFromGraph(tree, graph, opts.isJob);
    if (key !== null && opts.keptName !== null) {
      const answer: KeptAnswer = { key, found };
      s.manifest.setBlob(opts.keptName, Buffer.from(JSON.stringify(answer), 'utf8'));
    }
  }
  const ignored = specifierMatcher(s.loaded.config.ignoreUnresolved);
  const warned = found.filter((f) => !ignored(f.specifier));
  if (warned.length > 0) opts.events.emit({ type: 'unresolved-imports', found: warned });
  return warned;
}

function groupFromGraph(tree: TreeView, graph: DepGraph, isJob: (p: RelPath) => boolean): UnresolvedImport[] {
  const covered = [...tree.files.keys()].filter((p) => graph.covers(p));
  const direct = covered.map((p) => [p, graph.directDeps(p)] as const);
  // Most trees have none: the walk over what jobs reach is spent only when some import warns.
  if (groupUnresolved(direct, () => true).length === 0) return [];
  const reached = reachedFrom(covered.filter(isJob), (p) => graph.directDeps(p).files);
  return groupUnresolved(direct, (p) => reached.has(p));
}
