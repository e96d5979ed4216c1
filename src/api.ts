// The library the CLI wraps: scan(), run(), watch(), explain(), deps(), jobLog(), showConfig(), clean().
// Never reads process.argv/env/cwd, never prints, never exits.
import fs from 'node:fs';
import path from 'node:path';
import { type Config, documentedDefault } from './config/index.js';
import { type DepGraph, isEveryRunMarker } from './deps/index.js';
import { StateDirError, UsageError } from './errors.js';
import { decodeDepPaths } from './manifest/index.js';
import { planJob, planJobs } from './plan/index.js';
import { type SessionOptions, loadSessionConfig } from './session.js';
import type { RelPath } from './types.js';
import { type PlaceNamed, placeNamedDeps, unshareableParts } from './cache/shareable.js';
import { findDeps } from './api/find-deps.js';
import type { DepsReport, Explanation, ScanReport, ToolExplanation } from './api/command-reports.js';
import type { ApiOptions } from './api/options.js';
import { logShares } from './api/job-report.js';
import { planInputOf } from './api/plan-input.js';
import { scanAndSave, withSession } from './api/scan-and-save.js';
import { isStagedEntry, isStateEntry } from './state-dir.js';
import { isStateGitignore } from './state-gitignore.js';
import { argumentPath, relativePath, treePath } from './tree-path.js';

/** For the caller's last-resort exit path: kills every running job's process group. */
export { killRunningJobs } from './exec/index.js';
export type { TerminalSize } from './exec/index.js';
export { run } from './api/run.js';
export type { ApiOptions, RunOptions } from './api/options.js';
export type {
  DepsScanSummary,
  JobReport,
  JobStatus,
  RunCounts,
  RunReport,
  ScanSummary,
  ShardReport,
  SinceReport,
} from './api/run-report.js';
export { type EventSink, type RunnerEvent, noEvents } from './api/events.js';
export { spawnRunner, type CommandRunner } from './build/index.js';
export { hookInstall, hookUninstall, type HookOptions } from './api/hook.js';
export type { HookInstall, HookUninstall } from './hook/index.js';
export type { DepsReport, Explanation, ScanReport, ToolExplanation } from './api/command-reports.js';
export { watch, type WatchOptions } from './api/watch.js';
export {
  jobLog,
  readLogBytes,
  type JobLogOptions,
  type JobLogReport,
  type JobLogView,
  type OutputStream,
} from './api/job-log-view.js';
export type { CycleStart, WatchCycle, WatchReport, WatchRequest, WatchRequests } from './api/watch-report.js';

export async function scan(opts: ApiOptions): Promise<ScanReport> {
  const started = performance.now();
  return withSession(opts, async (s) => {
    const scanned = scanAndSave(s, opts.events, { env: opts.env });
    const deps = await findDeps(s, scanned.tree, opts.events, opts.signal);
    const plan = planJobs(planInputOf(s, scanned, deps.depsOf));
    const stale = [
      ...plan.jobs.flatMap((p) =>
        p.verdict.state === 'stale'
          ? [{ tool: p.job.tool.config.name, path: p.job.path, reasons: p.verdict.reasons }]
          : [],
      ),
      ...plan.unchecked.map((u) => ({ tool: u.tool.config.name, path: u.path, reasons: u.reasons })),
    ];
    return {
      scan: scanned.summary,
      deps: deps.summary,
      tools: scanned.tree.tools.map((t) => t.config.name),
      stale,
      durationMs: performance.now() - started,
    };
  });
}

export async function explain(opts: ApiOptions & { file: string }): Promise<Explanation> {
  return withSession(opts, async (s) => {
    const abs = argumentPath(opts.cwd, opts.sourceTree, opts.file);
    const rel = treePath(s.sourceTree, abs);
    if (rel === null || rel === '')
      throw new UsageError(`${opts.file} is not a file in the source tree ${s.sourceTree}`);
    const scanned = scanAndSave(s, opts.events, { env: opts.env });
    const { tree } = scanned;
    const { graphs, depsOf } = await findDeps(s, tree, opts.events, opts.signal);
    const input = planInputOf(s, scanned, depsOf);
    const entry = tree.files.get(rel);
    // Not readable now (the file, or a directory above it): each tool that takes it has a job that cannot be checked.
    const unread = scanned.unreadable.find((u) => u.path === rel);
    if (entry === undefined && unread !== undefined) {
      const tools = tree.tools.map((tool, i): ToolExplanation => {
        const last = s.manifest.history(tool.config.name, rel)[0] ?? null;
        return tree.filters[i]!(rel)
          ? {
              tool: tool.config.name,
              state: 'stale',
              reasons: [unread.reason],
              last,
              lastLogShares: null,
              unresolved: [],
              unshareable: [],
              namedByPlace: [],
              home: null,
            }
          : {
              tool: tool.config.name,
              state: 'not-selected',
              reasons: [],
              last,
              lastLogShares: null,
              unresolved: [],
              unshareable: [],
              namedByPlace: [],
              home: null,
            };
      });
      return { file: rel, tracked: true, untracked: null, tools };
    }
    if (entry === undefined) {
      const issue = scanned.summary.issues.find(
        (i) => i.path === rel || (i.entry === 'directory' && rel.startsWith(i.path + '/')),
      );
      if (issue !== undefined)
        return { file: rel, tracked: false, untracked: `${issue.path}: ${issue.detail}`, tools: [] };
      const st = fs.statSync(abs, { throwIfNoEntry: false });
      const why =
        st === undefined
          ? 'it does not exist'
          : st.isDirectory()
            ? 'it is a directory'
            : (scanned.summary.issues.find((i) => i.path === rel)?.detail ??
              "the config's include/exclude (or whitelist), or git's ignore rules, leave it out");
      return { file: rel, tracked: false, untracked: why, tools: [] };
    }
    const tools = tree.tools.map((tool, i): ToolExplanation => {
      const name = tool.config.name;
      const last = s.manifest.history(name, rel)[0] ?? null;
      const lastLogShares = last === null ? null : logShares(s, last);
      if (!tree.filters[i]!(rel))
        return {
          tool: name,
          state: 'not-selected',
          reasons: [],
          last,
          lastLogShares,
          unresolved: [],
          unshareable: [],
          namedByPlace: [],
          home: null,
        };
      const { job, verdict } = planJob(input, tool, rel, entry.digest);
      const graph = graphs.get(tool.config.deps);
      return {
        tool: name,
        state: verdict.state,
        reasons: verdict.state === 'stale' ? verdict.reasons : [],
        last,
        lastLogShares,
        unresolved: graph === undefined ? [] : unresolvedIn(graph, rel),
        unshareable: unshareableParts(job),
        namedByPlace: graph === undefined ? [] : namedByPlaceIn(graph, rel),
        home: tool.env.HOME ?? null,
      };
    });
    return { file: rel, tracked: true, untracked: null, tools };
  });
}

