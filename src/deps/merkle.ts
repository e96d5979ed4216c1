// The dependency graph as a Merkle DAG: one node per strongly connected
// component (its files and their identities, its direct leaves, its
// children's hashes), hashed as DepGraph.deepHash hashes it. Nodes that kept
// results reach are stored by hash, so explain can walk the last run's tree
// and today's side by side, descending only where hashes differ.
import { hashString } from '../hash.js';
import type { RelPath } from '../types.js';
import type { DepGraph, DirectDeps } from './graph.js';

/**
 * An unresolved "name" for a file whose imports could not be read: it may
 * import anything, so the name's identity differs every run and whatever
 * depends on the file is never fresh.
 */
export const UNREADABLE_IMPORTS = '<imports could not be read>';

/** Lists keep the repeats the hash has always had (two members importing one leaf). */
export interface MerkleNode {
  /** The component's files and their identities. */
  files: [string, string][];
  /** Files outside the source tree and their identities. */
  external: [string, string][];
  /** Names that resolve nowhere; only UNREADABLE_IMPORTS has an identity (else ''). */
  unresolved: [string, string][];
  /** Hashes of the components the members import. */
  children: string[];
}

/** A stored node: hash, children's hashes ('\n'-joined, for the sweep), and the rest as JSON. */
export type MerkleRow = [hash: string, children: string, data: string];

type Identity = (dep: string, tracked: boolean) => string;

/** The node of one component, given its members and the hash of every component they import. */
export function componentNode(
  members: readonly RelPath[], directDeps: (p: RelPath) => DirectDeps, identity: Identity, hashOf: (p: RelPath) => string,
): MerkleNode {
  const inComponent = new Set(members);
  const node: MerkleNode = { files: [], external: [], unresolved: [], children: [] };
  for (const member of members) {
    const d = directDeps(member);
    node.files.push([member, identity(member, true)]);
    for (const x of d.external) node.external.push([x, identity(x, false)]);
    for (const x of d.unresolved) node.unresolved.push([x, x === UNREADABLE_IMPORTS ? identity(x, false) : '']);
    for (const f of d.files) if (!inComponent.has(f)) node.children.push(hashOf(f));
  }
  return node;
}

export function componentHash(node: MerkleNode): string {
  const parts: string[] = [];
  for (const [p, id] of node.files) parts.push(`f ${p} ${id}`);
  for (const [x, id] of node.external) parts.push(`e ${x} ${id}`);
  for (const [x, id] of node.unresolved) parts.push(id === '' ? `u ${x}` : `u ${x} ${id}`);
  for (const h of node.children) parts.push(`h ${h}`);
  parts.sort();
  return hashString(parts.join('\n'));
}

export function encodeNode(hash: string, node: MerkleNode): MerkleRow {
  return [hash, [...new Set(node.children)].join('\n'), JSON.stringify({ f: node.files, e: node.external, u: node.unresolved })];
}

export function decodeNode(row: MerkleRow): MerkleNode {
  const d = JSON.parse(row[2]) as { f: [string, string][]; e: [string, string][]; u: [string, string][] };
  return { files: d.f, external: d.e, unresolved: d.u, children: row[1] === '' ? [] : row[1].split('\n') };
}

/** Today's graph as Merkle nodes by hash, built on demand from a DepGraph and the identities it hashed with. */
export class GraphNodes {
  private readonly pathOf = new Map<string, RelPath>();
  private readonly nodes = new Map<string, MerkleNode>();

