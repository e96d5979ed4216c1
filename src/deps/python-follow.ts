// Which files outside the tracked set an import graph follows, and how each is
// identified: a file that imports reach but the config does not track (an
// excluded vendored directory, a package on PYTHONPATH, an editable install,
// site-packages, an in-tree file outside `include`) has its own imports read
// and followed, cached by its stat identity. Reading is the caller's (`read`).
import type { RelPath } from '../types.js';
import { type DirectDeps, UNREADABLE_IMPORTS } from './direct-deps.js';
import type { FollowedFile, ImportCache } from './python-cache.js';
import type { PythonFileImports } from './python.js';
import { type SeenStats, statIdentity } from './stat-identity.js';

/** Whether abs lies in one of dirs (absolute, normalised). */
export function isUnder(abs: string, dirs: readonly string[]): boolean {
  return dirs.some((d) => abs.startsWith(d.endsWith('/') ? d : d + '/'));
}

/**
 * Whether an import's file outside the tracked set is followed: Python source,
 * except the interpreter's own standard library, whose imports stay within
 * itself and change only with the interpreter, whose identity covers them.
 * site-packages (even when it lies below the standard library, as in a
 * source-built Python) is followed: upgrading a dependency of a dependency
 * must re-run its users.
 */
export function isFollowed(abs: string, stdlib: readonly string[], siteDirs: readonly string[]): boolean {
  if (!abs.endsWith('.py')) return false;
  return !isUnder(abs, stdlib) || isUnder(abs, siteDirs);
}

/** The cached reading of a followed file, when its stat proves it unchanged. */
export function cachedReading(cached: FollowedFile | undefined, stat: string): FollowedFile | null {
  return cached !== undefined && cached.stat !== '' && cached.stat === stat ? cached : null;
}

/**
 * Follows, transitively, the imports of files outside the tracked set that
 * imports reach (see isFollowed), reading only those whose stat changed, and
 * turns them from leaves into graph nodes (by absolute path). Keeps in the
 * cache exactly the followed files reached this time.
 */
export async function followOutside(o: {
  direct: Map<RelPath, DirectDeps>;
  cache: ImportCache;
  startedMs: number;
  seen: SeenStats;
  resolveFile: (p: RelPath, found: PythonFileImports, isTracked: boolean) => DirectDeps;
  read: (list: readonly string[]) => Promise<Map<RelPath, PythonFileImports>>;
}): Promise<{ changed: boolean }> {
  const { direct, cache } = o;
  const now = new Map<string, FollowedFile>();
  const follows = (x: string): boolean => isFollowed(x, cache.stdlib, cache.siteDirs);
  let frontier = new Set<string>();
  for (const d of direct.values()) for (const x of d.external) if (follows(x)) frontier.add(x);
  let changed = false;
  // Not o.seen: resolution has stat'ed symlinked entries there already, and those must be followed too.
  const visited = new Set<string>();
  while (frontier.size > 0) {
    const toRead: string[] = [];
    const reached: string[] = [];
    for (const abs of frontier) {
      if (now.has(abs) || visited.has(abs)) continue;
      visited.add(abs);
      let st = o.seen.get(abs);
      if (st === undefined) o.seen.set(abs, (st = statIdentity(abs, o.startedMs)));
      if (!st.id.startsWith('f:')) continue; // gone or not a file: a leaf, identified as such
      reached.push(abs);
      const hit = cachedReading(cache.followed.get(abs), st.id);
      if (hit !== null) now.set(abs, hit);
      else toRead.push(abs);
    }
    if (toRead.length > 0) {
      const found = await o.read(toRead);
      for (const abs of toRead) {
        const f = found.get(abs as RelPath)!;
        const digest = f.digest ?? null;
        // A racy stat, or a file that could not be read, is read again next time.
        const st = o.seen.get(abs)!;
        now.set(abs, {
          stat: st.racy || digest === null ? '' : st.id,
          digest,
          found: { imports: f.imports, error: f.error },
        });
      }
      changed = true;
    }
    const next = new Set<string>();
    for (const abs of reached) {
      const f = now.get(abs)!;
      const d = o.resolveFile(abs as RelPath, f.found, false);
      // Unreadable: it may import anything, so what depends on it is never fresh.
      direct.set(abs as RelPath, f.digest === null ? { ...d, unresolved: [...d.unresolved, UNREADABLE_IMPORTS] } : d);
      for (const x of d.external) if (follows(x) && !now.has(x)) next.add(x);
    }
    frontier = next;
  }
  for (const [p, d] of direct) {
    if (!d.external.some((x) => now.has(x))) continue;
    direct.set(p, {
      files: [...d.files, ...(d.external.filter((x) => now.has(x)) as RelPath[])],
      external: d.external.filter((x) => !now.has(x)),
      unresolved: d.unresolved,
    });
  }
  if (now.size !== cache.followed.size) changed = true;
  cache.followed = now;
  return { changed };
}
