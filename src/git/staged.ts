// What is being committed: the paths staged under the source tree, and the
// index's content written out as a tree of files.
import type { RelPath } from '../types.js';
import { type GitContext, runGit, splitZ } from './command.js';
import type { WorkTree } from './repo.js';

/** Files staged for commit (added, copied, modified, renamed) under the source tree, relative to it. */
export function stagedPaths(w: WorkTree): RelPath[] {
  const out = runGit(w.git, [
    'diff',
    '--cached',
    '--name-only',
    '-z',
    '--diff-filter=ACMR',
    '--relative',
    '--no-ext-diff',
  ]);
  return splitZ(out) as RelPath[];
}

/** Files the commit deletes under the source tree (renames count as added, under their new name). */
export function stagedDeletions(w: WorkTree): RelPath[] {
  const out = runGit(w.git, [
    'diff',
    '--cached',
    '--name-only',
    '-z',
    '--diff-filter=D',
    '--relative',
    '--no-ext-diff',
  ]);
  return splitZ(out) as RelPath[];
}

/**
 * Files a commit range deletes under the source tree (`FROM...TO`, the
 * range pre-commit's `--from-ref/--to-ref` passes the changed files of; it
 * passes no deleted one, since none is there to check).
 */
export function rangeDeletions(w: WorkTree, from: string, to: string): RelPath[] {
  const out = runGit(w.git, [
    'diff',
    '--name-only',
    '-z',
    '--diff-filter=D',
    '--relative',
    '--no-ext-diff',
    `${from}...${to}`,
  ]);
  return splitZ(out) as RelPath[];
}

/**
 * Writes every index entry under the source tree into `dir` (smudge filters
 * and line-ending conversion applied, as a checkout would); entries keep
 * their path from the work tree's root, so the source tree lands at
 * `dir/<prefix>`. Returns that directory.
 */
export function checkoutIndex(w: WorkTree, dir: string): string {
  // -a from the source tree writes only the entries below it.
  runGit(w.git, ['checkout-index', '-a', `--prefix=${dir}/`]);
  return w.prefix === '' ? dir : `${dir}/${w.prefix}`;
}

/** The tree object of what the index holds under the source tree (written to the object store, as a commit would). */
export function indexTree(w: WorkTree): string {
  if (w.prefix === '') return runGit(w.git, ['write-tree']).toString('utf8').trim();
  try {
    return runGit(w.git, ['write-tree', `--prefix=${w.prefix}/`])
      .toString('utf8')
      .trim();
  } catch {
    // Nothing of the source tree in the index: the empty tree (sha1 or sha256, as the repository has it).
    return runGit(w.git, ['hash-object', '-t', 'tree', '-w', '--stdin'], Buffer.alloc(0)).toString('utf8').trim();
  }
}

/**
 * Makes `dir` hold exactly `tree`'s files, rewriting only those that differ
 * from what `privateIndex` says was written there last time (or whose stat no
 * longer matches it: a job changed or removed them), and removing files the
 * tree no longer has. The repository's own index is not touched.
 */
export function syncTreeInto(git: GitContext, tree: string, dir: string, privateIndex: string): void {
  runGit({ cwd: git.cwd, env: { ...git.env, GIT_INDEX_FILE: privateIndex } }, [
    `--work-tree=${dir}`,
    'read-tree',
    '--reset',
    '-u',
    tree,
  ]);
}

/** Every file path in `tree`, relative to it. */
export function treeFiles(git: GitContext, tree: string): RelPath[] {
  return splitZ(runGit(git, ['ls-tree', '-r', '-z', '--name-only', '--full-tree', tree])) as RelPath[];
}
