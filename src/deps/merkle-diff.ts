// Diffs two dependency trees (Merkle DAGs, merkle.ts) by content: what
// explain names. Walks both sides from their roots and skips every subtree
// whose hash the other side holds too; pairs of nodes that stand for the same
// component are diffed once per plan, however many jobs' trees share them.
import { isEveryRunMarker } from './direct-deps.js';
import type { MerkleNode } from './merkle.js';

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

/** A leaf's identity in the old tree and in today's (undefined: not in that side's part of the diff). */
type Pair = [was: string | undefined, is: string | undefined];

function merge(into: Map<string, Pair>, from: ReadonlyMap<string, Pair>): void {
  for (const [k, [w, i]] of from) {
    const known = into.get(k);
    into.set(k, known === undefined ? [w, i] : [known[0] ?? w, known[1] ?? i]);
  }
}

/** The component a node stands for, across versions: its first file. */
function memberKey(node: MerkleNode): string {
  let min = node.files[0]![0];
  for (const [p] of node.files) if (p < min) min = p;
  return min;
}

/**
 * Diffs dependency trees by content, for the jobs of one plan: old trees
 * from the store, today's from the graph. Node pairs that stand for the same
 * component (same first file) are diffed once and the answer shared by every
 * job whose tree holds them, so a change under a hub costs the hub's
 * ancestors once, not once per job. When the components' shape changed (a
 * new cycle, an import moved), the two trees are walked side by side instead.
 */
export class TreeDiffer {
  private readonly pairs = new Map<string, Map<string, Pair> | null>();

  constructor(
    private readonly old: Lookup,
    private readonly cur: Lookup,
  ) {}

  /** What differs; null when a node of the old tree is not stored (recorded before runner kept them). */
  diff(before: string, now: string): DepChange[] | null {
    if (before === now) return [];
    const keys = this.pairDiff(before, now) ?? walkDiff(before, now, this.old, this.cur);
    return keys === null ? null : resolve(keys, before, now, this.old, this.cur);
  }

  /** The leaves that differ below a pair of nodes; null when the pair cannot be diffed pairwise. */
  private pairDiff(o: string, n: string): Map<string, Pair> | null {
    const memo = o + n;
    let out = this.pairs.get(memo);
    if (out === undefined) {
      const on = this.old(o);
      const nn = this.cur(n);
      out = on === undefined || nn === undefined ? null : this.pairOf(on, nn);
      this.pairs.set(memo, out);
    }
    return out;
  }

  private pairOf(on: MerkleNode, nn: MerkleNode): Map<string, Pair> | null {
    const out = new Map<string, Pair>();
    const was = new Map(keysOf(on));
    const is = new Map(keysOf(nn));
    for (const [k, id] of is) if (was.get(k) !== id) out.set(k, [was.get(k), id]);
    for (const [k, id] of was) if (!is.has(k)) out.set(k, [id, undefined]);
    const oldKids = new Set(on.children);
    const newKids = new Set(nn.children);
    const partner = new Map<string, string>();
    for (const c of oldKids) {
      if (newKids.has(c)) continue; // the same subtree on both sides
      const node = this.old(c);
      if (node === undefined) return null;
      partner.set(memberKey(node), c);
    }
    for (const c of newKids) {
      if (oldKids.has(c)) continue;
      const node = this.cur(c);
      const key = node === undefined ? undefined : memberKey(node);
      const oc = key === undefined ? undefined : partner.get(key);
      if (oc === undefined) return null; // a component without a partner: the shape changed
      partner.delete(key!);
      const sub = this.pairDiff(oc, c);
      if (sub === null) return null;
      merge(out, sub);
    }
    return partner.size === 0 ? out : null;
  }
}

/** One diff, without sharing pairs with other jobs (tests, a single explain). */
export function diffTrees(before: string, now: string, old: Lookup, cur: Lookup): DepChange[] | null {
  return new TreeDiffer(old, cur).diff(before, now);
}

/**
 * The leaves that differ between two trees, walking both from their roots and
 * skipping every subtree whose hash the other side holds too. null when a
 * node of the old tree is not stored.
 */
function walkDiff(before: string, now: string, old: Lookup, cur: Lookup): Map<string, Pair> | null {
  const sides = [
    { get: cur, seen: new Set([now]), queue: [now], at: 0, expanded: new Map<string, MerkleNode>() },
    { get: old, seen: new Set([before]), queue: [before], at: 0, expanded: new Map<string, MerkleNode>() },
  ];
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
  const out = new Map<string, Pair>();
  for (const [k, id] of nowKeys) out.set(k, [oldKeys.get(k), id]);
  for (const [k, id] of oldKeys) if (!nowKeys.has(k)) out.set(k, [id, undefined]);
  for (const [k, [w, i]] of out) if (w === i) out.delete(k);
  return out;
}

/**
 * Names each differing leaf. A file is in one component of a tree, so a file
 * on one side only is added or removed. A leaf can sit in several components,
 * one of them shared: it is looked for in the whole other tree before being named.
 */
function resolve(
  keys: ReadonlyMap<string, Pair>,
  before: string,
  now: string,
  old: Lookup,
  cur: Lookup,
): DepChange[] | null {
  const changes: DepChange[] = [];
  const report = (key: string, change: DepChange['change']): void => {
    const name = key.slice(2);
    // An unresolved name reads "?name" in reasons (report/reasons.ts); unreadable imports keep their own name.
    changes.push({ path: key.startsWith('u\0') && !isEveryRunMarker(name) ? `?${name}` : name, change });
  };
  const whole = { now: new WholeTree(now, cur), before: new WholeTree(before, old) };
  for (const [k, [w, i]] of keys) {
    const isFile = k.startsWith('f\0');
    const was = w ?? (isFile ? undefined : whole.before.identityOf(k));
    const is = i ?? (isFile ? undefined : whole.now.identityOf(k));
    if (was === null || is === null) return null;
    if (was === undefined) report(k, 'added');
    else if (is === undefined) report(k, 'removed');
    else if (was !== is) report(k, 'changed');
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Every leaf of a tree, read in full only when a leaf on one side of a diff must be looked for on the other. */
class WholeTree {
  private keys: Map<string, string> | null | undefined;

  constructor(
    private readonly root: string,
    private readonly get: Lookup,
  ) {}

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
