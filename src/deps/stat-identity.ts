// A path's stat identity, the proof every stat-trusting cache of the import
// graphs (the python import cache, the graph caches, followed files) keys on,
// and the identities one run has taken. One stat per call; reads no content.
import fs from 'node:fs';
import { hashString } from '../hash.js';
import { RACY_MARGIN_MS } from '../racy-margin.js';

export interface StatIdentity {
  id: string;
  racy: boolean;
}

/** A path's stat identity, taken before it was read (see statIdentity). */
export type SeenStats = Map<string, StatIdentity>;

/**
 * A path's stat identity for the caches that trust it: kind, size, mtime,
 * ctime and inode ('-' when missing). `racy` is set when the entry changed
 * within RACY_MARGIN_MS of `nowMs`: a later change could then keep the same
 * timestamps, so the identity proves nothing. Never part of a key (issue 16:
 * a key holds content, not stats): it proves only that content is unchanged.
 */
export function statIdentity(abs: string, nowMs: number): StatIdentity {
  let st: fs.BigIntStats | undefined;
  try {
    st = fs.statSync(abs, { bigint: true, throwIfNoEntry: false });
  } catch {
    st = undefined; // ENOTDIR, EACCES: not something an import can load either
  }
  if (st === undefined) return { id: '-', racy: false };
  const kind = st.isFile() ? 'f' : st.isDirectory() ? 'd' : 'o';
  const id = `${kind}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;
  const limit = BigInt(Math.floor(nowMs - RACY_MARGIN_MS)) * 1_000_000n;
  return { id, racy: st.mtimeNs >= limit || st.ctimeNs >= limit };
}

/** The files a watchman query makes and removes in the root it watches (`.watchman-cookie-HOST-PID-N`): no import names one. */
export const WATCHMAN_COOKIE = '.watchman-cookie-';

/**
 * A directory's entries and their kinds (a symlink counts as what it points
 * to; `onLink` gets each symlinked entry's path), watchman's cookies left
 * out; null when it is missing or no directory.
 */
export function listKinds(dir: string, onLink?: (abs: string) => boolean): Map<string, 'file' | 'dir'> | null {
  try {
    const l = new Map<string, 'file' | 'dir'>();
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(WATCHMAN_COOKIE)) continue;
      let isDir = e.isDirectory();
      if (e.isSymbolicLink()) {
        const abs = `${dir}/${e.name}`;
        isDir =
          onLink !== undefined ? onLink(abs) : fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
      }
      l.set(e.name, isDir ? 'dir' : 'file');
    }
    return l;
  } catch {
    return null;
  }
}

function hashKinds(listing: ReadonlyMap<string, 'file' | 'dir'>): string {
  // 64 bits tell two listings of one directory apart.
  return hashString(
    [...listing]
      .map(([name, kind]) => `${kind} ${name}`)
      .sort()
      .join('\n'),
  ).slice(0, 16);
}

/**
 * A listed directory's identity: its stat identity and a hash of the names
 * and kinds it held (`STAT|HASH`), or the hash alone (`L:HASH`, never racy)
 * when its times were too recent to prove anything. identityHolds then lists
 * it again when its stat moved, so an entry made and removed since (the
 * cookie of a watchman query, in the root, on every run that asks it)
 * changes nothing.
 */
export function listingIdentity(stat: StatIdentity, listing: ReadonlyMap<string, 'file' | 'dir'> | null): StatIdentity {
  if (listing === null || stat.id === '-') return stat;
  const hash = hashKinds(listing);
  return stat.racy ? { id: `L:${hash}`, racy: false } : { id: `${stat.id}|${hash}`, racy: false };
}

/** Whether a path is as an identity taken earlier says: the same stat, or for a listed directory the same listing. */
export function identityHolds(abs: string, id: string, nowMs: number): boolean {
  const bar = id.indexOf('|');
  const listed = id.startsWith('L:');
  if (!listed && bar < 0) return statIdentity(abs, nowMs).id === id;
  if (!listed && statIdentity(abs, nowMs).id === id.slice(0, bar)) return true;
  const now = listKinds(abs);
  return now !== null && hashKinds(now) === (listed ? id.slice(2) : id.slice(bar + 1));
}
