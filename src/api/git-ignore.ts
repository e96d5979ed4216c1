// The git ignore rules a scan walks under: the rule files above the source
// tree (scan/ignore-files.ts reads them), whether the index changed since the
// last scan (its stat, kept in the manifest), and what git tracks, asked of
// git only when a listing being read has a name a pattern matches.
import fs from 'node:fs';
import path from 'node:path';
import { GitError } from '../errors.js';
import { runGit } from '../git/index.js';
import { type IgnoreBase, loadIgnoreBase } from '../scan/index.js';
import type { Session, UnlatchedSession } from '../session.js';
import { INDEX_STAT_SNAPSHOT } from '../state-dir.js';

/** How close to now an index write may change again under the same stat (git's own racy index). */
const RACY_INDEX_MS = 2000;

/** The rules for the session's walk, or null when the config turns them off or the tree is in no git work tree. */
export function gitIgnoreOf(s: UnlatchedSession): IgnoreBase | null {
  if (!s.loaded.config.gitignore || s.whitelist !== null) return null;
  const base = loadIgnoreBase(s.sourceTree, s.ignoreHome);
  if (base === null) return null;
  // Under a hook, git names the index it means (a temporary one under `git commit -a`).
  const given = s.gitContext.env.GIT_INDEX_FILE;
  const indexFile = given !== undefined && given !== '' ? path.resolve(s.gitContext.cwd, given) : base.indexFile;
  const st = fs.statSync(indexFile, { throwIfNoEntry: false });
  const id =
    st === undefined
      ? 'none'
      : `${indexFile}:${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${st.mtimeMs > Date.now() - RACY_INDEX_MS ? 'racy' : ''}`;
  const stored = s.manifest.blob(INDEX_STAT_SNAPSHOT)?.toString('utf8');
  base.indexChanged = stored !== id || id.endsWith(':racy');
  base.indexId = id;
  base.listTracked = () => (st === undefined ? [] : listTracked(s));
  return base;
}

function listTracked(s: UnlatchedSession): string[] {
  let out: Buffer;
  try {
    // Relative to the source tree, and only below it (git ls-files runs there).
    out = runGit({ ...s.gitContext, cwd: s.sourceTree }, ['ls-files', '-z', '--cached']);
  } catch (err) {
    // git missing or failing beside a .git directory: the patterns alone decide (README, "Files git ignores").
    if (err instanceof GitError) return [];
    throw err;
  }
  return out
    .toString('utf8')
    .split('\0')
    .filter((p) => p !== '');
}

/** After a scan under `base`: the index as it saw it, so the next scan tells whether it changed. */
export function keepIndexStat(s: Session, base: IgnoreBase | null): void {
  if (base === null || base.indexId === '' || s.manifest.blob(INDEX_STAT_SNAPSHOT)?.toString('utf8') === base.indexId)
    return;
  s.manifest.setBlob(INDEX_STAT_SNAPSHOT, Buffer.from(base.indexId, 'utf8'));
}
