// The dependency graph as a Merkle DAG: one node per strongly connected
// component (its files and their identities, its direct leaves, its
// children's hashes), hashed as DepGraph.deepHash hashes it. Nodes that kept
// results reach are stored by hash, so explain can walk the last run's tree
// and today's side by side, descending only where hashes differ.
import { hashString } from '../hash.js';
import type { RelPath } from '../types.js';
import { type DirectDeps, isEveryRunMarker } from './direct-deps.js';

/** Lists keep the repeats the hash has always had (two members importing one leaf). */
export interface MerkleNode {
  /** The component's files and their identities. */
  files: [string, string][];
  /** Files outside the source tree and their identities. */
  external: [string, string][];
  /** Names that resolve nowhere; only the every-run markers (direct-deps.ts) have an identity (else ''). */
  unresolved: [string, string][];
  /** Hashes of the components the members import. */
  children: string[];
}

/** A stored node: hash, children's hashes ('\n'-joined, for the sweep), and the rest as JSON. */
export type MerkleRow = [hash: string, children: string, data: string];

export type Identity = (dep: string, tracked: boolean) => string;

/** How a hash names a dependency: a tracked file by its path, one outside the tracked set portably (portable-path.ts). */
export type NameOf = (dep: string) => string;

/** The node of one component, given its members and the hash of every component they import. */
export function componentNode(
  members: readonly RelPath[],
  directDeps: (p: RelPath) => DirectDeps,
  identity: Identity,
  hashOf: (p: RelPath) => string,
  nameOf: NameOf = (dep) => dep,
): MerkleNode {
  const inComponent = new Set(members);
  const node: MerkleNode = { files: [], external: [], unresolved: [], children: [] };
  for (const member of members) {
    const d = directDeps(member);
    node.files.push([nameOf(member), identity(member, true)]);
    for (const x of d.external) node.external.push([nameOf(x), identity(x, false)]);
    for (const x of d.unresolved) node.unresolved.push([x, isEveryRunMarker(x) ? identity(x, false) : '']);
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
  return [
    hash,
    [...new Set(node.children)].join('\n'),
    JSON.stringify({ f: node.files, e: node.external, u: node.unresolved }),
  ];
}

export function decodeNode(row: MerkleRow): MerkleNode {
  const d = JSON.parse(row[2]) as { f: [string, string][]; e: [string, string][]; u: [string, string][] };
  return { files: d.f, external: d.e, unresolved: d.u, children: row[1] === '' ? [] : row[1].split('\n') };
}
