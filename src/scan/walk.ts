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

export type ScanIssueKind = 'unreadable' | 'vanished' | 'symlink-loop' | 'not-utf8';

export interface ScanIssue {
  path: string;
  kind: ScanIssueKind;
  detail: string;
}

export interface PriorState {
  files: ReadonlyMap<RelPath, FileEntry>;
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
  const isRacy = (st: fs.Stats): boolean => st.mtimeMs >= racyLimit || st.ctimeMs >= racyLimit;
  const reuseListings = prior.walkSpec === spec.key;

  const files = new Map<RelPath, FileEntry>();
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

  const hashInto = (rel: RelPath, abs: string, st: fs.Stats, old: FileEntry | undefined): void => {
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
    const entry: FileEntry = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, digest };
    files.set(rel, entry);
    changedEntries.push(rel);
    if (old === undefined) newFiles.add(rel);
    else if (old.digest !== digest) changedFiles.add(rel);
  };

  const visitFile = (rel: RelPath): void => {
    visited++;
    if (opts.onProgress !== undefined && visited % PROGRESS_EVERY === 0) opts.onProgress(visited, hashed);
    const abs = `${root}/${rel}`;
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ELOOP') {
        issue(rel, 'symlink-loop', 'is a symbolic link that loops');
        keptPaths.add(rel);
      } else if (code === 'ENOENT' || code === 'ENOTDIR') {
        const dangling = fs.lstatSync(abs, { throwIfNoEntry: false })?.isSymbolicLink() === true;
        if (dangling) issue(rel, 'unreadable', 'is a symbolic link to nothing');
        else issue(rel, 'vanished', 'removed while being scanned');
      } else {
        issue(rel, 'unreadable', `cannot be read (${code})`);
        keptPaths.add(rel);
      }
      return;
    }
    if (!st.isFile()) return; // a link to a directory, a fifo, a socket: not a file to track
    const old = prior.files.get(rel);
    if (old !== undefined && old.mtimeMs === st.mtimeMs && old.ctimeMs === st.ctimeMs && old.ino === st.ino && old.size === st.size) {
      if (!isRacy(st)) {
        files.set(rel, old);
        return;
      }
      hadRacy = true;
    }
    hashInto(rel, abs, st, old);
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

  if (spec.whitelist !== null) {
    for (const rel of spec.whitelist as RelPath[]) {
      if (spec.isSkipped(rel) || rel.split('/').includes('.git')) continue;
      if (spec.isIncluded(rel) && !spec.isExcluded(rel)) visitFile(rel);
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
      for (const name of listing.files) visitFile((dir === '' ? name : `${dir}/${name}`) as RelPath);
    }
  }

  const isKept = (p: RelPath): boolean => keptPaths.has(p) || keptDirs.some((d) => p.startsWith(d + '/'));
  const removedFiles: RelPath[] = [];
  for (const p of prior.files.keys()) if (!files.has(p) && !isKept(p)) removedFiles.push(p);
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
