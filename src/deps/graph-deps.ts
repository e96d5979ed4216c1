// A job's dependencies from an import graph, for every graph kind (python,
// javascript): how a graph identifies what a job depends on, its deep hash,
// and, for explain, what changed since a result. Builds no graph itself.
import fs from 'node:fs';
import { hashString } from '../hash.js';
import { ProgramIds } from '../config/program-ids.js';
import type { FileEntry } from '../manifest/index.js';
import type { DependencyChange, JobDeps } from '../plan/index.js';
import type { RelPath } from '../types.js';
import { UNREADABLE_IMPORTS } from './direct-deps.js';
import type { DepGraph } from './graph.js';
import { GraphNodes } from './graph-nodes.js';
import type { MerkleNode } from './merkle.js';
import { TreeDiffer } from './merkle-diff.js';

/** Differs every run: the identity of imports that could not be read. */
export const THIS_RUN = `run ${process.pid} ${Date.now()}`;

/** How graph kinds identify a dependency: nodes (files whose imports are followed) and leaves. */
export type Identity = (dep: string, isNode: boolean) => string;

/**
 * How the javascript graph identifies a dependency: tracked files by digest,
 * followed files (nodes by absolute path, javascript-follow.ts) by content
 * digest, other outside files by `externalId` (externalIdentity: by content too).
 */
export function javascriptIdentity(
  files: ReadonlyMap<RelPath, FileEntry>,
  externalId: (abs: string) => string,
  followedDigest: (abs: string) => string | undefined,
): Identity {
  return (dep, isNode) => {
    if (isNode)
      return dep.startsWith('/') ? (followedDigest(dep) ?? THIS_RUN) : (files.get(dep as RelPath)?.digest ?? 'missing');
    return dep === UNREADABLE_IMPORTS ? THIS_RUN : externalId(dep);
  };
}

/**
 * A job's dependencies from a graph, as the graph's deep hash (by default
 * tracked files by digest, others by `externalId`, unresolved names), and,
 * for explain, what differs by content from the tree a result recorded:
 * `kept` looks up the graph nodes stored with results (merkle.ts). A kind
 * that identifies its dependencies itself (python) passes its `identity`, and
 * the `digest` it computed already with it.
 */
export function jobDepsFrom(
  graph: DepGraph,
  path: RelPath,
  files: ReadonlyMap<RelPath, FileEntry>,
  externalId: (abs: string) => string,
  kept: (hash: string) => MerkleNode | undefined = () => undefined,
  known: { identity?: Identity; digest?: string } = {},
): JobDeps {
  let shared = graphNodes.get(graph);
  if (shared === undefined) {
    const identity: Identity =
      known.identity ??
      ((dep, tracked) =>
        tracked
          ? (files.get(dep as RelPath)?.digest ?? 'missing')
          : dep === UNREADABLE_IMPORTS
            ? THIS_RUN
            : externalId(dep));
    graphNodes.set(graph, (shared = { identity, kept, nodes: null, differ: null }));
  }
  return new GraphJobDeps(graph, path, shared, known.digest ?? graph.deepHash(path, shared.identity));
}

/** Per graph (one per plan): how it identifies dependencies, and, once a job needs them, today's nodes and the differ. */
interface SharedNodes {
  identity: Identity;
  kept: (hash: string) => MerkleNode | undefined;
  nodes: GraphNodes | null;
  differ: TreeDiffer | null;
}

const graphNodes = new WeakMap<DepGraph, SharedNodes>();
const NO_ENTRIES: readonly (readonly [string, string])[] = [];

/** One object per job, no closures: a no-op plans every job and asks none of them why. */
class GraphJobDeps implements JobDeps {
  readonly entries = NO_ENTRIES;

  constructor(
    private readonly graph: DepGraph,
    private readonly path: RelPath,
    private readonly shared: SharedNodes,
    readonly digest: string,
  ) {}

  via(dep: string): string[] {
    return this.graph.chain(this.path, dep);
  }

  changesFrom(before: string): ReturnType<NonNullable<JobDeps['changesFrom']>> {
    const { nodes, differ } = this.built();
    const changes = differ.diff(before, nodes.hashAt(this.path));
    if (changes === null) return null;
    // Nodes name files outside the tracked set portably (`~/x`); explain names them where they are here.
    const resolved = changes
      .map((c) =>
        c.path.startsWith('?') ? { ...c, name: c.path } : { ...c, name: c.path, path: this.graph.resolveName(c.path) },
      )
      .filter((c) => c.path !== this.path); // the file itself: a content reason
    return pairRenames(resolved);
  }

