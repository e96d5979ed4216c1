// Walks the source tree and decides, per file, whether its stored digest still
// holds: a directory whose stat is unchanged keeps its stored listing (no
// readdir, no glob matching), a file whose (size, mtime, ctime, inode) is
// unchanged keeps its digest unless the entry is racy. Per-file problems are
// data (ScanIssue), never exceptions.
import fs from 'node:fs';
import { SourceTreeError } from '../errors.js';
import type { DirListing, FileEntry, ScanUpdate } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { digestFile } from './digest.js';
import type { CompiledSpec } from './match.js';
import { KIND, STAT_WIDTH, errorOfKind, statMany } from './stat-many.js';

export type ScanIssueKind = 'unreadable' | 'vanished' | 'symlink-loop' | 'not-utf8';

export interface ScanIssue {
  path: string;
  kind: ScanIssueKind;
  detail: string;
}

/** What the walk compares of a file's stat. */
interface StatNumbers {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export interface PriorState {
  /** Updated in place: a fresh 100,000-entry map would keep every walked path string alive. */
  files: Map<RelPath, FileEntry>;
  dirs: ReadonlyMap<RelPath, DirListing>;
  racyThresholdMs: number;
  walkSpec: string | null;
}

export interface ScanResult {
  update: ScanUpdate;
  issues: ScanIssue[];
  newFiles: Set<RelPath>;
  /** Files whose content digest differs from the stored one. */
  changedFiles: Set<RelPath>;
  removedFiles: RelPath[];
  /** How many files were read and hashed. */
  hashed: number;
}

/**
 * File timestamps come from a coarse clock that can lag real time (a jiffy;
 * a second or two on some file systems), so an entry modified just before the
 * threshold is treated as racy too. Costs a re-hash of recently touched files.
 */
const RACY_MARGIN_MS = 2000;
const PROGRESS_EVERY = 2000;
/** Marks the entries a scan sees; in memory only, so any increasing number will do. */
let generation = 0;

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';

function showName(dir: string, raw: Buffer): string {
  let name = '';
  for (const b of raw) name += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return dir === '' ? name : `${dir}/${name}`;
}

export function scanTree(opts: {
  sourceTree: string;
  spec: CompiledSpec;
  prior: PriorState;
  onProgress?: (visited: number, hashed: number) => void;
}): ScanResult {
  const { sourceTree: root, spec, prior } = opts;
  const scanStartedMs = Date.now();
  const racyLimit = prior.racyThresholdMs - RACY_MARGIN_MS;
  const isRacy = (st: StatNumbers): boolean => st.mtimeMs >= racyLimit || st.ctimeMs >= racyLimit;
  const reuseListings = prior.walkSpec === spec.key;

  const files = prior.files;
  const seen = ++generation;
  let seenCount = 0;
  const dirs = new Map<RelPath, DirListing>();
  const changedEntries: RelPath[] = [];
  const changedDirs: RelPath[] = [];
  const keptPaths = new Set<RelPath>();
  const keptDirs: RelPath[] = [];
  const issues: ScanIssue[] = [];
  const newFiles = new Set<RelPath>();
  const changedFiles = new Set<RelPath>();
  let hadRacy = false;
  let hashed = 0;
  let visited = 0;

  const issue = (path: string, kind: ScanIssueKind, detail: string): void => {
    issues.push({ path, kind, detail });
  };

  const hashInto = (rel: RelPath, abs: string, st: StatNumbers, old: FileEntry | undefined): void => {
    let digest;
    try {
      digest = digestFile(abs);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT') issue(rel, 'vanished', 'removed while being scanned');
      else {
        issue(rel, 'unreadable', `cannot be read (${code})`);
        keptPaths.add(rel);
      }
      return;
    }
    hashed++;
    const changedAt = old !== undefined && old.digest === digest ? old.changedAt : scanStartedMs;
    const entry: FileEntry = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, digest, changedAt, seen };
    files.set(rel, entry);
    seenCount++;
    changedEntries.push(rel);
    if (old === undefined) newFiles.add(rel);
    else if (old.digest !== digest) changedFiles.add(rel);
  };

  /** Decides one file from its stat (already taken, in bulk): keep the stored digest, or read it. */
  const visitFile = (rel: RelPath, stats: Float64Array, at: number): void => {
    visited++;
    if (opts.onProgress !== undefined && visited % PROGRESS_EVERY === 0) opts.onProgress(visited, hashed);
    const o = at * STAT_WIDTH;
    const kind = stats[o + 4]!;
    if (kind < 0) {
      const code = errorOfKind(kind);
      if (code === 'ELOOP') {
        issue(rel, 'symlink-loop', 'is a symbolic link that loops');
        keptPaths.add(rel);
      } else if (code === 'ENOENT' || code === 'ENOTDIR') {
        const dangling = fs.lstatSync(`${root}/${rel}`, { throwIfNoEntry: false })?.isSymbolicLink() === true;
        if (dangling) issue(rel, 'unreadable', 'is a symbolic link to nothing');
        else issue(rel, 'vanished', 'removed while being scanned');
      } else {
        issue(rel, 'unreadable', `cannot be read (${code})`);
        keptPaths.add(rel);
      }
      return;
    }
    if (kind !== KIND.file) return; // a link to a directory, a fifo, a socket: not a file to track
    const size = stats[o]!;
    const mtimeMs = stats[o + 1]!;
    const ctimeMs = stats[o + 2]!;
    const ino = stats[o + 3]!;
    const old = files.get(rel);
    if (old !== undefined && old.seen === seen) return; // listed twice (a whitelist naming it twice)
    if (old !== undefined && old.mtimeMs === mtimeMs && old.ctimeMs === ctimeMs && old.ino === ino && old.size === size) {
      if (mtimeMs < racyLimit && ctimeMs < racyLimit) {
        old.seen = seen;
        seenCount++;
        return;
      }
      hadRacy = true;
    }
    hashInto(rel, `${root}/${rel}`, { size, mtimeMs, ctimeMs, ino }, old);
  };

