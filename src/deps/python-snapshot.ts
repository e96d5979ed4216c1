// The python graph as the last run resolved it, with each job's dependency
// digest, kept so that a run in which nothing the graph was built from
// changed (a no-op) neither resolves an import nor hashes the graph again.
// It is trusted only while every input it records is provably unchanged:
// the interpreter and environment, every tracked file and its digest, and the
// stat of every directory resolution listed, every followed file, every leaf
// and every site file sys.path came from. Anything else recomputes.
import { type FileEntry, eachDigest } from '../manifest/index.js';
import { hashString } from '../hash.js';
import type { RelPath } from '../types.js';
import type { DirectDeps } from './direct-deps.js';
import { LazyDirect } from './graph.js';
import { identityHolds, listKinds, listingIdentity, statIdentity } from './stat-identity.js';

/** Each tracked .py file's dependency digest. */
export interface Digests {
  get(p: RelPath): string | undefined;
}

export interface ResolvedGraph {
  /** The import cache key: interpreter and environment. */
  key: string;
  /** treeKeyOf the tracked files it was built from. */
  tree: string;
  direct: ReadonlyMap<RelPath, DirectDeps>;
  /** Each tracked .py file's dependency digest. */
  digests: Digests;
  /** [absolute path, statIdentity id, or listingIdentity's for a listed directory] of everything resolution read outside the tracked files. */
  checks: readonly (readonly [string, string])[];
  /**
   * Set by validResolved when a directory proved by its listing alone (read within its racy margin) has
   * times that prove it now: the checks with those identities taken again, for the caller to keep, so
   * later runs stat it rather than list it.
   */
  settled?: readonly (readonly [string, string])[];
}

/** Every tracked path and its digest: a new, removed or changed file changes it. */
export function treeKeyOf(files: ReadonlyMap<RelPath, FileEntry>): string {
  const parts: string[] = [];
  eachDigest(files, (p, d) => parts.push(p, d));
  return hashString(parts.join('\0'));
}

/**
 * Stored as a 4-byte big-endian length, the JSON of Encoded, then the JSON of
 * EncodedGraph, which is parsed only when something asks the graph (explain,
 * a stale job's reasons): a no-op never does.
 */
interface Encoded {
  v: 4;
  key: string;
  tree: string;
  checks: [string, string][];
  /**
   * Each tracked file's dependency digest, in the files' order (the one `tree` hashes), comma-separated, empty
   * for a file with none: one string to parse, where an object of 10,000 paths took 4 to 7 ms.
   */
  digests: string;
}

interface EncodedGraph {
  /** Every path named below, once. */
  names: string[];
  /** [node, file nodes, external leaves, unresolved names], by index into names. */
  direct: [number, number[], number[], string[]][];
}

/** The graph for its snapshot; `files`: the tracked files it was built from, whose order the digests keep. */
export function encodeResolved(g: ResolvedGraph, files: ReadonlyMap<RelPath, FileEntry>): Buffer {
  const names: string[] = [];
  const index = new Map<string, number>();
  const at = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) {
      index.set(name, (i = names.length));
      names.push(name);
    }
    return i;
  };
  const direct: EncodedGraph['direct'] = [];
  for (const [p, d] of g.direct) direct.push([at(p), d.files.map(at), d.external.map(at), [...d.unresolved]]);
  const digests: string[] = [];
  for (const p of files.keys()) digests.push((g.direct.has(p) ? g.digests.get(p) : undefined) ?? '');
  const head = Buffer.from(
    JSON.stringify({
      v: 4,
      key: g.key,
      tree: g.tree,
      checks: g.checks.map(([p, id]) => [p, id]),
      digests: digests.join(','),
    } satisfies Encoded),
    'utf8',
  );
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, Buffer.from(JSON.stringify({ names, direct } satisfies EncodedGraph), 'utf8')]);
}

/**
 * The kept graph when it still holds for this interpreter, environment and
 * tree, and every path it read outside them has the same stat identity;
 * null otherwise (recompute).
 */
export function validResolved(
  buf: Buffer | undefined,
  key: string,
  files: ReadonlyMap<RelPath, FileEntry>,
  nowMs: number,
): ResolvedGraph | null {
  if (buf === undefined || buf.length < 4) return null;
  const headEnd = 4 + buf.readUInt32BE(0);
  let e: Encoded;
  try {
    e = JSON.parse(buf.subarray(4, headEnd).toString('utf8')) as Encoded;
  } catch {
    return null; // unreadable: recompute, and the next save replaces it
  }
  if (e.v !== 4 || e.key !== key || e.tree !== treeKeyOf(files)) return null;
  let settled: [string, string][] | undefined;
  for (let i = 0; i < e.checks.length; i++) {
    const [p, id] = e.checks[i]!;
    if (!identityHolds(p, id, nowMs)) return null;
    if (id.startsWith('L:')) {
      // Its stat, taken before this listing, proves what was just listed once it is old enough.
      const now = listingIdentity(statIdentity(p, nowMs), listKinds(p));
      if (!now.id.startsWith('L:') && now.id.endsWith(`|${id.slice(2)}`))
        (settled ??= e.checks.slice())[i] = [p, now.id];
    }
  }
  // The same files in the same order as when it was kept (the tree key says so): the digests line up.
  const list = files.size === 0 ? [] : e.digests.split(',');
  if (list.length !== files.size) return null;
  const table = new Map<RelPath, string>();
  let i = 0;
  for (const p of files.keys()) {
    const d = list[i++]!;
    if (d !== '') table.set(p, d);
  }
  const digests: Digests = table;
  return {
    key,
    tree: e.tree,
    direct: new LazyDirect(() => decodeDirect(buf.subarray(headEnd))),
    digests,
    checks: e.checks,
    ...(settled !== undefined ? { settled } : {}),
  };
}

/** The kept graph's direct dependencies, from its JSON part. */
function decodeDirect(json: Buffer): Map<RelPath, DirectDeps> {
  const g = JSON.parse(json.toString('utf8')) as EncodedGraph;
  const name = (i: number): string => g.names[i]!;
  const map = new Map<RelPath, DirectDeps>();
  for (const [node, fs, ext, unresolved] of g.direct) {
    map.set(name(node) as RelPath, { files: fs.map(name) as RelPath[], external: ext.map(name), unresolved });
  }
  return map;
}
