// Today's dependency graph seen as the Merkle nodes explain walks: built on
// demand from a DepGraph and the identities it hashed with, and the nodes a
// kept result must store. Reads no file; the node format is merkle.ts's.
import type { RelPath } from '../types.js';
import type { DepGraph } from './graph.js';
import { type Identity, type MerkleNode, type MerkleRow, componentNode, encodeNode } from './merkle.js';

/** Today's graph as Merkle nodes by hash, built on demand from a DepGraph and the identities it hashed with. */
export class GraphNodes {
  private readonly pathOf = new Map<string, RelPath>();
  private readonly nodes = new Map<string, MerkleNode>();

  constructor(
    private readonly graph: DepGraph,
    private readonly identity: Identity,
  ) {}

  /** The hash of the component path belongs to. */
  hashAt(path: RelPath): string {
    const h = this.graph.deepHash(path, this.identity);
    if (!this.pathOf.has(h)) this.pathOf.set(h, path);
    return h;
  }

  node(hash: string): MerkleNode | undefined {
    let node = this.nodes.get(hash);
    if (node !== undefined) return node;
    const at = this.pathOf.get(hash);
    if (at === undefined) return undefined;
    // A component's members are the files reachable from one of them through files of the same hash.
    const members: RelPath[] = [at];
    const seen = new Set(members);
    for (let i = 0; i < members.length; i++) {
      for (const f of this.graph.directDeps(members[i]!).files) {
        if (!seen.has(f) && this.hashAt(f) === hash) {
          seen.add(f);
          members.push(f);
        }
      }
    }
    node = componentNode(
      members,
      (p) => this.graph.directDeps(p),
      this.identity,
      (p) => this.hashAt(p),
      this.graph.nameOf,
    );
    this.nodes.set(hash, node);
    return node;
  }

  /** The nodes below root (itself included) that isKept does not know, to store with a result. */
  unkept(root: RelPath, isKept: (hash: string) => boolean): MerkleRow[] {
    const out: MerkleRow[] = [];
    const queue = [this.hashAt(root)];
    const seen = new Set(queue);
    for (let i = 0; i < queue.length; i++) {
      const h = queue[i]!;
      if (isKept(h)) continue; // stored with its whole subtree
      const node = this.node(h)!;
      out.push(encodeNode(h, node));
      for (const c of node.children) {
        if (!seen.has(c)) {
          seen.add(c);
          queue.push(c);
        }
      }
    }
    return out;
  }
}
