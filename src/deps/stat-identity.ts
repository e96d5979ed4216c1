// A path's stat identity, the proof every stat-trusting cache of the import
// graphs (the python import cache, the graph caches, followed files) keys on,
// and the identities one run has taken. One stat per call; reads no content.
import fs from 'node:fs';
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
