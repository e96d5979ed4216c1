// runner run: scans, finds the jobs' dependencies, plans, and has the plan
// executed (execute-plan.ts); returns every job that was not fresh. With
// --staged, run-staged.ts does the same over the staged tree. Either ends
// with the run-finished event, carrying what it returns.
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { type Makeflags, parseMakeflags } from '../jobserver/index.js';
import { type Shard, type UnreadablePath, parseShard, planJobs, shardPlan } from '../plan/index.js';
import type { Session, UnlatchedSession } from '../session.js';
import { argumentPath, treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import { type Changes, changesOfFiles, changesSinceRef, checkAffectedOptions } from './affected.js';
import { NO_DEPS, findDeps, hasJobDeps } from './find-deps.js';
import { inPhase } from './phase.js';
import { executePlan } from './execute-plan.js';
import { checkMergedLog, writeMergedLog } from './merged-log-setting.js';
import type { RunOptions } from './options.js';
import { planInputOf } from './plan-input.js';
import { checkToolNames, warnOfSecrets } from './run-checks.js';
import { type RunReport, runReportOf } from './run-report.js';
import { planChanged, runStaged } from './run-staged.js';
import { stagedRoots } from './staged-tree.js';
import { frameworkCheck, frameworkRange } from '../hook/index.js';
import { findWorkTree, rangeDeletions } from '../git/index.js';
import { type Walked, scanAndSave, walkSpecOf, walkTree, withSession } from './scan-and-save.js';
import { isPlainRun, narrowedPlan, settledOrChecked, settlerOf, startTreeCheck } from './settled-run.js';
import { findWatchman } from '../scan/index.js';
import { watchmanOff } from './watchman-scan.js';
import { startEarly, startNarrowed } from './early-start.js';
import type { EarlyStart } from './execute-plan.js';
import type { LatchedTool } from '../config/index.js';

/** The FILE arguments, relative to `opts`' cwd or -C DIR (tree-path.ts argumentPath); a directory selects what lies below it. */
export function selectFiles(
  s: Pick<Session, 'sourceTree'>,
  tracked: ReadonlyMap<RelPath, unknown>,
  opts: Pick<RunOptions, 'cwd' | 'sourceTree'>,
  files: readonly string[],
  unreadable: readonly UnreadablePath[] = [],
): (p: RelPath) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const arg of files) {
    const abs = argumentPath(opts.cwd, opts.sourceTree, arg);
    const rel = treePath(s.sourceTree, abs);
    if (rel === null) throw new UsageError(`${arg} is outside the source tree ${s.sourceTree}`);
    if (rel === '') return () => true;
    // A file runner cannot read is selected too: its jobs are reported as not checked.
    if (unreadable.some((u) => u.path === rel)) exact.add(rel);
    else if (isDirectory(abs)) prefixes.push(rel + '/');
    else if (tracked.has(rel as RelPath)) exact.add(rel);
    else
      throw new UsageError(
        `${arg} is not a tracked file (it does not exist, or the config's include/exclude or git's ignore rules leave it out); see \`runner explain ${arg}\``,
      );
  }
  return (p) => exact.has(p) || prefixes.some((d) => p.startsWith(d));
}

/**
 * The framework's files as paths of the source tree; one outside it is left out. They are relative to
 * where the framework runs its hooks (the repository's top), never to -C DIR (`args: [-C, subdir]`). One the config
 * does not take is kept, not refused (the framework passes every file it was asked for, not
 * runner's): it selects no job of its own, but a tool whose `inputs` cover it runs all its jobs.
 */
function changedPaths(s: Pick<Session, 'sourceTree'>, cwd: string, files: readonly string[]): Set<RelPath> {
  const out = new Set<RelPath>();
  for (const arg of files) {
    const rel = treePath(s.sourceTree, path.resolve(cwd, arg));
    if (rel !== null && rel !== '') out.add(rel as RelPath);
  }
  return out;
}

/**
 * The files a framework range deletes: the framework passes none of them, yet
 * the jobs that imported one can change (their import resolves nowhere now).
 */
function deletedInRange(s: Pick<Session, 'sourceTree'>, opts: RunOptions): Set<RelPath> {
  const range = frameworkRange(opts.env);
  if (range === null) return new Set();
  return new Set(rangeDeletions(findWorkTree(s.sourceTree, opts.env, opts.cwd), range.from, range.to));
}

