// What building a dependency graph read besides the tracked files' content:
// directory listings (does ./a.ts exist? is there a node_modules/pkg?) and
// small files read whole (package.json, tsconfig.json), where symlinks lead
// (realpath). RecordingFs answers those questions and stamps each answer, so that a later run can prove them
// all unchanged (consultedUnchanged) with one stat per directory and one read
// per small file, instead of resolving every import again. Reads only.
import fs from 'node:fs';
import { hashString } from '../hash.js';
import { WATCHMAN_COOKIE } from './stat-identity.js';

/** Everything consulted, by absolute path, with the stamp that proves it unchanged. */
export interface Consulted {
  /** Directory -> its stamp (see stampDir). */
  dirs: Map<string, string>;
  /** File read whole -> its stamp (see stampFile). */
  files: Map<string, string>;
  /** Path -> its real path then, for the few a walk could not prove by listings (see realpath). */
  links: Map<string, string>;
}

interface Listing {
  kinds: Map<string, 'file' | 'dir'>;
  /** Symlink entries -> what they hold (readlink), so a retargeted link changes the directory's stamp. */
  links: Map<string, string>;
}

/** Symlinks followed in one path before it counts as a loop (Linux's MAXSYMLINKS). */
const MAX_LINKS = 40;

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
  /** Per tree, path -> its real path: a file is found by many imports. */
  private readonly realpaths = new Map<string, Map<string, string>>();

  /** Start from what an earlier run consulted, once consultedUnchanged() has proved it still holds. */
  constructor(prior?: Consulted) {
    this.consulted = { dirs: new Map(prior?.dirs), files: new Map(prior?.files), links: new Map(prior?.links) };
  }

  /** The directories in dir (a symlink counts as what it points to), sorted; null when dir is no directory. */
  readonly subdirectories = (dir: string): string[] | null => {
    const l = this.list(dir);
    return l === null
      ? null
      : [...l.kinds]
          .filter(([, kind]) => kind === 'dir')
          .map(([name]) => name)
          .sort();
  };

  /** Whether abs is a file, a directory (a symlink counts as what it points to) or nothing; one readdir per directory. */
  readonly exists = (abs: string): 'file' | 'dir' | null => {
    const slash = abs.lastIndexOf('/');
    if (slash < 0 || slash === abs.length - 1) return null;
    return this.list(slash === 0 ? '/' : abs.slice(0, slash))?.kinds.get(abs.slice(slash + 1)) ?? null;
  };

  /**
   * abs (inside `tree`, absolute and normalised) with every symlink below
   * `tree` resolved, as the kernel's realpath would: the file tsc
   * (preserveSymlinks false) and Node take a module to be. Each component is
   * looked up in its directory's listing, so every link crossed, and every
   * directory that could become one, is in `consulted` (a retargeted link
   * changes its directory's stamp). The tree's own location is taken as
   * given. A path that leaves the tree through a link is kept as it was
   * written (by its path through the link; stat follows it, so its identity
   * still changes with the link); so is anything outside `tree`.
   */
  readonly realpath = (abs: string, tree: string): string => {
    if (!abs.startsWith(tree + '/')) return abs;
    let known = this.realpaths.get(tree);
    if (known === undefined) this.realpaths.set(tree, (known = new Map()));
    let real = known.get(abs);
    if (real === undefined) {
      real = this.walk(abs, tree);
      known.set(abs, real);
    }
    return real;
  };

  private walk(abs: string, tree: string): string {
    const rest = abs
      .slice(tree.length + 1)
      .split('/')
      .reverse();
    let done = tree;
    let hops = 0;
    while (rest.length > 0) {
      const name = rest.pop() as string;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (done === tree) return abs; // out of the tree
        done = done.slice(0, done.lastIndexOf('/'));
        continue;
      }
      const target = this.list(done)?.links.get(name);
      if (target === undefined) {
        done = `${done}/${name}`;
        continue;
      }
      if (++hops > MAX_LINKS) return abs; // a loop: nothing loads through it
      if (target.startsWith('/')) {
        const inside = this.intoTree(target, tree);
        if (inside === null) return abs;
        done = tree;
        rest.push(...inside.split('/').reverse());
      } else {
        rest.push(...target.split('/').reverse());
      }
    }
    return done;
  }

  /** An absolute link target below the tree (by the tree's path or its real one), relative to it; null when outside. */
  private intoTree(target: string, tree: string): string | null {
    if (target.startsWith(tree + '/')) return target.slice(tree.length + 1);
    const real = this.recordedRealpath(tree);
    return target.startsWith(real + '/') ? target.slice(real.length + 1) : null;
  }

  /** The kernel's realpath of abs, recorded for consultedUnchanged to compare; abs itself when it has none. */
  private recordedRealpath(abs: string): string {
    const real = realpathOrSelf(abs);
    if (!this.consulted.links.has(abs)) this.consulted.links.set(abs, real);
    return real;
  }

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
 * A directory's listing and its stamp: `d ino mtime ctime <hash>` (a change
 * of entries moves mtime; when the stat differs, the check lists it again
 * and compares the hash of names, kinds and link targets, so an entry made
 * and removed since, as the cookie file a watchman query makes in the tree's
 * root on every run that asks it, changes nothing), `l <hash>` when an entry
 * is a symlink (what it points to can change kind without touching the
 * directory, so a check lists it again and reads every link) or when its
 * timestamps are too recent to prove anything (a check lists it again),
 * ABSENT when there is no directory, UNSTABLE when it cannot be read. The
 * stat comes first: a change after it cannot hide behind it. Watchman's
 * cookie files are left out of every listing: no import names one.
 */
