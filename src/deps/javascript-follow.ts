// Which files runner does not track the javascript graph follows, and what it
// keeps of each: a JS or TS file an import reaches outside the tracked set (git-
// ignored, excluded, outside "include", generated, in node_modules) has its own
// imports read and resolved, transitively, as python-follow.ts does for Python.
// A followed file is read only when its stat identity changed since it was
// read. Reads files; resolution is the caller's (`resolve`).
// fs.promises, not node:fs/promises: that loads at the first read, not with every run (about 1 ms).
import fs from 'node:fs';
import { digestBytes } from '../hash.js';
import type { RelPath } from '../types.js';
import { type DirectDeps, UNREADABLE_IMPORTS } from './direct-deps.js';
import { JS_EXTENSIONS, type JsFileImports, initLexer, lexJavaScriptImports } from './javascript.js';
import { statIdentity } from './stat-identity.js';

/** What the import cache keeps of a followed file, valid while its stat identity is unchanged. */
export interface FollowedJsFile {
  /** statIdentity's id when it was read; '' when that stat was racy or the file unreadable (read again next time). */
  stat: string;
  /** Content digest of what was read; null when it could not be read. */
  digest: string | null;
  found: JsFileImports;
}

/** A row of the graph: the digest a file's imports were read from, and what they resolved to. */
export interface GraphRow {
  digest: string;
  deps: DirectDeps;
}

/** The row digest of a followed file that could not be read: it is listed as unreadable, so never reused. */
export const UNREADABLE_DIGEST = 'unreadable';

/**
 * Whether an outside file is followed: JavaScript and TypeScript, .d.ts
 * included, wherever it lies. node_modules too: upgrading a dependency of a
 * dependency must re-run its users, and a workspace package reached there by
 * its real path is the code the job checks. JSON and the rest stay leaves,
 * identified by size and mtime.
 */
export function isFollowedJs(abs: string): boolean {
  return JS_EXTENSIONS.some((e) => abs.endsWith(e));
}

/** Files read at once; keeps the number of open descriptors bounded. */
const READ_BATCH = 64;

/**
 * Follows, from the rows of the tracked files, every outside file they reach
 * (see isFollowedJs), transitively: reads those whose stat changed, adds a
 * row per followed file (by absolute path) to `rows`, and turns each
 * followed file, in every row, from a leaf into a graph node. Returns the
 * followed files reached this time, and each one's stat id ('' when racy).
 */
export async function followUntracked(o: {
  rows: Map<RelPath, GraphRow>;
  cached: ReadonlyMap<string, FollowedJsFile>;
  startedMs: number;
  /** The row of a followed file with this reading (a kept one when it provably holds). */
  resolve: (abs: string, digest: string, found: JsFileImports) => DirectDeps;
}): Promise<{ followed: Map<string, FollowedJsFile>; stats: Map<string, string>; read: number }> {
  const { rows } = o;
  const followed = new Map<string, FollowedJsFile>();
  const stats = new Map<string, string>();
  const visited = new Set<string>();
  let read = 0;
  const reaches = (d: DirectDeps, into: Set<string>): void => {
    // A kept row lists the files it followed among its nodes, by absolute path.
    for (const f of d.files) if (f.startsWith('/') && !visited.has(f)) into.add(f);
    for (const x of d.external) if (isFollowedJs(x) && !visited.has(x)) into.add(x);
  };
  let frontier = new Set<string>();
  for (const r of rows.values()) reaches(r.deps, frontier);
  while (frontier.size > 0) {
    const reached: string[] = [];
    const toRead: string[] = [];
    for (const abs of frontier) {
      if (visited.has(abs)) continue;
      visited.add(abs);
      // The stat comes before the read: a change after it cannot hide behind it.
      const st = statIdentity(abs, o.startedMs);
      if (!st.id.startsWith('f:')) continue; // gone or not a file: a leaf, identified as such
      reached.push(abs);
      stats.set(abs, st.racy ? '' : st.id);
      const hit = o.cached.get(abs);
      if (hit !== undefined && hit.stat !== '' && hit.stat === st.id) followed.set(abs, hit);
      else toRead.push(abs);
    }
    if (toRead.length > 0) await initLexer();
    for (let i = 0; i < toRead.length; i += READ_BATCH) {
      const batch = toRead.slice(i, i + READ_BATCH);
      const readings = await Promise.all(batch.map(readFollowed));
      batch.forEach((abs, j) => {
        const r = readings[j]!;
        followed.set(abs, { ...r, stat: r.digest === null ? '' : stats.get(abs)! });
      });
      read += batch.length;
    }
    const next = new Set<string>();
    for (const abs of reached) {
      const f = followed.get(abs)!;
      const digest = f.digest ?? UNREADABLE_DIGEST;
      const d = o.resolve(abs, digest, f.found);
      // Unreadable: it may import anything, so what depends on it is never fresh.
      const deps =
        f.digest === null && !d.unresolved.includes(UNREADABLE_IMPORTS)
          ? { ...d, unresolved: [...d.unresolved, UNREADABLE_IMPORTS] }
          : d;
      rows.set(abs as RelPath, { digest, deps });
      reaches(deps, next);
    }
    frontier = next;
  }
  for (const [p, r] of rows) rows.set(p, { digest: r.digest, deps: asNodes(r.deps, followed) });
  return { followed, stats, read };
}

/** A row with each followed file among its nodes and every other outside file among its leaves. */
function asNodes(d: DirectDeps, followed: ReadonlyMap<string, FollowedJsFile>): DirectDeps {
  const outside = [...d.files.filter((f) => f.startsWith('/')), ...d.external];
  if (outside.length === 0) return d;
  return {
    files: [...d.files.filter((f) => !f.startsWith('/')), ...(outside.filter((x) => followed.has(x)) as RelPath[])],
    external: outside.filter((x) => !followed.has(x)),
    unresolved: d.unresolved,
  };
}

async function readFollowed(abs: string): Promise<Omit<FollowedJsFile, 'stat'>> {
  let bytes: Buffer;
  try {
    bytes = await fs.promises.readFile(abs);
  } catch (err) {
    return {
      digest: null,
      found: { imports: [], error: `cannot read: ${err instanceof Error ? err.message : String(err)}` },
    };
  }
  const found = lexJavaScriptImports(bytes.toString('utf8'), abs);
  return { digest: found.error === null ? digestBytes(bytes) : null, found };
}
