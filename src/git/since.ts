// What changed since a git ref (`run --since REF`): the files that differ
// between the merge base of REF and HEAD and the working tree (committed,
// staged or not), and the untracked files git does not ignore; deletions
// apart, since their dependents are found by what they left behind.
import { GitError } from '../errors.js';
import type { RelPath } from '../types.js';
import { runGit, splitZ } from './command.js';
import type { WorkTree } from './repo.js';

export interface ChangesSince {
  /** The ref as the user gave it. */
  ref: string;
  /** The commit the changes are counted from: the merge base of REF and HEAD (`git diff REF...`'s left side). */
  mergeBase: string;
  /** Added or modified (renames as a deletion and an addition) under the source tree, untracked ones included, relative to it. */
  changed: RelPath[];
  /** Files there at the merge base and gone from the working tree, relative to the source tree. */
  deleted: RelPath[];
}

/** The changes since `ref`, or a GitError naming the ref (no such commit, no common history with HEAD). */
export function changesSince(w: WorkTree, ref: string): ChangesSince {
  const mergeBase = mergeBaseOf(w, ref);
  // Against the working tree, not HEAD: uncommitted work, staged or not, counts as changed.
  // --no-renames: a renamed file's old path is a deletion whose importers must run too.
  const diff = (filter: string): RelPath[] =>
    splitZ(
      runGit(w.git, [
        'diff',
        '--name-only',
        '-z',
        '--no-renames',
        '--relative',
        '--no-ext-diff',
        `--diff-filter=${filter}`,
        mergeBase,
        '--',
      ]),
    ) as RelPath[];
  // From the source tree, ls-files lists only what lies below it, relative to it.
  const untracked = splitZ(runGit(w.git, ['ls-files', '--others', '--exclude-standard', '-z'])) as RelPath[];
  const changed = [...new Set([...diff('d'), ...untracked])].sort();
  return { ref, mergeBase, changed, deleted: diff('D').sort() };
}

/** `git merge-base REF HEAD`, with the failures a user can fix said in words. */
function mergeBaseOf(w: WorkTree, ref: string): string {
  const refused = (detail: string): GitError => new GitError({ what: `--since ${ref}`, detail });
  if (ref === '' || ref.startsWith('-')) throw refused('not a git ref (a branch, tag or commit)');
  let commit: string;
  try {
    commit = runGit(w.git, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])
      .toString('utf8')
      .trim();
  } catch (err) {
    if (!(err instanceof GitError) || err.fields.said === undefined) throw err;
    throw refused(
      `no such commit in the repository at ${w.top} (a branch, tag or commit name; a CI checkout may need to fetch it first)`,
    );
  }
  let head: string;
  try {
    head = runGit(w.git, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']).toString('utf8').trim();
  } catch (err) {
    if (!(err instanceof GitError) || err.fields.said === undefined) throw err;
    throw refused('HEAD has no commit yet, so there is nothing to count changes from');
  }
  try {
    return runGit(w.git, ['merge-base', commit, head]).toString('utf8').trim();
  } catch (err) {
    if (!(err instanceof GitError) || err.fields.said === undefined) throw err;
    throw refused(
      'has no common ancestor with HEAD (in a shallow clone, fetch more history: git fetch --deepen=N or --unshallow)',
    );
  }
}
