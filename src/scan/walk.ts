// Walks the source tree and decides, per file, whether its stored digest still
// holds: a directory whose stat is unchanged keeps its stored listing (no
// readdir, no glob matching), a file whose (size, mtime, ctime, inode) is
// unchanged keeps its digest unless the entry is racy. Per-file problems are
// data (ScanIssue), never exceptions.
import fs from 'node:fs';
import { SourceTreeError } from '../errors.js';
import { type DirListing, type FileEntry, FileTable, type IgnoreFileStat, type ScanUpdate } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { sameIgnoreFile, statIgnoreFile } from './ignore-files.js';
import { IgnoreRules } from './ignore-rules.js';
import type { CompiledSpec } from './match.js';
import { startStats } from './stat-many.js';
import { FileVisitor, errCode, readListing } from './visit.js';

export { type ScanIssue, type ScanIssueKind, isReadProblem } from './visit.js';
import type { ScanIssue } from './visit.js';

export interface PriorState {
  /**
   * Updated in place: a fresh 100,000-entry map would keep every walked path string alive. A plain map (a
   * tree never scanned, a test) is copied into a table first.
   */
  files: FileTable | ReadonlyMap<RelPath, FileEntry>;
  dirs: ReadonlyMap<RelPath, DirListing>;
  racyThresholdMs: number;
  walkSpec: string | null;
  /** Decodes what is still packed (the manifest's files and results), called while a worker thread stats. */
  decodeAhead?: () => void;
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

export function scanTree(opts: {
  sourceTree: string;
  spec: CompiledSpec;
  prior: PriorState;
  onProgress?: (visited: number, hashed: number) => void;
}): ScanResult {
  const { sourceTree: root, spec, prior } = opts;
  const scanStartedMs = Date.now();
  const reuseListings = prior.walkSpec === spec.key;

  // The files are first needed once the stats have begun (below), so decoding them overlaps the stat pass.
  let files: FileTable | null = null;
  const filesOf = (): FileTable => (files ??= tableOf(prior.files));
  const v = new FileVisitor(root, filesOf, prior.racyThresholdMs, scanStartedMs, opts.onProgress);
  const dirs = new Map<RelPath, DirListing>();
  const changedDirs: RelPath[] = [];
  const keptDirs: RelPath[] = [];

  // First every candidate file, from stored or fresh directory listings; then their stats in bulk.
  const candidates: RelPath[] = [];
  if (spec.whitelist !== null) {
    for (const rel of spec.whitelist as RelPath[]) {
      if (spec.isSkipped(rel) || rel.split('/').includes('.git')) continue;
      if (spec.isIncluded(rel) && !spec.isExcluded(rel)) candidates.push(rel);
    }
  } else {
    const rules = spec.gitignore === null ? null : new IgnoreRules(root, spec.gitignore);
    const stack: RelPath[] = ['' as RelPath];
    // Beside the stack: whether a .gitignore above the directory changed, so its stored listing no longer holds.
    const rulesChangedStack: boolean[] = [false];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      const rulesChanged = rulesChangedStack.pop()!;
      let childRulesChanged = rulesChanged;
      const abs = dir === '' ? root : `${root}/${dir}`;
      let st: fs.Stats;
      let listing: DirListing;
      try {
        st = dir === '' ? fs.statSync(abs) : fs.lstatSync(abs);
        const old = reuseListings ? prior.dirs.get(dir) : undefined;
        if (
          old !== undefined &&
          old.mtimeMs === st.mtimeMs &&
          old.ctimeMs === st.ctimeMs &&
          old.ino === st.ino &&
          !v.isRacy(st) &&
          !rulesChanged &&
          !(old.hasIgnored && spec.gitignore?.indexChanged === true) &&
          // An unchanged directory has the same names, so only one that had a .gitignore costs a stat here.
          (old.ignoreFile === null || ignoreFileHolds(abs, old.ignoreFile, v))
        ) {
          listing = old;
          dirs.set(dir, listing);
        } else {
          if (old !== undefined) v.hadRacy ||= v.isRacy(st);
          const read = readListing(abs, dir, st, spec, v, rules);
          listing = read.listing;
          // A .gitignore written too close to the last scan may hold new rules under the same stat.
          const g = listing.ignoreFile;
          const isRacyRules = g !== null && v.isRacy(g);
          v.hadRacy ||= isRacyRules;
          if (old === undefined || !sameIgnoreFile(old.ignoreFile, g) || isRacyRules) childRulesChanged = true;
          if (read.cacheable) {
            dirs.set(dir, listing);
            changedDirs.push(dir);
          }
        }
      } catch (err) {
        const code = errCode(err);
        if (dir === '') throw new SourceTreeError({ path: root, problem: `cannot be read (${code})` }, { cause: err });
        if (code === 'ENOENT') v.issue(dir, 'vanished', 'directory removed while being scanned', 'directory');
        else {
          v.issue(dir, 'unreadable', `directory cannot be read (${code})`, 'directory');
          keptDirs.push(dir);
        }
        continue;
      }
      for (let i = listing.subdirs.length - 1; i >= 0; i--) {
        stack.push((dir === '' ? listing.subdirs[i]! : `${dir}/${listing.subdirs[i]!}`) as RelPath);
        rulesChangedStack.push(childRulesChanged);
      }
      for (const name of listing.files) candidates.push((dir === '' ? name : `${dir}/${name}`) as RelPath);
    }
  }
  const pending = startStats(root, candidates);
  prior.decodeAhead?.();
  filesOf();
  const stats = pending.finish();
  for (let i = 0; i < candidates.length; i++) v.visit(candidates[i]!, stats, i);

  const { keptPaths } = v;
  const isKept = (p: RelPath): boolean => keptPaths.has(p) || keptDirs.some((d) => p.startsWith(d + '/'));
  const removedFiles: RelPath[] = [];
  const table = filesOf();
  if (v.seenCount !== table.size) {
    // Unseen entries leave the map: removed, or (unreadable now) kept in the store's results only.
    for (const p of table.unseen(v.seen)) {
      table.delete(p);
      if (!isKept(p)) removedFiles.push(p);
    }
  }
  const removedDirs: RelPath[] = [];
  for (const p of prior.dirs.keys()) if (!dirs.has(p) && !(keptDirs.includes(p) || isKept(p))) removedDirs.push(p);

  return {
    update: {
      files: table,
      dirs,
      changedFiles: v.changedEntries,
      removedFiles,
      changedDirs,
      removedDirs,
      keptPaths,
      keptDirs,
      walkSpec: spec.key,
      scanStartedMs,
      hadRacy: v.hadRacy,
    },
    issues: v.issues,
    newFiles: v.newFiles,
    changedFiles: v.changedFiles,
    removedFiles,
    hashed: v.hashed,
  };
}

export function tableOf(files: PriorState['files']): FileTable {
  return files instanceof FileTable ? files : FileTable.of(files);
}

/** Whether a stored listing's .gitignore is unchanged: same stat, and not written too close to the last scan to tell. */
function ignoreFileHolds(absDir: string, stored: IgnoreFileStat, v: FileVisitor): boolean {
  const now = statIgnoreFile(absDir);
  if (now === null || !sameIgnoreFile(stored, now)) return false;
  if (v.isRacy(now)) {
    v.hadRacy = true;
    return false;
  }
  return true;
}
