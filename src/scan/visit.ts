// The per-file and per-directory decisions the full walk and the targeted
// update share: whether a file's stored digest still holds (stat fast path,
// racy rule), and what a directory's listing keeps. Per-file problems are
// data (ScanIssue), never exceptions.
import fs from 'node:fs';
import type { DirListing, FileEntry, FileTable } from '../manifest/index.js';
import { RACY_MARGIN_MS } from '../racy-margin.js';
import { type RelPath, assertNever } from '../types.js';
import { digestFile } from './digest.js';
import type { IgnoreRules } from './ignore-rules.js';
import type { CompiledSpec } from './match.js';
import { KIND, STAT_WIDTH, errorOfKind } from './stat-many.js';

export type ScanIssueKind = 'unreadable' | 'vanished' | 'dangling-symlink' | 'symlink-loop' | 'not-utf8';

export interface ScanIssue {
  /** Relative to the source tree; a name that is not UTF-8 shows its bad bytes as \\xNN. */
  path: string;
  kind: ScanIssueKind;
  detail: string;
  /** A directory stands for the unknown files below it: counted as one directory, never as files. */
  entry: 'file' | 'directory';
}

/**
 * Whether runner failed to read something the config tracks: the jobs on it
 * cannot be checked, so the run must not pass (README, "Files runner cannot
 * read"). A file removed mid-scan, or a link to nothing (an editor's lock
 * file), has no content to check: it is gone, as a removed file is.
 */
export function isReadProblem(issue: ScanIssue): boolean {
  switch (issue.kind) {
    case 'unreadable':
    case 'symlink-loop':
    case 'not-utf8':
      return true;
    case 'vanished':
    case 'dangling-symlink':
      return false;
    default:
      return assertNever(issue.kind);
  }
}

/** What the walk compares of a file's or directory's stat. */
export interface StatNumbers {
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

const PROGRESS_EVERY = 2000;
/** Marks the entries a scan sees; in memory only, so any increasing number will do. */
let generation = 0;

export const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';

/** Visits files one by one, updating `files` in place and collecting what changed. */
export class FileVisitor {
  readonly seen = ++generation;
  seenCount = 0;
  hashed = 0;
  visited = 0;
  hadRacy = false;
  readonly issues: ScanIssue[] = [];
  readonly newFiles = new Set<RelPath>();
  /** Files whose content digest differs from the stored one. */
  readonly changedFiles = new Set<RelPath>();
  /** New or re-stat'ed entries, to be written. */
  readonly changedEntries: RelPath[] = [];
  /** Paths with a per-file problem: kept in the store, not tracked now. */
  readonly keptPaths = new Set<RelPath>();
  private readonly racyLimit: number;
  private table: FileTable | null = null;

  constructor(
    private readonly root: string,
    /** The files to update, asked for at the first file visited (the walk decodes them while stats run). */
    private readonly filesOf: () => FileTable,
    racyThresholdMs: number,
    /** When this scan started: the changedAt of content first seen now. */
    private readonly startedMs: number,
    private readonly onProgress?: (visited: number, hashed: number) => void,
  ) {
    this.racyLimit = racyThresholdMs - RACY_MARGIN_MS;
  }

  get files(): FileTable {
    return (this.table ??= this.filesOf());
  }

  isRacy(st: StatNumbers): boolean {
    return st.mtimeMs >= this.racyLimit || st.ctimeMs >= this.racyLimit;
  }

  issue(path: string, kind: ScanIssueKind, detail: string, entry: ScanIssue['entry'] = 'file'): void {
    this.issues.push({ path, kind, detail, entry });
  }

  private hashInto(rel: RelPath, st: StatNumbers & { size: number }, old: FileEntry | undefined): void {
    let digest;
    try {
      digest = digestFile(`${this.root}/${rel}`);
    } catch (err) {
      const code = errCode(err);
      if (code === 'ENOENT') this.issue(rel, 'vanished', 'removed while being scanned');
      else {
        this.issue(rel, 'unreadable', `cannot be read (${code})`);
        this.keptPaths.add(rel);
      }
      return;
    }
    this.hashed++;
    const changedAt = old !== undefined && old.digest === digest ? old.changedAt : this.startedMs;
    const entry: FileEntry = {
      size: st.size,
      mtimeMs: st.mtimeMs,
      ctimeMs: st.ctimeMs,
      ino: st.ino,
      digest,
      changedAt,
      seen: this.seen,
    };
    this.files.set(rel, entry);
    this.seenCount++;
    this.changedEntries.push(rel);
    if (old === undefined) this.newFiles.add(rel);
    else if (old.digest !== digest) this.changedFiles.add(rel);
  }

