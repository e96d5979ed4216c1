// Which files outside the tracked set an import graph follows, and how each is
// identified: a file that imports reach but the config does not track (an
// excluded vendored directory, a package on PYTHONPATH, an editable install,
// site-packages, an in-tree file outside `include`) has its own imports read
// and followed, cached by its stat identity. Decides and stats; spawns nothing.
import fs from 'node:fs';
import { RACY_MARGIN_MS } from '../scan/index.js';
import type { PythonFileImports } from './python.js';

/** What the import cache keeps of a followed file, valid while its stat identity is unchanged. */
export interface FollowedFile {
  /** size:mtimeNs:ctimeNs:inode when it was read; '' when that stat was racy (read again next time). */
  stat: string;
  /** Content digest of what was read; null when it could not be read. */
  digest: string | null;
  found: PythonFileImports;
}

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

/**
 * A path's stat identity for the caches that trust it: kind, size, mtime,
 * ctime and inode ('-' when missing). `racy` is set when the entry changed
 * within RACY_MARGIN_MS of `nowMs`: a later change could then keep the same
 * timestamps, so the identity proves nothing. sizeMtime is the part a leaf's
 * identity in a dependency digest uses (a reinstall of the same bytes changes
 * ctime and inode, not what the file says).
 */
export function statIdentity(abs: string, nowMs: number): { id: string; racy: boolean; sizeMtime: string } {
  let st: fs.BigIntStats | undefined;
  try {
    st = fs.statSync(abs, { bigint: true, throwIfNoEntry: false });
  } catch {
    st = undefined; // ENOTDIR, EACCES: not something an import can load either
  }
  if (st === undefined) return { id: '-', racy: false, sizeMtime: 'missing' };
  const kind = st.isFile() ? 'f' : st.isDirectory() ? 'd' : 'o';
  const id = `${kind}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  const limit = BigInt(Math.floor(nowMs - RACY_MARGIN_MS)) * 1_000_000n;
  return { id, racy: st.mtimeNs >= limit || st.ctimeNs >= limit, sizeMtime: `${st.size}:${st.mtimeNs}` };
}

/** The cached reading of a followed file, when its stat proves it unchanged. */
export function cachedReading(cached: FollowedFile | undefined, stat: string): FollowedFile | null {
  return cached !== undefined && cached.stat !== '' && cached.stat === stat ? cached : null;
}
