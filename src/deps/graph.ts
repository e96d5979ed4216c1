// The dependency graph of one deps kind: each file's direct dependencies
// (tracked files, files outside the tree, names that resolve nowhere) and,
// from them, each file's transitive closure. Cycles are one strongly
// connected component sharing one closure. Pure: identities come from outside.
import type { RelPath } from '../types.js';

export interface DirectDeps {
  /** Tracked files in the source tree. */
  files: readonly RelPath[];
  /** Absolute paths outside the source tree (the standard library, site-packages). */
  external: readonly string[];
  /** Names that resolve nowhere yet: creating one later must re-run the importer. */
  unresolved: readonly string[];
}

export interface Closure {
  files: ReadonlySet<RelPath>;
  external: ReadonlySet<string>;
  unresolved: ReadonlySet<string>;
}

const NONE: DirectDeps = { files: [], external: [], unresolved: [] };

export class DepGraph {
  private readonly closures = new Map<RelPath, Closure>();
  private dependentsOf: Map<RelPath, RelPath[]> | null = null;

  constructor(private readonly direct: ReadonlyMap<RelPath, DirectDeps>) {}

  directDeps(path: RelPath): DirectDeps {
    return this.direct.get(path) ?? NONE;
  }

  /** Everything path depends on, transitively (without path itself, unless a cycle leads back to it). */
  closure(path: RelPath): Closure {
    let c = this.closures.get(path);
    if (c === undefined) {
      this.computeFrom(path);
      c = this.closures.get(path)!;
    }
    return c;
  }

  /** Tarjan's strongly connected components, iteratively; each component's closure is built once. */
  private computeFrom(start: RelPath): void {
    const index = new Map<RelPath, number>();
    const low = new Map<RelPath, number>();
    const onStack = new Set<RelPath>();
    const stack: RelPath[] = [];
    let next = 0;
    const work: { node: RelPath; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = this.directDeps(frame.node).files;
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (this.closures.has(to)) continue; // a finished component
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
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
      // frame.node roots a component: pop it, and give all its members one closure.
      const members: RelPath[] = [];
      let m: RelPath;
      do {
        m = stack.pop()!;
        onStack.delete(m);
        members.push(m);
      } while (m !== frame.node);
      const files = new Set<RelPath>();
      const external = new Set<string>();
      const unresolved = new Set<string>();
      const inComponent = new Set(members);
      for (const member of members) {
        const d = this.directDeps(member);
        for (const f of d.files) {
          files.add(f);
          if (!inComponent.has(f)) {
            const sub = this.closures.get(f)!;
            for (const x of sub.files) files.add(x);
            for (const x of sub.external) external.add(x);
            for (const x of sub.unresolved) unresolved.add(x);
          }
        }
        for (const x of d.external) external.add(x);
        for (const x of d.unresolved) unresolved.add(x);
      }
      const closure: Closure = { files, external, unresolved };
      for (const member of members) this.closures.set(member, closure);
    }
  }

  /** The shortest import chain from one file to a dependency (tracked, external or unresolved), both ends included. */
  chain(from: RelPath, to: string): string[] {
    const parent = new Map<RelPath, RelPath | null>([[from, null]]);
    const queue: RelPath[] = [from];
    const walkBack = (last: RelPath): string[] => {
      const out: string[] = [];
      for (let at: RelPath | null = last; at !== null; at = parent.get(at) ?? null) out.unshift(at);
      return out;
    };
    for (let i = 0; i < queue.length; i++) {
      const at = queue[i]!;
      const d = this.directDeps(at);
      if (d.external.includes(to) || d.unresolved.includes(to)) return [...walkBack(at), to];
      for (const f of d.files) {
        if (parent.has(f)) continue;
        parent.set(f, at);
        if (f === to) return walkBack(f);
        queue.push(f);
      }
    }
    return [];
  }

  /** Files whose closure contains path. */
  dependents(path: RelPath): RelPath[] {
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
    const seen = new Set<RelPath>();
    const queue = [path];
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.dependentsOf.get(queue[i]!) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        queue.push(d);
      }
    }
    seen.delete(path);
    return [...seen].sort();
  }
}
