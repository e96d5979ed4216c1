// What the pre-commit framework asks its hook to check (`runner run
// --framework FILE...`): decided from the environment it runs in; opens nothing.
// The framework sets no variable for `--all-files`, so git's own is the sign of a commit.

/** In a commit: what --staged checks. Otherwise: the jobs of the files the framework passed, and of their dependents. */
export type FrameworkCheck = { kind: 'staged' } | { kind: 'files'; files: string[] };

/** The range `pre-commit run --from-ref/--to-ref` (or pre-push) checks; null outside one. */
export function frameworkRange(env: Readonly<Record<string, string | undefined>>): { from: string; to: string } | null {
  // pre-commit sets these for `run --from-ref/--to-ref` and pre-push (pre_commit/commands/run.py).
  const from = env.PRE_COMMIT_FROM_REF ?? '';
  const to = env.PRE_COMMIT_TO_REF ?? '';
  return from !== '' && to !== '' ? { from, to } : null;
}

export function frameworkCheck(env: Readonly<Record<string, string | undefined>>, files: string[]): FrameworkCheck {
  // git sets GIT_INDEX_FILE for every pre-commit hook it runs (commit.c, run_commit_hook), and for
  // no `pre-commit run --all-files` from a shell or CI. A bare `pre-commit run` passes the staged
  // files and stashes the rest, so checking them in the working tree checks the staged content.
  if (frameworkRange(env) === null && (env.GIT_INDEX_FILE ?? '') !== '') return { kind: 'staged' };
  return { kind: 'files', files };
}