function listStamped(dir: string, now: number): { listing: Listing | null; stamp: string } {
  let st: fs.Stats;
  const listing: Listing = { kinds: new Map(), links: new Map() };
  try {
    st = fs.statSync(dir);
    if (!st.isDirectory()) return { listing: null, stamp: ABSENT };
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (e.name.startsWith(WATCHMAN_COOKIE)) continue;
      const isLink = e.isSymbolicLink();
      if (isLink) listing.links.set(e.name, fs.readlinkSync(`${dir}/${e.name}`));
      const isDir = e.isDirectory() || (isLink && linksToDir(`${dir}/${e.name}`));
      listing.kinds.set(e.name, isDir ? 'dir' : 'file');
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { listing: null, stamp: code === 'ENOENT' || code === 'ENOTDIR' ? ABSENT : UNSTABLE };
  }
  // Timestamps too recent to prove the listing leave the listing itself as the proof: listed again at the check.
  const racy = Math.max(st.mtimeMs, st.ctimeMs) >= now - racyMarginMs(st);
  if (listing.links.size > 0 || racy) return { listing, stamp: `l ${hashListing(listing)}` };
  return { listing, stamp: `${dirStat(st)} ${hashListing(listing)}` };
}

/** Whether a symlink leads to a directory; a dangling one or a loop (ELOOP) does not. */
function linksToDir(link: string): boolean {
  try {
    return fs.statSync(link, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false;
  }
}

function hashListing(listing: Listing): string {
  const lines = [...listing.kinds].map(([name, kind]) => `${kind} ${name}`);
  for (const [name, target] of listing.links) lines.push(`l ${name}\0${target}`);
  // 64 bits tell two listings of one directory apart; a stamp per consulted directory is read on every no-op.
  return hashString(lines.sort().join('\n')).slice(0, 16);
}

function realpathOrSelf(abs: string): string {
  try {
    return fs.realpathSync.native(abs);
  } catch {
    return abs;
  }
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
    if (stamp.startsWith('d ')) {
      // `d ino mtime ctime hash`: the same stat proves the listing; another stat, the same listing does.
      const hashAt = stamp.lastIndexOf(' ');
      if (statStamp(dir) === stamp.slice(0, hashAt)) continue;
      const now = listStamped(dir, Date.now()).listing;
      if (now === null || now.links.size > 0 || hashListing(now) !== stamp.slice(hashAt + 1)) return false;
      continue;
    }
    if (statStamp(dir) !== stamp) return false; // ABSENT
  }
  for (const [file, stamp] of c.files) {
    if (stamp === UNSTABLE || readStamped(file).stamp !== stamp) return false;
  }
  for (const [abs, real] of c.links) {
    if (realpathOrSelf(abs) !== real) return false;
  }
  return true;
}

function dirStat(st: fs.Stats): string {
  return `d ${st.ino} ${st.mtimeMs} ${st.ctimeMs}`;
}

function statStamp(dir: string): string {
  try {
    const st = fs.statSync(dir);
    return st.isDirectory() ? dirStat(st) : ABSENT;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? ABSENT : UNSTABLE;
  }
}

/** Consulted as JSON can hold it. */
export interface EncodedConsulted {
  dirs: [string, string][];
  files: [string, string][];
  links?: [string, string][];
}

export function encodeConsulted(c: Consulted): Required<EncodedConsulted> {
  return { dirs: [...c.dirs], files: [...c.files], links: [...c.links] };
}

export function decodeConsulted(raw: EncodedConsulted): Consulted {
  return { dirs: new Map(raw.dirs), files: new Map(raw.files), links: new Map(raw.links) };
}
