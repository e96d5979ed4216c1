// Brings the manifest's files and directory listings up to date for a set of
// changed paths (what a file watcher reported), without walking the tree: it
// re-reads the listings of the directories those paths are in, walks
// directories that appeared, drops those that went, and stats (and, when the
// stat changed, digests) the files of each re-read directory. The result is
// what a full walk would give for the same tree, except that the racy
// threshold does not move: entries this update did not visit may still be racy.
import fs from 'node:fs';
import type { DirListing, ScanUpdate } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { sameIgnoreFile } from './ignore-files.js';
import { IgnoreRules } from './ignore-rules.js';
import type { CompiledSpec } from './match.js';
import { statMany } from './stat-many.js';
import { FileVisitor, errCode, readListing } from './visit.js';
import { type PriorState, type ScanResult, tableOf } from './walk.js';

const parentOf = (p: RelPath): RelPath => {
  const slash = p.lastIndexOf('/');
  return (slash < 0 ? '' : p.slice(0, slash)) as RelPath;
};
const join = (dir: RelPath, name: string): RelPath => (dir === '' ? name : `${dir}/${name}`) as RelPath;
const depth = (p: RelPath): number => (p === '' ? 0 : p.split('/').length);

const sameNames = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((n, i) => n === b[i]);

/** Whether a listing read again is the stored one: same stat, names, ignore file and left-out names. */
function sameListing(a: DirListing, b: DirListing): boolean {
  return (
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs &&
    a.ino === b.ino &&
    a.hasIgnored === b.hasIgnored &&
    sameIgnoreFile(a.ignoreFile, b.ignoreFile) &&
    sameNames(a.files, b.files) &&
    sameNames(a.subdirs, b.subdirs)
  );
}

/** The stored listings cannot answer: the full walk must (and reports what is wrong). */
class NeedsWalk extends Error {}

/**
 * Returns null when the stored state cannot answer for these paths (no
 * listings under the current spec, or a directory the walk enters but does not
 * store): the caller walks the whole tree instead.
 */