  /** Decides one file from its stat (already taken, in bulk): keep the stored digest, or read it. */
  visit(rel: RelPath, stats: Float64Array, at: number): void {
    this.visited++;
    if (this.onProgress !== undefined && this.visited % PROGRESS_EVERY === 0)
      this.onProgress(this.visited, this.hashed);
    const o = at * STAT_WIDTH;
    const kind = stats[o + 4]!;
    if (kind < 0) {
      const code = errorOfKind(kind);
      if (code === 'ELOOP') {
        this.issue(rel, 'symlink-loop', 'is a symbolic link that loops');
        this.keptPaths.add(rel);
      } else if (code === 'ENOENT' || code === 'ENOTDIR') {
        const dangling = fs.lstatSync(`${this.root}/${rel}`, { throwIfNoEntry: false })?.isSymbolicLink() === true;
        if (dangling) this.issue(rel, 'dangling-symlink', 'is a symbolic link to nothing');
        else this.issue(rel, 'vanished', 'removed while being scanned');
      } else {
        this.issue(rel, 'unreadable', `cannot be read (${code})`);
        this.keptPaths.add(rel);
      }
      return;
    }
    if (kind !== KIND.file) return; // a link to a directory, a fifo, a socket: not a file to track
    const size = stats[o]!;
    const mtimeMs = stats[o + 1]!;
    const ctimeMs = stats[o + 2]!;
    const ino = stats[o + 3]!;
    // Compared in place: an unchanged file builds no entry (issue 17 point 1).
    const verdict = this.files.visitStat(rel, size, mtimeMs, ctimeMs, ino, this.seen, this.racyLimit);
    switch (verdict) {
      case 'seen-twice': // listed twice (a whitelist naming it twice)
        return;
      case 'unchanged':
        this.seenCount++;
        return;
      case 'racy':
        this.hadRacy = true;
        break;
      case 'changed':
      case 'new':
        break;
      default:
        assertNever(verdict);
    }
    this.hashInto(rel, { size, mtimeMs, ctimeMs, ino }, this.files.get(rel));
  }
}

function showName(dir: string, raw: Buffer): string {
  let name = '';
  for (const b of raw) name += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * Reads one directory: the names tracked as files and the subdirectories to
 * descend, leaving out what git ignores when `rules` is given. Not cacheable
 * when it holds a name that is not UTF-8 (reported until it is renamed).
 */
export function readListing(
  abs: string,
  dir: RelPath,
  st: StatNumbers,
  spec: CompiledSpec,
  visitor: FileVisitor,
  rules: IgnoreRules | null,
): { listing: DirListing; cacheable: boolean } {
  const listing: DirListing = {
    mtimeMs: st.mtimeMs,
    ctimeMs: st.ctimeMs,
    ino: st.ino,
    files: [],
    subdirs: [],
    ignoreFile: rules === null ? null : rules.ignoreFileOf(dir),
    hasIgnored: false,
  };
  // Racy or not, the listing may be stored: it is checked against the next scan's threshold before reuse.
  let cacheable = true;
  let raw: Buffer[] | null = null;
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
    const name = e.name;
    const rel = (dir === '' ? name : `${dir}/${name}`) as RelPath;
    let isDir = e.isDirectory();
    let isFileLike = e.isFile() || e.isSymbolicLink();
    if (!isDir && !isFileLike && !e.isFIFO() && !e.isSocket() && !e.isBlockDevice() && !e.isCharacterDevice()) {
      const lst = fs.lstatSync(`${abs}/${name}`, { throwIfNoEntry: false }); // file systems that report no type
      isDir = lst?.isDirectory() === true;
      isFileLike = lst?.isFile() === true || lst?.isSymbolicLink() === true;
    }
    if (spec.isSkipped(rel)) continue;
    // Judged by its name with each bad byte read as U+FFFD: a name the config would not track or descend is no issue.
    const asDir = name !== '.git' && !spec.isExcluded(rel);
    const asFile = spec.isIncluded(rel) && !spec.isExcluded(rel);
    // A bad name on a file system that reports no type cannot be lstat'ed by its lossy name: either will do.
    const isUntyped =
      !isDir &&
      !isFileLike &&
      name.includes('\uFFFD') &&
      !e.isFIFO() &&
      !e.isSocket() &&
      !e.isBlockDevice() &&
      !e.isCharacterDevice();
    const isWanted = isDir ? asDir : isFileLike ? asFile : isUntyped && (asDir || asFile);
    if (!isWanted) continue;
    // Matched only here, when a listing is read: a no-op reuses stored listings and matches nothing.
    const verdict = rules === null ? 'not-ignored' : rules.verdict(dir, name, isDir);
    if (verdict !== 'not-ignored') {
      listing.hasIgnored = true; // read again when the index changes: git may track it now, or no longer
      if (verdict === 'ignored') continue;
    }
    if (name.includes('\uFFFD')) {
      raw ??= fs.readdirSync(abs, { encoding: 'buffer' });
      const bad = raw.filter((b) => !isUtf8(b) && b.toString('utf8') === name);
      if (bad.length > 0) {
        // A job's path reaches its tool as a UTF-8 string, so such a name cannot be tracked; keep reporting it until it is renamed.
        cacheable = false;
        const what = isDir
          ? 'directory has a name that is not valid UTF-8, so nothing below it is checked; rename it'
          : 'has a name that is not valid UTF-8, so no tool can be given its path; rename it';
        for (const b of bad) visitor.issue(showName(dir, b), 'not-utf8', what, isDir ? 'directory' : 'file');
        continue;
      }
    }
    if (isDir) listing.subdirs.push(name);
    else listing.files.push(name);
  }
  return { listing, cacheable };
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
