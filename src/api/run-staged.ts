// runner run --staged: checks what is being committed. The index's content
// under the source tree is written to a staged tree in the state directory,
// and the jobs of the staged files (and of the files that depend on them)
// run there; results land in the working tree's manifest, by fingerprint, so
// content already checked either way is not checked again.
import path from 'node:path';
import { type LatchedTool, isGlobPattern } from '../config/index.js';
import type { DepGraph } from '../deps/index.js';
import { UsageError } from '../errors.js';
import { findWorkTree, stagedDeletions, stagedPaths } from '../git/index.js';
import { type JobResult, decodeDeps } from '../manifest/index.js';
import type { Makeflags } from '../jobserver/index.js';
import { type Plan, type PlanInput, type PlannedJob, type UncheckedJob, planJobs } from '../plan/index.js';
import { compileGlobs } from '../scan/index.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import { findDeps } from './find-deps.js';
import { inPhase } from './phase.js';
import { executePlan } from './execute-plan.js';
import { checkMergedLog, writeMergedLog } from './merged-log-setting.js';
import type { RunOptions } from './options.js';
import { planInputOf } from './plan-input.js';
import { checkToolNames, warnOfSecrets } from './run-checks.js';
import { type RunReport, runReportOf, unchangedScan } from './run-report.js';
import { withSession } from './scan-and-save.js';
import { scanStaged, stagedRoots, stagedTools, writeStagedTree } from './staged-tree.js';

export async function runStaged(
  opts: RunOptions,
  makeflags: Makeflags | null,
  dryRun: boolean,
  started: number,
): Promise<RunReport> {
  const signal = opts.signal ?? new AbortController().signal;
  if (opts.files !== undefined && opts.files.length > 0)
    throw new UsageError('--staged checks what is staged for commit; give no FILE with it');
  return withSession({ ...opts, neededTools: opts.tools, beforeState: (c) => checkMergedLog(c, opts) }, async (s) => {
    warnOfSecrets(s, opts.events);
    const onlyTools =
      opts.tools === undefined || opts.tools.length === 0 ? undefined : checkToolNames(s.tools, opts.tools);
    const work = findWorkTree(s.sourceTree, opts.env, opts.cwd);
    const staged = stagedPaths(work);
    const deleted = stagedDeletions(work);
    if (staged.length === 0 && deleted.length === 0) {
      return runReportOf({
        dryRun,
        scan: unchangedScan(0),
        signal: null,
        mergedLog: null,
        started,
        staged: [...staged, ...deleted].sort(),
      });
    }
    const written = writeStagedTree(s, work, process.pid, (message) => opts.events.emit({ type: 'warning', message }));
    opts.events.emit({ type: 'staged-tree-made', remove: written.remove });
    const roots = stagedRoots(s, written.root);
    opts.events.emit({ type: 'staged-roots', roots, sourceTree: s.sourceTree });
    try {
      // The staged tree's view: its files, the tools as they apply there, and (kept tree only) its own python
      // import cache and javascript graph. The manifest's files stay the working tree's; results land in it by fingerprint.
      const scanned = scanStaged(s, stagedTools(s, written.root, opts.env, onlyTools), work, written, opts.events);
      const { tree } = scanned;
      const deps = await findDeps(s, tree, opts.events, signal);
      const input = planInputOf(s, scanned, deps.depsOf, {
        force: opts.force,
        rerunFailed: opts.rerunFailed,
        onlyTools,
        listFresh: opts.listFresh,
      });
      const plan = inPhase(opts.events, 'plan', () =>
        planChanged(input, deps.graphs, new Set(staged), new Set(deleted), tree.root),
      );
      const executed = await executePlan(s, tree, plan, { ...opts, makeflags }, signal, {
        dryRun,
        rerunFailed: opts.rerunFailed === true,
      });
      const mergedLog = dryRun ? null : writeMergedLog(s, opts, executed.jobs, roots);
      return runReportOf({
        dryRun,
        scan: scanned.summary,
        executed,
        signal,
        mergedLog,
        started,
        staged: [...staged, ...deleted].sort(),
        deps: deps.summary,
      });
    } finally {
      written.remove();
    }
  });
}

/**
 * The jobs a commit can change: per tool, those of the staged files, of the
 * files whose dependencies (import closure, or what a depfile or trace
 * reported last time) include a staged file, and every job of a tool whose
 * program (when it lives in the source tree) or one of whose declared inputs
 * is staged. Also the jobs a range's changed files can change (`run --framework`, `run --since`,
 * `run FILE... --dependents`), within the caller's `onlyFile` when it gives one.
 */
