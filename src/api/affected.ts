// Affected runs: the files a run treats as changes, whose jobs run with those
// of the files that depend on them (run-staged.ts planChanged selects them):
// `--since REF` asks git what changed since REF; `FILE... --dependents` takes
// the user's files. Decides nothing about staleness: only stale jobs run.
import { UsageError } from '../errors.js';
import { changesSince, findWorkTree } from '../git/index.js';
import type { Session } from '../session.js';
import type { RelPath } from '../types.js';
import type { RunOptions } from './options.js';
import type { SinceReport } from './run-report.js';

/** What a run treats as changed: files whose jobs and dependents' jobs are selected, and deleted files (dependents only). */
export interface Changes {
  changed: ReadonlySet<RelPath>;
  deleted: ReadonlySet<RelPath>;
  /** With --since: what git said, for the report. */
  since?: SinceReport;
}

/** Refuses what cannot go with --since or --dependents, before anything is scanned or written. */
export function checkAffectedOptions(opts: RunOptions): void {
  const hasFiles = opts.files !== undefined && opts.files.length > 0;
  if (opts.since !== undefined) {
    if (opts.staged === true) throw new UsageError('--since checks what changed since a ref; give no --staged with it');
    if (opts.framework === true)
      throw new UsageError('--framework checks what the pre-commit framework asks for; give no --since with it');
    if (opts.dependents === true)
      throw new UsageError(
        '--since already runs the dependents of what changed; give no --dependents with it (FILE... then narrows the run)',
      );
  }
  if (opts.dependents === true) {
    if (!hasFiles) throw new UsageError('--dependents runs the jobs of FILE... and of their dependents; name a FILE');
    if (opts.staged === true)
      throw new UsageError('--staged already runs the dependents of what is staged; give no --dependents with it');
    if (opts.framework === true)
      throw new UsageError(
        '--framework already runs the dependents of the files it is given; give no --dependents with it',
      );
  }
}

/** The changes since `ref` under the source tree (exit 2 when the tree is not in git, or the ref is not a commit). */
export function changesSinceRef(s: Pick<Session, 'sourceTree'>, opts: RunOptions, ref: string): Changes {
  const since = changesSince(findWorkTree(s.sourceTree, opts.env, opts.cwd), ref);
  return { changed: new Set(since.changed), deleted: new Set(since.deleted), since };
}

/** FILE... --dependents: every tracked file the arguments select (a directory: those below it), as changes. */
export function changesOfFiles(files: Iterable<RelPath>, selected: (p: RelPath) => boolean): Changes {
  const changed = new Set<RelPath>();
  for (const p of files) if (selected(p)) changed.add(p);
  return { changed, deleted: new Set() };
}
