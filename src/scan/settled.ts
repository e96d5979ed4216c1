// Whether the tree on disk is exactly the one the manifest stores, answered
// with one stat per directory and per file and no JavaScript per file (issue
// 17 point 1): the native addon (native/stat-check.c) compares the files and
// directories snapshots' packed rows in place. It asks what the walk
// (walk.ts) would find without its work: every stored directory listing
// reused (same stat, not racy, its .gitignore as stored, its subdirectories'
// listings stored), so the walk's candidates are the stored names; as many
// names as stored files, so they are the stored files; and each file's stat
// as stored and not racy, so each keeps its digest. Anything else, or any
// doubt, is "cannot tell" (null), and the caller walks.
import { nativeAddon } from '../native-addon.js';
import { RACY_MARGIN_MS } from '../racy-margin.js';
import type { CompiledSpec } from './match.js';
import type { WatchOutcome } from './watchman.js';

/** What the manifest stores of the tree, as loaded. */
export interface StoredTree {
  /**
   * The files snapshot as stored (Manifest.storedFiles); null: not as stored (decoded, or deltas follow it).
   * Asked first, and the directories after the files' stats have begun: reading each from sqlite takes time.
   */
  files: () => Buffer | null;
  /** The directories snapshot as stored (Manifest.storedDirs); null: decoded already. */
  dirs: () => Buffer | null;
  racyThresholdMs: number;
  walkSpec: string | null;
}

/** A files snapshot's header, numbers per row, and where size, mtimeMs, ctimeMs and ino sit in a row. */
const HEADER = 8;
const FILE_ROWS = [4, 5];
const FILE_AT = [0, 1, 2, 3] as const;

/** A check of the stored tree begun (checkStoredTree); finish() says what it found. */
export interface TreeCheck {
  /** How it checks, for -v. */
  readonly way: string;
  /**
   * Whether the tree on disk is the stored one under `spec`, its `tracked` files included (the walk would
   * change nothing, hash nothing and report nothing); false when that cannot be told this way.
   */
  finish(spec: CompiledSpec, tracked: number): boolean;
  /** Watchman's answer, when finish asked it: the scan that follows takes it rather than asking again. */
  readonly asked?: WatchOutcome;
}

const CANNOT_TELL: TreeCheck = { way: 'no check', finish: () => false };

/**
 * Starts checking the stored tree against the disk: the stats on the addon's threads, while the caller goes
 * on (the session latches its tools meanwhile). Call before anything decodes the manifest's files or
 * directories.
 */
export function checkStoredTree(root: string, stored: StoredTree): TreeCheck {
  const addon = nativeAddon();
  if (addon === null || typeof addon.dirCheckStart !== 'function') return CANNOT_TELL;
  const files = stored.files();
  if (files === null || files.length < HEADER) return CANNOT_TELL;
  const racyLimit = stored.racyThresholdMs - RACY_MARGIN_MS;
  const count = files.readUInt32LE(0);
  const width = files.readUInt32LE(4);
  const numbersEnd = HEADER + count * width * 8;
  if (!FILE_ROWS.includes(width) || files.length < numbersEnd + 4) return CANNOT_TELL;
  const textLen = files.readUInt32LE(numbersEnd);
  const text = files.subarray(numbersEnd + 4, numbersEnd + 4 + textLen);
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
      const [differ] = addon.statCheckFinish(fileCheck, 0);
      if (dirCheck === null) return false;
      const [relisted, names] = addon.dirCheckFinish(dirCheck);
      // Another spec, a whitelist (no listings), or a changed index (listings read again): the walk's work.
      if (stored.walkSpec !== spec.key || spec.whitelist !== null || spec.gitignore?.indexChanged === true)
        return false;
      // As many names as stored files: a name that is no tracked file (a link to a directory, a file that
      // could not be read) is one the walk looks at again.
      return relisted === 0 && names === count && count === tracked && differ === 0;
    },
  };
}