export function updatePaths(opts: {
  sourceTree: string;
  spec: CompiledSpec;
  prior: PriorState;
  /** Paths relative to the source tree: files or directories, added, changed or removed. */
  paths: Iterable<RelPath>;
  /**
   * The paths are every change since a clock taken before the stored state was scanned (watchman's answer,
   * taken at `askedMs`, before this update stats anything), or every file whose stat, taken after `askedMs`,
   * differs from the stored one or is racy, every listing and .gitignore found as stored and not racy (the
   * stored tree's check, scan/settled.ts): a .gitignore changed since would be among them
   * (the caller walks then), so a racy one needs no walk; a changed index reads again the listings that left
   * out an ignored name, as the walk does; and the racy threshold moves to `askedMs`, as a walk started then
   * would move it.
   */
  sinceClock?: { askedMs: number };
}): ScanResult | null {
  const { sourceTree: root, spec, prior } = opts;
  // A changed index may make an ignored file tracked: the walk reads again each listing that left one out. So
  // does an update that has every change since a clock (below); the watcher's events alone leave the walk to it.
  const isIndexChanged = spec.gitignore?.indexChanged === true;
  if (prior.walkSpec !== spec.key || (isIndexChanged && opts.sinceClock === undefined)) return null;
  const startedMs = Date.now();
  const files = tableOf(prior.files);
  const v = new FileVisitor(root, () => files, prior.racyThresholdMs, startedMs);
  const dirs = new Map(prior.dirs);
  const changedDirs: RelPath[] = [];
  const removedDirs: RelPath[] = [];
  const removedFiles: RelPath[] = [];
  const keptDirs: RelPath[] = [];
  const candidates: RelPath[] = [];
  // Applied once every listing is read, so a fall-back to the full walk finds the map untouched.
  const forgotten: { path: RelPath; kept: boolean }[] = [];
  const removeFile = (p: RelPath, kept = false): void => {
    forgotten.push({ path: p, kept });
  };

  if (spec.whitelist !== null) {
    // A whitelist walks no directory: each listed path is its own candidate.
    const wanted = new Set<RelPath>();
    for (const p of opts.paths) {
      // A directory's path stands for every listed path below it.
      for (const w of spec.whitelist as RelPath[]) if (w === p || w.startsWith(p + '/')) wanted.add(w);
    }
    for (const p of wanted) {
      if (spec.isSkipped(p) || p.split('/').includes('.git')) continue;
      if (spec.isIncluded(p) && !spec.isExcluded(p)) candidates.push(p);
    }
  } else {
    if (!dirs.has('' as RelPath)) return null;
    const rules = spec.gitignore === null ? null : new IgnoreRules(root, spec.gitignore);
    /** Forgets a directory and everything below it: removed, or (unreadable now) kept in the store's results only. */
    const dropDir = (dir: RelPath, kept = false): void => {
      const listing = dirs.get(dir);
      if (listing === undefined) return;
      dirs.delete(dir);
      if (!kept) removedDirs.push(dir);
      for (const f of listing.files) removeFile(join(dir, f), kept);
      for (const d of listing.subdirs) dropDir(join(dir, d), kept);
    };
    const relisted = new Set<RelPath>();
    /** Reads a walked directory again; walks new subdirectories, and changed ones (by stat) again. */
    const relist = (dir: RelPath): void => {
      relisted.add(dir);
      const abs = dir === '' ? root : `${root}/${dir}`;
      const old = dirs.get(dir);
      let listing: DirListing;
      try {
        const st = dir === '' ? fs.statSync(abs) : fs.lstatSync(abs);
        if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
        const read = readListing(abs, dir, st, spec, v, rules);
        listing = read.listing;
        if (!read.cacheable) throw new NeedsWalk(); // a name that is not UTF-8: the walk keeps reporting it
        // Its .gitignore changed (or may have): the listings below it no longer hold, and the walk re-reads them.
        const g = listing.ignoreFile;
        const isRacyRules = g !== null && v.isRacy(g) && opts.sinceClock === undefined;
        if (old !== undefined && (!sameIgnoreFile(old.ignoreFile, g) || isRacyRules)) throw new NeedsWalk();
      } catch (err) {
        if (err instanceof NeedsWalk || dir === '') throw new NeedsWalk();
        const code = errCode(err);
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          dropDir(dir);
          // Its parent's stored listing still names it.
          if (dir !== '' && !relisted.has(parentOf(dir))) relist(parentOf(dir));
          return;
        }
        // Unreadable: what lies below is kept, not tracked now, as the walk does.
        v.issue(dir, 'unreadable', `directory cannot be read (${code})`, 'directory');
        keptDirs.push(dir);
        dropDir(dir, true);
        return;
      }
      dirs.set(dir, listing);
      // Read again but as stored (a file in it edited): nothing to write, so a save leaves the listings alone.
      if (old === undefined || !sameListing(old, listing)) changedDirs.push(dir);
      for (const f of listing.files) candidates.push(join(dir, f));
      if (old !== undefined) {
        const now = new Set(listing.files);
        for (const f of old.files) if (!now.has(f)) removeFile(join(dir, f));
        const nowDirs = new Set(listing.subdirs);
        for (const d of old.subdirs) if (!nowDirs.has(d)) dropDir(join(dir, d));
      }
      for (const d of listing.subdirs) {
        const sub = join(dir, d);
        const stored = dirs.get(sub);
        if (stored === undefined) {
          relist(sub);
          continue;
        }
        // A directory replaced or changed without an event for it (or before the watcher saw it).
        const st = fs.lstatSync(`${root}/${sub}`, { throwIfNoEntry: false });
        if (st === undefined || stored.mtimeMs !== st.mtimeMs || stored.ctimeMs !== st.ctimeMs || stored.ino !== st.ino)
          relist(sub);
      }
    };
    /** Whether the walk enters dir: each ancestor's stored listing names the next one. */
    const isWalked = (dir: RelPath): boolean =>
      dir === '' ||
      (dirs.get(parentOf(dir))?.subdirs.includes(dir.slice(dir.lastIndexOf('/') + 1)) === true &&
        isWalked(parentOf(dir)));

    const toRelist = new Set<RelPath>();
    if (isIndexChanged) for (const [dir, listing] of dirs) if (listing.hasIgnored) toRelist.add(dir);
    for (const p of opts.paths) {
      toRelist.add(parentOf(p));
      if (dirs.has(p)) toRelist.add(p);
    }
    try {
      for (const dir of [...toRelist].sort((a, b) => depth(a) - depth(b))) {
        if (relisted.has(dir)) continue;
        if (!isWalked(dir)) {
          if (dirs.has(dir)) {
            dropDir(dir); // its parent, read again above, no longer names it
            continue;
          }
          // New below a walked directory, unless something on the way is never walked.
          let at = parentOf(dir);
          while (at !== '' && !(dirs.has(at) && isWalked(at))) at = parentOf(at);
          const way = dir.slice(at === '' ? 0 : at.length + 1).split('/');
          const blocked = way.some((name, i) => {
            const rel = join(at, way.slice(0, i + 1).join('/'));
            const parent = parentOf(rel);
            return (
              name === '.git' ||
              spec.isSkipped(rel) ||
              spec.isExcluded(rel) ||
              (rules !== null && rules.verdict(parent, name, true) === 'ignored')
            );
          });
          if (!blocked && !relisted.has(at)) relist(at);
          continue;
        }
        if (!dirs.has(dir)) return null; // walked, but its listing is not stored (an unreadable or non-UTF-8 name)
        relist(dir);
      }
    } catch (err) {
      if (err instanceof NeedsWalk) return null;
      throw err;
    }
  }

  for (const { path, kept } of forgotten) if (files.delete(path) && !kept) removedFiles.push(path);
  const stats = statMany(root, candidates);
  for (let i = 0; i < candidates.length; i++) v.visit(candidates[i]!, stats, i);
  for (const p of candidates) {
    if (files.has(p) && !files.wasSeen(p, v.seen)) {
      // Listed but not a file now (vanished, a link to a directory) or unreadable.
      files.delete(p);
      if (!v.keptPaths.has(p)) removedFiles.push(p);
    }
  }
  const update: ScanUpdate = {
    files,
    dirs,
    changedFiles: v.changedEntries,
    removedFiles,
    changedDirs,
    removedDirs,
    keptPaths: v.keptPaths,
    keptDirs,
    walkSpec: spec.key,
    scanStartedMs: opts.sinceClock?.askedMs ?? prior.racyThresholdMs,
    // Only with a clock may the threshold move: then it moves as a walk's would, past what was racy.
    hadRacy: opts.sinceClock !== undefined && v.hadRacy,
  };
  return {
    update,
    issues: v.issues,
    newFiles: v.newFiles,
    changedFiles: v.changedFiles,
    removedFiles,
    hashed: v.hashed,
  };
}