export function planChanged(
  input: PlanInput,
  graphs: ReadonlyMap<string, DepGraph>,
  staged: ReadonlySet<RelPath>,
  deleted: ReadonlySet<RelPath>,
  root: string,
): Plan {
  const jobs: PlannedJob[] = [];
  const unchecked: UncheckedJob[] = [];
  const reused: JobResult[] = [];
  const restore: PlannedJob[] = [];
  const listed: PlannedJob[] | undefined = input.listFresh === true ? [] : undefined;
  let fresh = 0;
  const byGraph = new Map<string, Set<RelPath>>();
  for (const tool of input.tools) {
    const name = tool.config.name;
    if (input.onlyTools !== undefined && !input.onlyTools.has(name)) continue;
    const changed = isToolStaged(tool, staged, deleted, root)
      ? undefined
      : selection(tool, staged, deleted, graphs, byGraph, input);
    // The caller's own narrowing (run --since REF FILE...) holds too.
    const narrowed = input.onlyFile;
    const onlyFile =
      narrowed === undefined || changed === undefined
        ? (changed ?? narrowed)
        : (p: RelPath) => narrowed(p) && changed(p);
    const plan = planJobs({ ...input, onlyTools: new Set([name]), onlyFile });
    jobs.push(...plan.jobs);
    unchecked.push(...plan.unchecked);
    reused.push(...plan.reused);
    restore.push(...(plan.restore ?? []));
    fresh += plan.fresh;
    listed?.push(...(plan.listed ?? []));
  }
  return {
    jobs,
    fresh,
    unchecked,
    reused,
    ...(restore.length === 0 ? {} : { restore }),
    ...(listed === undefined ? {} : { listed }),
  };
}

/** Whether a staged file changes every job of the tool: one its inputs cover, or its program in the staged tree. */
function isToolStaged(
  tool: LatchedTool,
  staged: ReadonlySet<RelPath>,
  deleted: ReadonlySet<RelPath>,
  root: string,
): boolean {
  const covered = inputCover(tool.config.inputs);
  for (const p of staged) if (covered(p)) return true;
  for (const p of deleted) if (covered(p)) return true;
  return tool.latch.executables.some((e) => {
    const rel = treePath(root, e.where.path);
    return rel !== null && staged.has(rel);
  });
}

/** Whether a path of the source tree is one a tool's inputs cover: a file input, a file below a directory input, a glob's match. */
function inputCover(inputs: readonly string[]): (p: RelPath) => boolean {
  const globs = compileGlobs(inputs.filter(isGlobPattern));
  const paths = inputs
    .filter((i) => !isGlobPattern(i) && !i.startsWith('/') && !i.startsWith('~'))
    .map((i) => path.posix.normalize(i));
  return (p) => globs(p) || paths.some((i) => i === '.' || p === i || p.startsWith(i + '/'));
}

function selection(
  tool: LatchedTool,
  staged: ReadonlySet<RelPath>,
  deleted: ReadonlySet<RelPath>,
  graphs: ReadonlyMap<string, DepGraph>,
  byGraph: Map<string, Set<RelPath>>,
  input: PlanInput,
): (p: RelPath) => boolean {
  const latest = input.latest!;
  const kind = tool.config.deps;
  const graph = graphs.get(kind);
  if (graph !== undefined) {
    const selected = byGraph.get(kind) ?? new Set([...staged].flatMap((p) => [p, ...graph.dependents(p)]));
    byGraph.set(kind, selected);
    if (deleted.size === 0) return (p) => selected.has(p);
    // A deleted file is in no graph of the staged tree, so its importers are found by what it
    // leaves behind: an import that no longer resolves, where the job's last run saw other dependencies;
    // or, where the import now resolves elsewhere (python's `from app import models` to the package
    // itself), the deleted file among the dependencies the last run had and this one has not.
    return (p) => {
      if (selected.has(p)) return true;
      const last = latest(tool.config.name, p);
      const now = last === undefined ? undefined : input.depsOf?.(tool, p, () => last);
      if (last === undefined || now === undefined || now === null || now.digest === last.depsDigest) return false;
      if (graph.closure(p).unresolved.size > 0) return true;
      const changes = now.changesFrom?.(last.depsDigest);
      // The last run's dependencies were not kept: whether it had the deleted file is unknown, so it counts.
      if (changes === null || changes === undefined) return true;
      return changes.some((c) => c.change === 'removed' && deleted.has(c.path as RelPath));
    };
  }
  if (kind === 'depfile' || kind === 'trace') {
    return (p) => {
      if (staged.has(p)) return true;
      const deps = latest(tool.config.name, p)?.deps ?? '';
      return deps !== '' && decodeDeps(deps).some(([d]) => staged.has(d as RelPath) || deleted.has(d as RelPath));
    };
  }
  return (p) => staged.has(p);
}
