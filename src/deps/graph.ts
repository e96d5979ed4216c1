// The dependency graph of one deps kind: each file's direct dependencies
// (tracked files, files outside the tree, names that resolve nowhere) and,
// from them, each file's transitive closure. Cycles are one strongly
// connected component sharing one closure. Pure: identities come from outside.
import { type PathRoots, portableNamer, resolvePortable } from '../portable-path.js';
import type { RelPath } from '../types.js';
import type { DirectDeps } from './direct-deps.js';
import { componentHash, componentNode } from './merkle.js';

/** Direct dependencies decoded on first use: a run whose kept digests all hold never decodes a kept graph. */
export class LazyDirect implements ReadonlyMap<RelPath, DirectDeps> {
  private map: Map<RelPath, DirectDeps> | null = null;
  constructor(private readonly decode: () => Map<RelPath, DirectDeps>) {}
  private get m(): Map<RelPath, DirectDeps> {
    return (this.map ??= this.decode());
  }
  get size(): number {
    return this.m.size;
  }
  get(k: RelPath): DirectDeps | undefined {
    return this.m.get(k);
  }
  has(k: RelPath): boolean {
    return this.m.has(k);
  }
  forEach(fn: (v: DirectDeps, k: RelPath, m: ReadonlyMap<RelPath, DirectDeps>) => void): void {
    this.m.forEach((v, k) => fn(v, k, this));
  }
  entries(): MapIterator<[RelPath, DirectDeps]> {
    return this.m.entries();
  }
  keys(): MapIterator<RelPath> {
    return this.m.keys();
  }
  values(): MapIterator<DirectDeps> {
    return this.m.values();
  }
  [Symbol.iterator](): MapIterator<[RelPath, DirectDeps]> {
    return this.m.entries();
  }
}

export interface Closure {
  files: ReadonlySet<RelPath>;
  external: ReadonlySet<string>;
  unresolved: ReadonlySet<string>;
}

const NONE: DirectDeps = { files: [], external: [], unresolved: [] };

export class DepGraph {
  private readonly hashes = new Map<RelPath, string>();
  private dependentsOf: Map<RelPath, RelPath[]> | null = null;
  /** Per dependency asked about by chain(): the next file on a shortest chain to it, from each file reaching it. */
  private readonly towards = new Map<string, Map<RelPath, RelPath | null>>();

  /**
   * `roots`: where the source tree and HOME are, so that files outside the tracked set are hashed by a
   * name another checkout gives them too (portable-path.ts); without them, by their absolute paths.
   */
  constructor(
    private readonly direct: ReadonlyMap<RelPath, DirectDeps>,
    private readonly roots: PathRoots | null = null,
  ) {
    this.nameOf = roots === null ? (dep) => dep : portableNamer(roots);
  }

  /** How the graph's hashes name a dependency (merkle.ts); a tracked file's path is already relative. */
  readonly nameOf: (dep: string) => string;

  /** Where a name from a hashed node points on this machine (nameOf's inverse), for explain. */
  resolveName(name: string): string {
    return this.roots === null ? name : resolvePortable(name, this.roots);
  }

  directDeps(path: RelPath): DirectDeps {
    return this.direct.get(path) ?? NONE;
  }

  /** Whether the graph reads this file's imports (a file of its language). */
  covers(path: RelPath): boolean {
    return this.direct.has(path);
  }

  /** Everything path depends on, transitively, found on demand (explain and `runner deps` ask for one file). */
  closure(path: RelPath): Closure {
    const files = new Set<RelPath>();
    const external = new Set<string>();
    const unresolved = new Set<string>();
    const queue: RelPath[] = [path];
    const visited = new Set<RelPath>([path]);
    for (let i = 0; i < queue.length; i++) {
      const d = this.directDeps(queue[i]!);
      for (const x of d.external) external.add(x);
      for (const x of d.unresolved) unresolved.add(x);
      for (const f of d.files) {
        files.add(f);
        if (!visited.has(f)) {
          visited.add(f);
          queue.push(f);
        }
      }
    }
    return { files, external, unresolved };
  }