  constructor(private readonly graph: DepGraph, private readonly identity: Identity) {}

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
    node = componentNode(members, (p) => this.graph.directDeps(p), this.identity, (p) => this.hashAt(p));
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

export interface DepChange {
  /** A file's path, or "?name" for an import that resolves nowhere. */
  path: string;
  change: 'changed' | 'added' | 'removed';
}

type Lookup = (hash: string) => MerkleNode | undefined;
/** A node's leaves as kind-tagged keys; nodes are shared by many jobs' trees, so each is listed once. */
const keyLists = new WeakMap<MerkleNode, [string, string][]>();
function keysOf(node: MerkleNode): [string, string][] {
  let keys = keyLists.get(node);
  if (keys === undefined) {
    keys = [
      ...node.files.map(([p, id]): [string, string] => [`f\0${p}`, id]),
      ...node.external.map(([p, id]): [string, string] => [`e\0${p}`, id]),
      ...node.unresolved.map(([p, id]): [string, string] => [`u\0${p}`, id]),
    ];
    keyLists.set(node, keys);
  }
  return keys;
}

/**
 * What differs between two dependency trees, by content: walks both from
 * their roots, skipping every subtree whose hash the other side holds too,
 * so the cost follows what changed. null when a node of the old tree is not
 * stored (recorded before runner kept them).
 */
export function diffTrees(before: string, now: string, old: Lookup, cur: Lookup): DepChange[] | null {
  if (before === now) return [];
  const sides = [{ get: cur, seen: new Set([now]), queue: [now], at: 0, expanded: new Map<string, MerkleNode>() },
    { get: old, seen: new Set([before]), queue: [before], at: 0, expanded: new Map<string, MerkleNode>() }];
  const pending = (): boolean => sides.some((side) => side.at < side.queue.length);
  // Breadth first on both sides in turn, so a subtree shared at different depths is found early.
  for (let turn = 0; pending(); turn++) {
    const side = sides[turn % 2]!;
    const other = sides[(turn + 1) % 2]!;
    if (side.at >= side.queue.length) continue;
    const h = side.queue[side.at++]!;
    if (other.seen.has(h)) continue;
    const node = side.get(h);
    if (node === undefined) return null;
    side.expanded.set(h, node);
    for (const c of node.children) {
      if (side.seen.has(c)) continue;
      side.seen.add(c);
      if (!other.seen.has(c)) side.queue.push(c);
    }
  }
  // A subtree under a hash both sides reached is in both trees: whatever either side expanded of it cancels out.
  const shared = new Set([...sides[0]!.seen].filter((h) => sides[1]!.seen.has(h)));
  const queue = [...shared];
  for (let i = 0; i < queue.length; i++) {
    for (const side of sides) {
      for (const c of side.expanded.get(queue[i]!)?.children ?? []) {
        if (!shared.has(c)) {
          shared.add(c);
          queue.push(c);
        }
      }
    }
  }
  const [nowKeys, oldKeys] = sides.map((side) => {
    const keys = new Map<string, string>();
    for (const [h, node] of side.expanded) if (!shared.has(h)) for (const [k, id] of keysOf(node)) keys.set(k, id);
    return keys;
  }) as [Map<string, string>, Map<string, string>];
  const changes: DepChange[] = [];
  const report = (key: string, change: DepChange['change']): void => {
    const name = key.slice(2);
    // An unresolved name reads "?name" in reasons (report/reasons.ts); unreadable imports keep their own name.
    changes.push({ path: key.startsWith('u\0') && name !== UNREADABLE_IMPORTS ? `?${name}` : name, change });
  };
  // A file is in one component of a tree, so a file on one side only is added or removed. A leaf can sit in
  // several components, one of them shared: look for it in the whole other tree before naming it.
  const whole = [new WholeTree(now, cur), new WholeTree(before, old)] as const;
  for (const [k, id] of nowKeys) {
    const was = oldKeys.get(k) ?? (k.startsWith('f\0') ? undefined : whole[1].identityOf(k));
    if (was === null) return null;
    if (was === undefined) report(k, 'added');
    else if (was !== id) report(k, 'changed');
  }
  for (const k of oldKeys.keys()) {
    if (nowKeys.has(k)) continue;
    const is = k.startsWith('f\0') ? undefined : whole[0].identityOf(k);
    if (is === null) return null;
    if (is === undefined) report(k, 'removed');
    // present elsewhere in today's tree: compared above if it differs there, or unchanged
    else if (is !== oldKeys.get(k)) report(k, 'changed');
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every leaf of a tree, read in full only when a leaf on one side of a diff must be looked for on the other. */
class WholeTree {
  private keys: Map<string, string> | null | undefined;

  constructor(private readonly root: string, private readonly get: Lookup) {}

  /** The identity of key in the tree; undefined: absent; null: a node is not stored. */
  identityOf(key: string): string | undefined | null {
    if (this.keys === undefined) this.keys = this.read();
    return this.keys === null ? null : this.keys.get(key);
  }

  private read(): Map<string, string> | null {
    const keys = new Map<string, string>();
    const queue = [this.root];
    const seen = new Set(queue);
    for (let i = 0; i < queue.length; i++) {
      const node = this.get(queue[i]!);
      if (node === undefined) return null;
      for (const [k, id] of keysOf(node)) keys.set(k, id);
      for (const c of node.children) {
        if (!seen.has(c)) {
          seen.add(c);
          queue.push(c);
        }
      }
    }
    return keys;
  }
}