  const readListing = (abs: string, dir: RelPath, st: fs.Stats): { listing: DirListing; cacheable: boolean } => {
    const listing: DirListing = { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, files: [], subdirs: [] };
    // Racy or not, the listing may be stored: it is checked against the next scan's threshold before reuse.
    let cacheable = true;
    let raw: Buffer[] | null = null;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      const name = e.name;
      const rel = (dir === '' ? name : `${dir}/${name}`) as RelPath;
      if (name.includes('\uFFFD')) {
        raw ??= fs.readdirSync(abs, { encoding: 'buffer' });
        const bad = raw.filter((b) => !isUtf8(b) && b.toString('utf8') === name);
        if (bad.length > 0) {
          cacheable = false; // keep reporting it until it is renamed
          for (const b of bad) issue(showName(dir, b), 'not-utf8', 'has a name that is not valid UTF-8; rename it');
          continue;
        }
      }
      let isDir = e.isDirectory();
      let isFileLike = e.isFile() || e.isSymbolicLink();
      if (!isDir && !isFileLike && !e.isFIFO() && !e.isSocket() && !e.isBlockDevice() && !e.isCharacterDevice()) {
        const lst = fs.lstatSync(`${abs}/${name}`, { throwIfNoEntry: false }); // file systems that report no type
        isDir = lst?.isDirectory() === true;
        isFileLike = lst?.isFile() === true || lst?.isSymbolicLink() === true;
      }
      if (spec.isSkipped(rel)) continue;
      if (isDir) {
        if (name !== '.git' && !spec.isExcluded(rel)) listing.subdirs.push(name);
      } else if (isFileLike && spec.isIncluded(rel) && !spec.isExcluded(rel)) {
        listing.files.push(name);
      }
    }
    return { listing, cacheable };
  };

  // First every candidate file, from stored or fresh directory listings; then their stats in bulk.
  const candidates: RelPath[] = [];
  if (spec.whitelist !== null) {
    for (const rel of spec.whitelist as RelPath[]) {
      if (spec.isSkipped(rel) || rel.split('/').includes('.git')) continue;
      if (spec.isIncluded(rel) && !spec.isExcluded(rel)) candidates.push(rel);
    }
  } else {
    const stack: RelPath[] = ['' as RelPath];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const abs = dir === '' ? root : `${root}/${dir}`;
      let st: fs.Stats;
      let listing: DirListing;
      try {
        st = dir === '' ? fs.statSync(abs) : fs.lstatSync(abs);
        const old = reuseListings ? prior.dirs.get(dir) : undefined;
        if (old !== undefined && old.mtimeMs === st.mtimeMs && old.ctimeMs === st.ctimeMs && old.ino === st.ino && !isRacy(st)) {
          listing = old;
          dirs.set(dir, listing);
        } else {
          if (old !== undefined) hadRacy ||= isRacy(st);
          const read = readListing(abs, dir, st);
          listing = read.listing;
          if (read.cacheable) {
            dirs.set(dir, listing);
            changedDirs.push(dir);
          }
        }
      } catch (err) {
        const code = errCode(err);
        if (dir === '') throw new SourceTreeError({ path: root, problem: `cannot be read (${code})` }, { cause: err });
        if (code === 'ENOENT') issue(dir, 'vanished', 'directory removed while being scanned');
        else {
          issue(dir, 'unreadable', `directory cannot be read (${code})`);
          keptDirs.push(dir);
        }
        continue;
      }
      for (let i = listing.subdirs.length - 1; i >= 0; i--) {
        stack.push((dir === '' ? listing.subdirs[i]! : `${dir}/${listing.subdirs[i]!}`) as RelPath);
      }
      for (const name of listing.files) candidates.push((dir === '' ? name : `${dir}/${name}`) as RelPath);
    }
  }
  const stats = statMany(root, candidates);
  for (let i = 0; i < candidates.length; i++) visitFile(candidates[i]!, stats, i);

  const isKept = (p: RelPath): boolean => keptPaths.has(p) || keptDirs.some((d) => p.startsWith(d + '/'));
  const removedFiles: RelPath[] = [];
  if (seenCount !== files.size) {
    // Unseen entries leave the map: removed, or (unreadable now) kept in the store's results only.
    for (const [p, entry] of files) {
      if (entry.seen === seen) continue;
      files.delete(p);
      if (!isKept(p)) removedFiles.push(p);
    }
  }
  const removedDirs: RelPath[] = [];
  for (const p of prior.dirs.keys()) if (!dirs.has(p) && !(keptDirs.includes(p) || isKept(p))) removedDirs.push(p);

  return {
    update: {
      files, dirs, changedFiles: changedEntries, removedFiles, changedDirs, removedDirs,
      keptPaths, keptDirs, walkSpec: spec.key, scanStartedMs, hadRacy,
    },
    issues, newFiles, changedFiles, removedFiles, hashed,
  };
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function isUtf8(b: Buffer): boolean {
  try {
    decoder.decode(b);
    return true;
  } catch {
    return false;
  }
}
