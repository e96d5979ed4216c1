// What is being committed: the paths staged under the source tree, and the
// index's content written out as a tree of files.
import type { RelPath } from '../types.js';
import { runGit, splitZ } from './command.js';
import type { WorkTree } from './repo.js';

/** Files staged for commit (added, copied, modified, renamed) under the source tree, relative to it. */
export function stagedPaths(w: WorkTree): RelPath[] {
  const out = runGit(w.git, ['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--relative', '--no-ext-diff']);
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