/** The files outside the source tree in path's closure, grouped as its key names them (portable-path.ts). */
function namedByPlaceIn(graph: DepGraph, path: RelPath): PlaceNamed[] {
  const c = graph.closure(path);
  // A tracked file's name is relative; an outside file's is absolute: only those are named by place.
  return placeNamedDeps([...c.files, ...c.external].map(graph.nameOf));
}

/** The names that resolve nowhere in path's closure, sorted, each with its import chain; a file whose imports could not be read has its own reason. */
function unresolvedIn(graph: DepGraph, path: RelPath): { name: string; via: string[] }[] {
  const names = [...graph.closure(path).unresolved].filter((n) => !isEveryRunMarker(n)).sort();
  return names.map((name) => ({ name, via: graph.chain(path, name) }));
}

/** runner deps FILE: a file's direct and transitive dependencies, and the files that depend on it. */
export async function deps(opts: ApiOptions & { file: string }): Promise<DepsReport> {
  return withSession(opts, async (s) => {
    const rel = relativePath(s.sourceTree, argumentPath(opts.cwd, opts.sourceTree, opts.file)) as RelPath;
    const { tree } = scanAndSave(s, opts.events, { env: opts.env });
    if (!tree.files.has(rel))
      throw new UsageError(`${opts.file} is not a tracked file; see \`runner explain ${opts.file}\``);
    const { graphs } = await findDeps(s, tree, opts.events, opts.signal);
    const recorded = tree.tools.flatMap((t, i) => {
      const kind = t.config.deps;
      if ((kind !== 'depfile' && kind !== 'trace') || !tree.filters[i]!(rel)) return [];
      const last = s.manifest.latest(t.config.name, rel);
      const deps = last === undefined || last.deps === '' ? null : decodeDepPaths(last.deps);
      return [{ tool: t.config.name, kind, deps }];
    });
    // The graph of the first tool that takes this file, else of any graph that reads it (a module only imported).
    const kinds = tree.tools.filter((t, i) => tree.filters[i]!(rel)).map((t) => t.config.deps);
    const kind =
      (['python', 'javascript'] as const).find((k) => graphs.has(k) && kinds.includes(k)) ??
      (['python', 'javascript'] as const).find((k) => graphs.get(k)?.covers(rel) === true);
    const graph = kind === undefined ? undefined : graphs.get(kind);
    if (kind === undefined || graph === undefined)
      return { file: rel, kind: null, direct: null, transitive: [], dependents: [], recorded };
    const c = graph.closure(rel);
    const transitive = [
      ...[...c.files].filter((f) => f !== rel).sort(),
      ...[...c.external].sort(),
      ...[...c.unresolved].sort().map((n) => `?${n}`),
    ];
    return { file: rel, kind, direct: graph.directDeps(rel), transitive, dependents: graph.dependents(rel), recorded };
  });
}

export async function showConfig(
  opts: SessionOptions & { dump?: boolean },
): Promise<{ config: Config; file: string | null; sourceTree: string | null; stateDir: string | null }> {
  if (opts.dump === true) return { config: documentedDefault(), file: null, sourceTree: null, stateDir: null };
  const { sourceTree, loaded, stateDir } = await loadSessionConfig(opts);
  return { config: loaded.config, file: loaded.file, sourceTree, stateDir };
}

/** Removes the state directory, refusing one that does not look like runner's. */
export async function clean(opts: SessionOptions): Promise<{ stateDir: string; removed: boolean }> {
  const stateDir =
    opts.stateDir !== undefined ? path.resolve(opts.cwd, opts.stateDir) : (await loadSessionConfig(opts)).stateDir;
  let entries: string[];
  try {
    entries = fs.readdirSync(stateDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { stateDir, removed: false };
    throw new StateDirError(
      { path: stateDir, problem: `cannot be read (${(err as NodeJS.ErrnoException).code})` },
      { cause: err },
    );
  }
  // The staged tree's names exactly; runner's own .gitignore as it wrote it; the rest as a state directory may hold them.
  const ours = (e: string): boolean =>
    e.startsWith('staged') ? isStagedEntry(e) : isStateEntry(e) || isStateGitignore(stateDir, e);
  if (!entries.every(ours)) {
    throw new StateDirError({
      path: stateDir,
      problem: `does not look like a runner state directory (it holds ${entries
        .filter((e) => !ours(e))
        .slice(0, 3)
        .join(', ')}); not removing it`,
    });
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  return { stateDir, removed: true };
}
