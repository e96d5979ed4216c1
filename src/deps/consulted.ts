// What building a dependency graph read besides the tracked files' content:
// directory listings (does ./a.ts exist? is there a node_modules/pkg?) and
// small files read whole (package.json, tsconfig.json). RecordingFs answers
// those questions and stamps each answer, so that a later run can prove them
// all unchanged (consultedUnchanged) with one stat per directory and one read
// per small file, instead of resolving every import again. Reads only.
import fs from 'node:fs';
import { hashString } from '../hash.js';

/** Everything consulted, by absolute path, with the stamp that proves it unchanged. */
export interface Consulted {
  /** Directory -> its stamp (see stampDir). */
  dirs: Map<string, string>;
  /** File read whole -> its stamp (see stampFile). */
  files: Map<string, string>;
}

type Listing = Map<string, 'file' | 'dir'>;

/** A stamp no later check accepts: what was seen may have changed without leaving a trace. */
const UNSTABLE = '!';
const ABSENT = '-';

/**
 * How far before the moment a directory was read its timestamps must lie for
 * them to prove its listing: the kernel stamps a change with a coarse clock (a
 * tick, at most 10 ms) that lags the clock runner reads, so a change in the
 * same tick as the read could leave the timestamps as they were (git's "racy"
 * entries). Whole-second timestamps (ext3, HFS+; FAT keeps 2 s) need 2 s.
 */
function racyMarginMs(st: fs.Stats): number {
  return st.mtimeMs % 1000 === 0 && st.ctimeMs % 1000 === 0 ? 2000 : 100;
}

/** The file system as graph building sees it, stamping every answer into `consulted`. */
export class RecordingFs {
  readonly consulted: Consulted;
  private readonly listings = new Map<string, Listing | null>();

  /** Start from what an earlier run consulted, once consultedUnchanged() has proved it still holds. */
  constructor(prior?: Consulted) {
    this.consulted = { dirs: new Map(prior?.dirs), files: new Map(prior?.files) };
  }

  /** Whether abs is a file, a directory (a symlink counts as what it points to) or nothing; one readdir per directory. */
  readonly exists = (abs: string): 'file' | 'dir' | null => {
    const slash = abs.lastIndexOf('/');
    if (slash < 0 || slash === abs.length - 1) return null;
    return this.list(slash === 0 ? '/' : abs.slice(0, slash))?.get(abs.slice(slash + 1)) ?? null;
  };

  /** A file's text; null when it is missing or cannot be read. */
  readText(abs: string): string | null {
    const read = readStamped(abs);
    if (!this.consulted.files.has(abs)) this.consulted.files.set(abs, read.stamp);
    return read.text;
  }

  private list(dir: string): Listing | null {
    let l = this.listings.get(dir);
    if (l === undefined) {
      const read = listStamped(dir, Date.now());
      l = read.listing;
      this.listings.set(dir, l);
      if (!this.consulted.dirs.has(dir)) this.consulted.dirs.set(dir, read.stamp);
    }
    return l;
  }
}

/**
 * A directory's listing and its stamp: `d ino mtime ctime` (a change of
 * entries moves mtime), `l <hash>` when an entry is a symlink (what it points
 * to can change without touching the directory, so a check lists it again),
 * ABSENT when there is no directory, UNSTABLE when it cannot be read or its
 * timestamps are too recent to prove anything. The stat comes first: a change
 * after it cannot hide behind it.
 */
function listStamped(dir: string, now: number): { listing: Listing | null; stamp: string } {
  let st: fs.Stats;
  const listing: Listing = new Map();
  let hasLinks = false;
  try {
    st = fs.statSync(dir);
    if (!st.isDirectory()) return { listing: null, stamp: ABSENT };
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const isLink = e.isSymbolicLink();
      hasLinks ||= isLink;
      const isDir = e.isDirectory() || (isLink && fs.statSync(`${dir}/${e.name}`, { throwIfNoEntry: false })?.isDirectory() === true);
      listing.set(e.name, isDir ? 'dir' : 'file');
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { listing: null, stamp: code === 'ENOENT' || code === 'ENOTDIR' ? ABSENT : UNSTABLE };
  }
  if (hasLinks) return { listing, stamp: `l ${hashListing(listing)}` };
  const racy = Math.max(st.mtimeMs, st.ctimeMs) >= now - racyMarginMs(st);
  return { listing, stamp: racy ? UNSTABLE : `d ${st.ino} ${st.mtimeMs} ${st.ctimeMs}` };
}

function hashListing(listing: Listing): string {
  return hashString([...listing].map(([name, kind]) => `${kind} ${name}`).sort().join('\n'));
}

/** A file's text and its stamp: the content's hash, ABSENT (missing, or a directory), or UNSTABLE (unreadable). */
function readStamped(abs: string): { text: string | null; stamp: string } {
  try {
    const text = fs.readFileSync(abs, 'utf8');
    return { text, stamp: `c ${hashString(text)}` };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { text: null, stamp: code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' ? ABSENT : UNSTABLE };
  }
}

/** Whether everything consulted would be seen the same now: the proof that resolving again would change nothing. */
export function consultedUnchanged(c: Consulted): boolean {
  for (const [dir, stamp] of c.dirs) {
    if (stamp === UNSTABLE) return false;
    if (stamp.startsWith('l ')) {
      if (listStamped(dir, Date.now()).stamp !== stamp) return false;
      continue;
    }
    if (statStamp(dir) !== stamp) return false;
  }
  for (const [file, stamp] of c.files) {
    if (stamp === UNSTABLE || readStamped(file).stamp !== stamp) return false;
  }
  return true;
}

function statStamp(dir: string): string {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() ? `d ${st.ino} ${st.mtimeMs} ${st.ctimeMs}` : ABSENT;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? ABSENT : UNSTABLE;
  }
}

export function encodeConsulted(c: Consulted): { dirs: [string, string][]; files: [string, string][] } {
  return { dirs: [...c.dirs], files: [...c.files] };
}

export function decodeConsulted(raw: { dirs: [string, string][]; files: [string, string][] }): Consulted {
  return { dirs: new Map(raw.dirs), files: new Map(raw.files) };
}