  nodesToKeep(isKept: (hash: string) => boolean): ReturnType<NonNullable<JobDeps['nodesToKeep']>> {
    return this.built().nodes.unkept(this.path, isKept);
  }

  /** Built only when a job runs or is explained, and shared by the graph's jobs: identities are the plan's. */
  private built(): { nodes: GraphNodes; differ: TreeDiffer } {
    const sh = this.shared;
    if (sh.nodes === null || sh.differ === null) {
      const nodes = new GraphNodes(this.graph, sh.identity);
      sh.nodes = nodes;
      sh.differ = new TreeDiffer(sh.kept, (h) => nodes.node(h));
    }
    return { nodes: sh.nodes, differ: sh.differ };
  }
}

/**
 * The identity of a file runner does not track (outside the tree, or untracked in it): its content
 * digest, read only when its stat changed (`ids`, the session's cache of program files, keeps it), so
 * upgrading a package re-runs its users and another machine's copy of the same bytes gives the same key
 * (issue 16: no mtime in a key). A file that cannot be read is known by its size and mtime.
 */
export function externalIdentity(ids: ProgramIds = new ProgramIds()): (abs: string) => string {
  const seen = new Map<string, string>();
  return (abs) => {
    let id = seen.get(abs);
    if (id === undefined) {
      id = contentIdentity(abs, ids);
      seen.set(abs, id);
    }
    return id;
  };
}

/** A file's content digest through the stat cache; 'missing', or its stat when it cannot be read. */
export function contentIdentity(abs: string, ids: ProgramIds): string {
  const facts = ids.factsOf(abs);
  if (facts !== null) return facts.digest;
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  return st === undefined ? 'missing' : `unreadable ${st.size}:${st.mtimeMs}`;
}

/**
 * A file named one way by the last run and another today is one change, not
 * "no longer one" and "is new" (issue 16: pypa/pip under pyenv in /root, a
 * second checkout run with another HOME): `/root/x` then and `~/x` now under
 * HOME=/root, or `~/x` then and `/home/a/x` now, whose `~` was another HOME
 * (today's would name a file that never was). The key differs by the name alone.
 */
function pairRenames(
  changes: { path: string; name: string; change: 'changed' | 'added' | 'removed' }[],
): { path: string; change: DependencyChange; from?: string; to?: string }[] {
  const removedAt = new Map<string, string>(); // where the last run's name points today -> that name
  const removedBelowHome = new Map<string, string>(); // x of a last run's `~/x` -> `~/x`
  for (const c of changes) {
    if (c.change !== 'removed') continue;
    removedAt.set(c.path, c.name);
    if (c.name.startsWith('~/')) removedBelowHome.set(c.name.slice(2), c.name);
  }
  const renamedFrom = new Map<string, string>(); // today's path -> the last run's name
  const paired = new Set<string>(); // the last run's names now said renamed
  for (const c of changes) {
    if (c.change !== 'added') continue;
    let was = removedAt.get(c.path);
    if (was === c.name) was = undefined;
    // `~/x` then: any HOME that holds x now (the longest x first: the nearest match is the likeliest).
    for (let i = c.path.indexOf('/'); was === undefined && i >= 0; i = c.path.indexOf('/', i + 1))
      was = removedBelowHome.get(c.path.slice(i + 1));
    if (was === undefined || paired.has(was)) continue;
    renamedFrom.set(c.path, was);
    paired.add(was);
  }
  const out: { path: string; change: DependencyChange; from?: string; to?: string }[] = [];
  for (const c of changes) {
    const from = renamedFrom.get(c.path);
    if (c.change === 'added' && from !== undefined) out.push({ path: c.path, change: 'renamed', from, to: c.name });
    else if (!(c.change === 'removed' && paired.has(c.name))) out.push({ path: c.path, change: c.change });
  }
  return out;
}

/**
 * A job's dependencies made stale every run, for a job whose search path
 * runner cannot know (a pytest option it does not interpret): `why` is the
 * dependency explain names as changed. The graph's chains stay available.
 */
export function everyRunDeps(base: JobDeps, why: string): JobDeps {
  return {
    digest: hashString(`${base.digest}\0${THIS_RUN}`),
    entries: base.entries,
    via: (dep) => base.via?.(dep) ?? [],
    changesFrom: () => [{ path: why, change: 'changed' }],
  };
}