  /**
   * A hash of everything path depends on, transitively, in O(files + imports)
   * for the whole graph: each strongly connected component hashes its members'
   * identities and direct leaves with the hashes of the components it imports
   * (a Merkle DAG), so any change below a file changes its hash, and a diamond
   * or a cycle costs nothing extra. identity: a tracked file's digest, or an
   * outside file's size and mtime.
   */
  deepHash(path: RelPath, identity: (dep: string, tracked: boolean) => string): string {
    let h = this.hashes.get(path);
    if (h === undefined) {
      this.hashFrom(path, identity);
      h = this.hashes.get(path)!;
    }
    return h;
  }

  /** Tarjan's strongly connected components, iteratively; each component is hashed once its successors are. */
  private hashFrom(start: RelPath, identity: (dep: string, tracked: boolean) => string): void {
    const index = new Map<RelPath, number>();
    const low = new Map<RelPath, number>();
    const onStack = new Set<RelPath>();
    const stack: RelPath[] = [];
    let next = 0;
    const enter = (node: RelPath): void => {
      index.set(node, next);
      low.set(node, next++);
      stack.push(node);
      onStack.add(node);
    };
    const work: { node: RelPath; edge: number }[] = [{ node: start, edge: 0 }];
    enter(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = this.directDeps(frame.node).files;
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (this.hashes.has(to)) continue; // a finished component
        if (!index.has(to)) {
          enter(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const members: RelPath[] = [];
      let m: RelPath;
      do {
        m = stack.pop()!;
        onStack.delete(m);
        members.push(m);
      } while (m !== frame.node);
      // The component's Merkle node (merkle.ts, which explain also walks): members, leaves, children's hashes.
      const h = componentHash(
        componentNode(
          members,
          (p) => this.directDeps(p),
          identity,
          (f) => this.hashes.get(f)!,
          this.nameOf,
        ),
      );
      for (const member of members) this.hashes.set(member, h);
    }
  }

  /**
   * The shortest import chain from one file to a dependency (tracked, external or unresolved), both ends
   * included; [] when it does not reach it. Every stale job of a run asks it for the dependency that changed:
   * one search backwards from that dependency answers them all (one search forwards per job was most of an
   * edit's scan on 10,000 files).
   */
  chain(from: RelPath, to: string): string[] {
    let next = this.towards.get(to);
    if (next === undefined) this.towards.set(to, (next = this.pathsTowards(to)));
    if (!next.has(from)) return [];
    const out: string[] = [];
    for (let at: RelPath | null = from; at !== null; at = next.get(at) ?? null) out.push(at);
    out.push(to);
    return out;
  }

  /** For every file that reaches `to`: the next file on a shortest chain to it (null: it imports `to` itself). */
  private pathsTowards(to: string): Map<RelPath, RelPath | null> {
    const next = new Map<RelPath, RelPath | null>();
    const queue: RelPath[] = [];
    for (const [p, d] of this.direct) {
      if (d.files.includes(to as RelPath) || d.external.includes(to) || d.unresolved.includes(to)) {
        next.set(p, null);
        queue.push(p);
      }
    }
    const dependentsOf = this.reverse();
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i]!;
      for (const d of dependentsOf.get(at) ?? []) {
        if (next.has(d)) continue;
        next.set(d, at);
        queue.push(d);
      }
    }
    return next;
  }

  /** Each file's direct importers (built once). */
  private reverse(): Map<RelPath, RelPath[]> {
    if (this.dependentsOf === null) {
      this.dependentsOf = new Map();
      for (const [from, d] of this.direct) {
        for (const to of d.files) {
          const list = this.dependentsOf.get(to);
          if (list === undefined) this.dependentsOf.set(to, [from]);
          else list.push(from);
        }
      }
    }
    return this.dependentsOf;
  }

  /** Files whose closure contains path. */
  dependents(path: RelPath): RelPath[] {
    const dependentsOf = this.reverse();
    const seen = new Set<RelPath>();
    const queue = [path];
    for (let i = 0; i < queue.length; i++) {
      for (const d of dependentsOf.get(queue[i]!) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        queue.push(d);
      }
    }
    seen.delete(path);
    return [...seen].sort();
  }
}