function isDirectory(abs: string): boolean {
  try {
    return fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // a symlink loop, a directory above it that cannot be read: the scan has reported it
  }
}

export async function run(opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  // First, so that an unparseable MAKEFLAGS stops the run before anything is written.
  const makeflags = parseMakeflags(opts.env.MAKEFLAGS);
  // `make -n` runs '+' recipes anyway and expects them to do nothing.
  const dryRun = opts.dryRun === true || makeflags?.dryRun === true;
  const check = opts.framework === true ? frameworkCheck(opts.env, opts.files ?? []) : null;
  if (check !== null && opts.staged === true)
    throw new UsageError('--framework checks what the pre-commit framework asks for; give no --staged with it');
  checkAffectedOptions(opts);
  const shard = opts.shard === undefined ? null : parseShard(opts.shard);
  const isStaged = opts.staged === true || check?.kind === 'staged';
  // A commit check is one machine's question about its own index: nothing to split.
  if (shard !== null && isStaged)
    throw new UsageError('--shard splits a run among CI machines; give no --staged with it');
  const report = isStaged
    ? await runStaged(check === null ? opts : { ...opts, files: [] }, makeflags, dryRun, started)
    : await runWorking(opts, makeflags, dryRun, started, check === null ? null : check.files, shard);
  opts.events.emit({ type: 'run-finished', report });
  return report;
}

/**
 * runner run over the working tree; with `changed` (the framework's files), --since or --dependents, the jobs
 * the changes can change; with `shard`, only that shard's share of the selected jobs.
 */
