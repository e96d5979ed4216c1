// Whether the tree on disk is exactly the one the manifest stores, answered
// with one stat per directory and per file and no JavaScript per file (issue
// 17 point 1): the native addon (native/stat-check.c) compares the files and
// directories snapshots' packed rows in place. It asks what the walk
// (walk.ts) would find without its work: every stored directory listing
// reused (same stat, not racy, its .gitignore as stored, its subdirectories'
// listings stored), so the walk's candidates are the stored names; as many
// names as stored files, so they are the stored files; and each file's stat
// as stored and not racy, so each keeps its digest. When every listing holds
// but a few files' stats do not, it names those files, and the scan looks at
// them alone (scan/update.ts), as a file watcher's report would have it:
// an edited file costs no walk. Anything else, or any doubt, is "cannot
// tell" (null), and the caller walks.
import fs from 'node:fs';
import path from 'node:path';
import type { FileEntry } from '../manifest/index.js';
import { nativeAddon } from '../native-addon.js';
import { RACY_MARGIN_MS } from '../racy-margin.js';
import type { RelPath } from '../types.js';
import type { CompiledSpec } from './match.js';
import type { WatchOutcome } from './watchman.js';

/** What the manifest stores of the tree, as loaded. */
export interface StoredTree {
  /**
   * The files snapshot as stored, with the entries the deltas after it set (Manifest.storedFilesAndDeltas);
   * null: not as stored (decoded, or a delta removes a file). Asked first, and the directories after the
   * files' stats have begun: reading each from sqlite takes time.
   */
  files: () => { base: Buffer; set: ReadonlyMap<RelPath, FileEntry> } | null;
  /** The directories snapshot as stored (Manifest.storedDirs); null: decoded already. */
  dirs: () => Buffer | null;
  racyThresholdMs: number;
  walkSpec: string | null;
}

/** A files snapshot's header, numbers per row, and where size, mtimeMs, ctimeMs and ino sit in a row. */
const HEADER = 8;
const FILE_ROWS = [4, 5];
const FILE_AT = [0, 1, 2, 3] as const;
/** The fewest differing files the check names before it leaves them to the walk (else an eighth of the files). */
const MIN_FILES_CAP = 256;

/**
 * What a check of the stored tree found: every listing as stored (so every name), and every file's stat but
 * those of `paths`, each of which differs or is racy, to be stat'ed and hashed again (scan/update.ts, with
 * `askedMs` as its clock: no stat was taken before it). No paths: the tree is the stored one, and the walk
 * would change nothing, hash nothing and report nothing. null: it cannot tell, and the caller walks.
 */
export type TreeFinding = { readonly paths: readonly RelPath[]; readonly askedMs: number } | null;

/** A check of the stored tree begun (checkStoredTree); finish() says what it found. */
export interface TreeCheck {
  /** How it checks, for -v. */
  readonly way: string;
  /**
   * What the check found under `spec`; `tracked`, when known (a settled mark's count), must be the stored
   * file count. Called once.
   */
  finish(spec: CompiledSpec, tracked: number | null): TreeFinding;
  /** Watchman's answer, when finish asked it: the scan that follows takes it rather than asking again. */
  readonly asked?: WatchOutcome;
}

const CANNOT_TELL: TreeCheck = { way: 'no check', finish: () => null };

/**
 * Starts checking the stored tree against the disk: the stats on the addon's threads, while the caller goes
 * on (the session latches its tools meanwhile). Call before anything decodes the manifest's files or
 * directories.
 */
export function checkStoredTree(root: string, stored: StoredTree): TreeCheck {
  const addon = nativeAddon();
  if (addon === null || typeof addon.dirCheckStart !== 'function') return CANNOT_TELL;
  const snapshot = stored.files();
  if (snapshot === null || snapshot.base.length < HEADER) return CANNOT_TELL;
  const { base: files, set } = snapshot;
  const racyLimit = stored.racyThresholdMs - RACY_MARGIN_MS;
  const count = files.readUInt32LE(0);
  const width = files.readUInt32LE(4);
  const numbersEnd = HEADER + count * width * 8;
  if (!FILE_ROWS.includes(width) || files.length < numbersEnd + 4) return CANNOT_TELL;
  const textLen = files.readUInt32LE(numbersEnd);
  const text = files.subarray(numbersEnd + 4, numbersEnd + 4 + textLen);
  // More files than this to look at again: the walk does it as well, and reports as it goes.
  const cap = Math.max(MIN_FILES_CAP, count >> 3);
  if (set.size > cap) return CANNOT_TELL;
  const askedMs = Date.now();
  const fileCheck = addon.statCheckStart(
    root,
    text,
    count,
    files.subarray(HEADER, numbersEnd),
    width,
    FILE_AT,
    0,
    racyLimit,
  );
  const dirs = stored.dirs();
  const dirCheck = dirs === null ? null : addon.dirCheckStart(root, dirs, racyLimit);
  return {
    way: 'every stat as stored',
    finish: (spec, tracked) => {
      const [relisted, names] = dirCheck === null ? [-1, -1] : addon.dirCheckFinish(dirCheck);
      // Another spec, a whitelist (no listings), or a changed index (listings read again): the walk's work.
      // As many names as stored files: a name that is no tracked file (a link to a directory, a file that
      // could not be read) is one the walk looks at again.
      const listingsHold =
        stored.walkSpec === spec.key &&
        spec.whitelist === null &&
        spec.gitignore?.indexChanged !== true &&
        relisted === 0 &&
        names === count &&
        (tracked === null || count === tracked);
      // A listing that changed leaves the files' answer unused: the threads stop where they are.
      const [differ, ...rows] = addon.statCheckFinish(fileCheck, listingsHold ? cap + set.size : 0, !listingsHold);
      if (!listingsHold || differ === undefined || differ < 0 || differ > cap + set.size) return null;
      // A file a delta set is judged by that entry, not by its row in the snapshot under it. As many names as
      // the snapshot's rows, and no delta removing one: every file set is one of those rows, changed in place.
      const paths = pathsAt(text, rows).filter((p) => !set.has(p));
      for (const [p, entry] of set) if (!statHolds(root, p, entry, racyLimit)) paths.push(p);
      if (paths.length > cap) return null;
      return { paths, askedMs };
    },
  };
}

/** The file's stat as `entry` stores it and not racy, as the walk (and native/stat-check.c) would judge it. */
function statHolds(root: string, p: RelPath, entry: FileEntry, racyLimit: number): boolean {
  const st = fs.statSync(path.join(root, p), { throwIfNoEntry: false });
  return (
    st !== undefined &&
    st.isFile() &&
    st.size === entry.size &&
    st.mtimeMs === entry.mtimeMs &&
    st.ctimeMs === entry.ctimeMs &&
    st.ino === entry.ino &&
    st.mtimeMs < racyLimit &&
    st.ctimeMs < racyLimit
  );
}

/** The paths of the given rows (ascending) of a files snapshot's text: one NUL-ended path per row. */
function pathsAt(text: Buffer, rows: readonly number[]): RelPath[] {
  const out: RelPath[] = [];
  let row = 0;
  let at = 0;
  for (const want of rows) {
    for (; row < want; row++) at = text.indexOf(0, at) + 1;
    const end = text.indexOf(0, at);
    out.push(text.toString('utf8', at, end < 0 ? text.length : end) as RelPath);
  }
  return out;
}