function runWorking(
  opts: RunOptions,
  makeflags: Makeflags | null,
  dryRun: boolean,
  started: number,
  changed: readonly string[] | null,
  shard: Shard | null,
): Promise<RunReport> {
  const signal = opts.signal ?? new AbortController().signal;
  // The tree is walked while version managers say which programs their shims run, when one is asked.
  let walked: Walked | undefined;
  // A cold run's jobs start then too, when that is sound (early-start.ts): over the whole working tree only.
  const mayStartEarly =
    !dryRun &&
    changed === null &&
    shard === null &&
    opts.since === undefined &&
    opts.dependents !== true &&
    (opts.files === undefined || opts.files.length === 0);
  let early: EarlyStart | null = null;
  const whileAsking = (u: UnlatchedSession, ahead: () => LatchedTool[]): (() => Promise<void>) | void => {
    // Watchman's clock must be taken before the walk: the scan asks it, and walks then if it must.
    if (watchmanOff(u, opts.env) !== null || findWatchman(opts.env) === null) walked = walkTree(u, opts.events);
    if (walked !== undefined && mayStartEarly) early = startEarly(u, ahead(), walked, { ...opts, makeflags }, signal);
    const started = early;
    return started === null ? undefined : () => started.abandon();
  };
  // A run that needed no job leaves the settled mark once its last write is done (settled-run.ts); one that
  // lists its fresh jobs too, though only a plain run takes the mark's plan.
  let settle: (() => void) | null = null;
  const plain = isPlainRun(opts, dryRun) && changed === null && shard === null;
  const markable = isPlainRun({ ...opts, listFresh: false }, dryRun) && changed === null && shard === null;
  // The stored tree is checked for any scan of the whole working tree: it may stand in for the walk.
  const checkable = !dryRun && opts.staged !== true && opts.framework !== true && changed === null && shard === null;
  const checkSettled = checkable ? (u: Omit<UnlatchedSession, 'treeCheck'>) => startTreeCheck(u, opts.env) : undefined;
  const session = { ...opts, neededTools: opts.tools, whileAsking, checkSettled };
  const afterSave = (): void => settle?.();
  return withSession(
    { ...session, beforeState: (c) => checkMergedLog(c, opts), foldFiles: true, afterSave },
    async (s) => {
      try {
        return await runScanned(s);
      } catch (err) {
        await early?.abandon(); // nothing of its jobs recorded; they end before the state directory is let go
        throw err;
      }
    },
  );

  async function runScanned(s: Session): Promise<RunReport> {
    warnOfSecrets(s, opts.events);
    // A cached failure's log may be one a commit check recorded in the staged tree.
    const roots = stagedRoots(s);
    opts.events.emit({ type: 'staged-roots', roots, sourceTree: s.sourceTree });
    const onlyTools =
      opts.tools === undefined || opts.tools.length === 0 ? undefined : checkToolNames(s.tools, opts.tools);
    // Asked of git before the scan is saved: a bad ref, or a tree outside git, stops the run at once.
    const since = opts.since === undefined ? null : changesSinceRef(s, opts, opts.since);
    const spec = walked?.spec ?? walkSpecOf(s);
    // The tree as the settled mark left it gives its plan: no result read, no job judged. Else the check may
    // name the few files the scan must look at again.
    const found =
      walked === undefined
        ? inPhase(opts.events, 'scan', () => settledOrChecked(s, spec, opts.events, { plain, markable }))
        : { settled: null };
    const { settled } = found;
    const scanned =
      settled?.scanned ??
      scanAndSave(s, opts.events, {
        walked,
        env: opts.env,
        spec,
        asked: s.treeCheck?.asked,
        ...(found.checked === undefined ? {} : { checked: found.checked }),
        // Written once the jobs have started (execute-plan.ts), unless the dependencies are read first: what
        // they store must not go to the store before the scan it was read from.
        deferWrite: !dryRun && s.tools.every((t) => !hasJobDeps(t, s.sourceTree)),
      });
    // Checked before the dependencies are looked for: a wrong FILE stops the run at once.
    const selected =
      changed === null && opts.files !== undefined && opts.files.length > 0
        ? selectFiles(s, scanned.tree.files, opts, opts.files, scanned.unreadable)
        : undefined;
    // FILE... --dependents are the changes; with --since they narrow the run to what lies there.
    const onlyFile = opts.dependents === true ? undefined : selected;
    const changes: Changes | null =
      changed !== null
        ? { changed: changedPaths(s, opts.cwd, changed), deleted: deletedInRange(s, opts) }
        : since !== null
          ? since
          : opts.dependents === true && selected !== undefined
            ? changesOfFiles(scanned.tree.files.keys(), selected)
            : null;
    const deps = settled !== null ? NO_DEPS : await findDeps(s, scanned.tree, opts.events, signal);
    const input = planInputOf(s, scanned, deps.depsOf, {
      force: opts.force,
      rerunFailed: opts.rerunFailed,
      onlyTools,
      onlyFile,
      // A shard is cut from every selected job, fresh ones included: they weigh in the balance.
      listFresh: opts.listFresh === true || shard !== null,
    });
    // A run that lists its fresh jobs judges every job; those of the files the mark narrows it to start first.
    if (!plain && found.narrow !== undefined && changes === null && early === null) {
      const narrowed = inPhase(opts.events, 'plan', () => narrowedPlan(input, scanned, found.narrow, s.manifest));
      if (narrowed !== null) early = startNarrowed(s, scanned.tree, narrowed, { ...opts, makeflags }, signal);
      // Their tokens are promises: the jobs start at the loop's next turn, before the plan below.
      if (early !== null) await new Promise((resolve) => setImmediate(resolve));
    }
    const { whole, sharded } = inPhase(opts.events, 'plan', () => {
      const all =
        settled !== null
          ? settled.plan
          : changes === null
            ? ((plain ? narrowedPlan(input, scanned, found.narrow, s.manifest) : null) ?? planJobs(input))
            : planChanged(input, deps.graphs, changes.changed, changes.deleted, scanned.tree.root);
      const cut =
        shard === null
          ? null
          : shardPlan(
              all,
              shard,
              opts.shardBy === 'durations' ? input.latest! : () => undefined,
              opts.listFresh === true,
            );
      return { whole: all, sharded: cut };
    });
    const plan = sharded?.plan ?? whole;
    if (markable) settle = settlerOf(s, spec, scanned, plan);
    const executed = await executePlan(s, scanned.tree, plan, { ...opts, makeflags }, signal, {
      dryRun,
      rerunFailed: opts.rerunFailed === true,
      early,
      ...(scanned.write === undefined ? {} : { saveScan: scanned.write }),
    });
    const mergedLog = dryRun ? null : writeMergedLog(s, opts, executed.jobs, roots);
    return runReportOf({
      dryRun,
      scan: scanned.summary,
      executed,
      signal,
      mergedLog,
      started,
      deps: deps.summary,
      ...(shard === null || sharded === null ? {} : { shard: { ...shard, assignment: sharded.assignment } }),
      ...(changes?.since === undefined ? {} : { since: changes.since }),
    });
  }
}
