// runner watch: one full run, then, each time files change, an update of only
// the changed paths, a new plan and a run of the stale jobs, until the signal
// aborts. The session (manifest, store, caches) stays open; each cycle is a
// value of its own (the config and tools in force, the tree as scanned); the
// state directory's lock is held only while a cycle runs, so a `runner run`
// beside the watch waits at most one cycle.
import fs from 'node:fs';
import path from 'node:path';
import { type LatchedTool, type LoadedConfig, latchTools } from '../config/index.js';
import { externalIdentity } from '../deps/index.js';
import { LockWaitInterruptedError, RunnerError, UsageError } from '../errors.js';
import { KeptJobserver, type Makeflags, parseMakeflags } from '../jobserver/index.js';
import { decodeDeps } from '../manifest/index.js';
import { type Plan, planJobs } from '../plan/index.js';
import { TreeWatcher, type WatchBatch, depfileMatcher, watchFilter } from '../scan/index.js';
import {
  type Session,
  inputScope,
  keepInputCache,
  loadSessionConfig,
  lockStateDir,
  readWhitelist,
  refreshManifest,
} from '../session.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import type { EventSink } from './events.js';
import { findDeps } from './find-deps.js';
import { inPhase } from './phase.js';
import { executePlan } from './execute-plan.js';
import type { RunOptions } from './options.js';
import { type PlanSelection, planInputOf } from './plan-input.js';
import { checkToolNames, warnOfSecrets } from './run-checks.js';
import { type DepsScanSummary, type JobReport, type RunReport, runReportOf } from './run-report.js';
import type { WatchReport, WatchRequest, WatchRequests } from './watch-report.js';
import { type Scanned, scanAndSave, walkSpecOf, withSession } from './scan-and-save.js';
import type { TreeView } from './tree-view.js';
import { narrowedFiles } from './watch-narrow.js';
import { type Outlook, outlookAfter, outlookOf, outlookWith, sameOutlook } from './watch-outlook.js';

export interface WatchOptions extends Omit<RunOptions, 'files' | 'dryRun' | 'force' | 'rerunFailed'> {
  /** A cycle starts once no change has come for this long. */
  debounceMs: number;
  /** Requests (keys on a terminal) that start a cycle without a change. */
  requests?: WatchRequests;
}

/** What a cycle takes of the config: replaced as a whole when a changed config loads, validates and latches. */
interface CycleConfig {
  loaded: LoadedConfig;
  whitelist: string[] | null;
}

/**
 * The session as one cycle sees it: the watch's state directory, manifest,
 * lock and caches, with the config and tools in force for this cycle. A new
 * value each time they may have changed; the watch's own session keeps the
 * config it was opened with.
 */
function cycleSession(s: Session, config: CycleConfig, tools: LatchedTool[]): Session {
  return { ...s, loaded: config.loaded, whitelist: config.whitelist, tools };
}

export async function watch(opts: WatchOptions): Promise<WatchReport> {
  const signal = opts.signal ?? new AbortController().signal;
  const makeflags = parseMakeflags(opts.env.MAKEFLAGS);
  return withSession({ ...opts, neededTools: opts.tools }, async (s) => {
    warnOfSecrets(s, opts.events); // once for the whole watch, not per cycle
    const wanted = opts.tools !== undefined && opts.tools.length > 0 ? opts.tools : null;
    let config: CycleConfig = { loaded: s.loaded, whitelist: s.whitelist };
    // The tools of the last cycle (latched again each cycle).
    let tools = s.tools;
    let extra: PlanSelection = { onlyTools: wanted === null ? undefined : checkToolNames(tools, wanted) };
    let watchKey = watchKeyOf(s);
    const recorded = new Set<string>();
    let watcher = await startWatcher(s, recorded);
    // Served once for every cycle: a cycle's mkfifo was a fork of this whole process (issue 17 point 3).
    const jobserver = new KeptJobserver();
    let cycle = 1;
    // What the last cycle left to run or report; a change that leaves it so shows no cycle.
    let outlook: Outlook;
    // Paths of a batch no cycle could use (the tools would not latch): kept for the next one, never lost.
    const carried = new Set<RelPath>();
    let carriedFullScan = false;
    try {
      const { events } = opts;
      events.emit({
        type: 'cycle-started',
        cycle: {
          cycle,
          request: null,
          changed: 0,
          added: 0,
          removed: 0,
          configReloaded: false,
          toolsChanged: false,
          recordedChanged: false,
          fullScan: true,
        },
      });
      const started = performance.now();
      const scanned = scanAndSave(s, events);
      const { plan, deps } = await planCycle(s, scanned, extra, events, signal);
      const report = await runCycle(
        s,
        scanned,
        plan,
        deps,
        { ...opts, keptJobserver: jobserver },
        makeflags,
        signal,
        true,
        started,
      );
      outlook = outlookAfter(s, outlookOf(plan), report);
      await watchRecorded(watcher, s, scanned.tree, recorded, null);
      events.emit({ type: 'cycle-finished', cycle: { cycle, report, watching: scanned.tree.files.size } });
      s.lock.release();
      while (!signal.aborted) {
        const trigger = await nextTrigger(watcher, opts, signal);
        if (trigger === null) break;
        const { batch, request } = trigger;
        // The lock and the manifest are the watch's held resources (withSession lets go of them at the end):
        // the session's own, replaced here per cycle, never per config.
        try {
          s.lock = await lockStateDir(s.stateDir, { events, signal });
        } catch (err) {
          if (err instanceof LockWaitInterruptedError) break;
          throw err;
        }
        try {
          // Another runner may have run jobs meanwhile: its results count, and must not be folded away.
          refreshManifest(s);
          for (const p of carried) batch.paths.add(p);
          carried.clear();
          // Enter: whatever is stale now, which a whole-tree scan finds even where no event came.
          // A partial watcher (a directory it could not watch) cannot name every change: each cycle walks.
          let fullScan: boolean = batch.lost !== null || batch.partial || carriedFullScan || request === 'stale';
          carriedFullScan = false;
          if (batch.lost !== null) events.emit({ type: 'watcher-error', message: batch.lost });
          let configReloaded = false;
          if (reloadTriggers(cycleSession(s, config, tools)).some((f) => batch.files.has(f))) {
            try {
              ({ config, tools } = await reloadConfig(s, opts, wanted));
              configReloaded = true;
            } catch (err) {
              if (!(err instanceof RunnerError)) throw err;
              events.emit({ type: 'config-rejected', error: err });
            }
            if (configReloaded) {
              extra = { onlyTools: wanted === null ? undefined : new Set(wanted) };
              const reloaded = cycleSession(s, config, tools);
              if (watchKeyOf(reloaded) !== watchKey) {
                // New globs or watched files: watch afresh; what changed meanwhile, the full scan sees.
                await watcher.close();
                watcher = await startWatcher(reloaded, recorded);
                watchKey = watchKeyOf(reloaded);
                fullScan = true;
              }
            }
          }
          // Latched again each cycle: a tool's executable or declared inputs may have changed.
          const before = tools;
          try {
            tools = latch(cycleSession(s, config, tools), opts.env, wanted);
          } catch (err) {
            if (!(err instanceof RunnerError)) throw err;
            events.emit({ type: 'config-rejected', error: err });
            for (const p of batch.paths) carried.add(p);
            carriedFullScan = fullScan;
            continue;
          }
          const toolsChanged = tools.length !== before.length || tools.some((t, i) => t.latchId !== before[i]!.latchId);
          const c = cycleSession(s, config, tools);
          let announced = false;
          try {
            const started = performance.now();
            // A failed scan or save leaves the manifest's files as they were, so that the next scan reads (and
            // counts) again what this one read but could not record.
            const scanned = scanAndSave(c, events, {
              changed: fullScan ? undefined : batch.paths,
              keepOnFailure: true,
            });
            const sum = scanned.summary;
            const filesChanged = sum.new + sum.changed + sum.removed > 0 || sum.issues.length > 0;
            const recordedChanged = [...batch.files].some((f) => recorded.has(f));
            // A touch, a write of the same content, an untracked file no job read: nothing to plan.
            const asked = request !== null;
            if (!asked && !fullScan && !configReloaded && !toolsChanged && !filesChanged && !recordedChanged) continue;
            const selection = { ...extra, force: request === 'all', rerunFailed: request === 'failed' };
            const only = narrowedFiles({
              paths: batch.paths,
              tree: scanned.tree,
              summary: sum,
              tools,
              prior: outlook,
              wholePlan: asked || fullScan || configReloaded || toolsChanged || recordedChanged,
            });
            const { plan, deps } = await planCycle(c, scanned, selection, events, signal, only);
            const planned = only === null ? outlookOf(plan) : outlookWith(outlook, plan);
            // A file no tool takes and no job depends on, or a job's own write of a file it reads back (a cache,
            // which its result already records as it is now): recorded in the manifest, no cycle. A hit's
            // output deleted or changed is put back by a cycle (issue 16).
            if (
              !asked &&
              !fullScan &&
              !configReloaded &&
              !toolsChanged &&
              sum.issues.length === 0 &&
              (plan.restore ?? []).length === 0 &&
              sameOutlook(outlook, planned)
            )
              continue;
            cycle++;
            announced = true;
            events.emit({
              type: 'cycle-started',
              cycle: {
                cycle,
                request,
                changed: sum.changed,
                added: sum.new,
                removed: sum.removed,
                configReloaded,
                toolsChanged,
                recordedChanged,
                fullScan,
              },
            });
            // A narrowed plan counts the jobs it left out as the fresh jobs they are.
            const whole = only === null ? plan : { ...withoutListed(plan), fresh: planned.fresh };
            const next = await runCycle(
              c,
              scanned,
              whole,
              deps,
              { ...opts, keptJobserver: jobserver },
              makeflags,
              signal,
              false,
              started,
            );
            outlook = outlookAfter(c, planned, next);
            await watchRecorded(watcher, c, scanned.tree, recorded, next.jobs);
            events.emit({ type: 'cycle-finished', cycle: { cycle, report: next, watching: scanned.tree.files.size } });
          } catch (err) {
            // A stopping problem in one cycle (the store busy with another runner, an interpreter gone) stops
            // that cycle, not the watch; the next change scans the whole tree, so what this one saw is not lost.
            if (!(err instanceof RunnerError)) throw err;
            if (!announced) cycle++;
            events.emit({ type: 'cycle-failed', error: err, cycle });
            carriedFullScan = true;
          }
        } finally {
          s.lock.release();
        }
      }
    } finally {
      jobserver.discard();
      await watcher.close();
    }
    return { cycles: cycle, interrupted: signal.aborted ? String(signal.reason) : null };
  });
}

/**
 * What starts the next cycle: a batch of changes, a request, or both when
 * they came together (neither is dropped: a batch taken is used, and a
 * request not yet made stays with its maker); null once the watch is aborted.
 */
async function nextTrigger(
  watcher: TreeWatcher,
  opts: WatchOptions,
  signal: AbortSignal,
): Promise<{ batch: WatchBatch; request: WatchRequest | null } | null> {
  if (opts.requests === undefined) {
    const batch = await watcher.next(opts.debounceMs, signal);
    return batch === null ? null : { batch, request: null };
  }
  // Not AbortSignal.any: Node 20 may collect a combined signal no one holds, and its waiters would never wake.
  const first = new AbortController();
  const stop = (): void => first.abort(signal.reason);
  if (signal.aborted) stop();
  else signal.addEventListener('abort', stop, { once: true });
  const batchWait = watcher.next(opts.debounceMs, first.signal);
  const requestWait = opts.requests.next(first.signal);
  try {
    await Promise.race([batchWait, requestWait]);
  } finally {
    first.abort();
    signal.removeEventListener('abort', stop);
  }
  const [batch, request] = await Promise.all([batchWait, requestWait]);
  if (signal.aborted) return null;
  return { batch: batch ?? { paths: new Set(), files: new Set(), lost: null, partial: false }, request };
}

/** The cycle's plan: of every job, or (`only`, watch-narrow.ts) of those files' jobs, the fresh ones listed. */
async function planCycle(
  s: Session,
  scanned: Scanned,
  selection: PlanSelection,
  events: EventSink,
  signal: AbortSignal,
  only: ReadonlySet<RelPath> | null = null,
): Promise<{ plan: Plan; deps: DepsScanSummary }> {
  const { depsOf, summary } = await findDeps(s, scanned.tree, events, signal);
  const input = planInputOf(s, scanned, depsOf, only === null ? selection : { ...selection, listFresh: true });
  const files = scanned.tree.files;
  const narrowed =
    only === null
      ? input
      : { ...input, files: new Map([...only].flatMap((p) => (files.has(p) ? [[p, files.get(p)!] as const] : []))) };
  return { plan: inPhase(events, 'plan', () => planJobs(narrowed)), deps: summary };
}

/** A plan without its list of fresh jobs, which a report would show as cached passes. */
function withoutListed(plan: Plan): Plan {
  const { listed: _listed, ...rest } = plan;
  return rest;
}

/** Runs the plan's stale jobs, as `run` does; cached failures are emitted only in the first cycle. */
async function runCycle(
  s: Session,
  scanned: Scanned,
  plan: Plan,
  deps: DepsScanSummary,
  opts: WatchOptions & { keptJobserver: KeptJobserver },
  makeflags: Makeflags | null,
  signal: AbortSignal,
  first: boolean,
  started: number,
): Promise<RunReport> {
  const executed = await executePlan(s, scanned.tree, plan, { ...opts, makeflags }, signal, {
    dryRun: false,
    reportCached: first,
  });
  return runReportOf({ dryRun: false, scan: scanned.summary, executed, signal, mergedLog: null, started, deps });
}

function latch(s: Session, env: NodeJS.ProcessEnv, wanted: readonly string[] | null): LatchedTool[] {
  const tools = latchTools({
    ...neededOf(wanted),
    config: s.loaded.config,
    callerEnv: env,
    sourceTree: s.sourceTree,
    configDisplayFile: s.loaded.displayFile,
    inputs: inputScope(s.sourceTree, s.stateDir, s.loaded.config, s.inputCache),
    programs: s.programs,
  });
  keepInputCache(s.manifest, s.inputCache);
  return tools;
}

/** With --tool, a tool outside `wanted` whose program is missing does not stop the watch (LatchedTool.unavailable). */
function neededOf(wanted: readonly string[] | null): { needed?: (tool: string) => boolean } {
  return wanted === null ? {} : { needed: (tool) => wanted.includes(tool) };
}

/** Loads, validates and latches the config again; returns it only when all of that succeeds. */
async function reloadConfig(
  s: Session,
  opts: WatchOptions,
  wanted: readonly string[] | null,
): Promise<{ config: CycleConfig; tools: LatchedTool[] }> {
  const next = await loadSessionConfig(opts);
  // The config removed, one above it is found now: another source tree, which a running watch does not follow.
  if (next.sourceTree !== s.sourceTree) {
    throw new UsageError(
      `the config is now ${next.loaded.displayFile} (source tree ${next.sourceTree}); a running watch keeps ${s.sourceTree}: restart runner watch to use it`,
    );
  }
  if (next.stateDir !== s.stateDir) {
    throw new UsageError(
      `${next.loaded.displayFile}: stateDir now names ${next.stateDir}; a running watch keeps ${s.stateDir}: restart runner watch to use the new one`,
    );
  }
  const whitelist = readWhitelist(next.loaded, s.sourceTree);
  const tools = latchTools({
    ...neededOf(wanted),
    config: next.loaded.config,
    callerEnv: opts.env,
    sourceTree: s.sourceTree,
    configDisplayFile: next.loaded.displayFile,
    inputs: inputScope(s.sourceTree, s.stateDir, next.loaded.config, s.inputCache),
    programs: s.programs,
  });
  if (wanted !== null) checkToolNames(tools, wanted);
  return { config: { loaded: next.loaded, whitelist }, tools };
}

/** Files whose change means loading the config again: the config file, and the whitelist file it names. */
function reloadTriggers(s: Session): string[] {
  const w = s.loaded.config.whitelist;
  return typeof w === 'string' ? [s.loaded.file, path.resolve(s.sourceTree, w)] : [s.loaded.file];
}

/** Watched whatever the globs say: the config, the whitelist file, the tools' declared inputs. */
function alwaysWatched(s: Session): string[] {
  // What the inputs cover now; a file that newly matches a glob input outside what the walk tracks is seen at the next cycle.
  const inputs = s.tools.flatMap((t) => t.inputPaths);
  return [...new Set([...reloadTriggers(s), ...inputs])].sort();
}

function depfiles(s: Session): string[] {
  return s.tools.flatMap((t) => (t.config.depfile === null ? [] : [t.config.depfile]));
}

/** What the watcher was started for; a reloaded config that changes it needs a new watcher. */
function watchKeyOf(s: Session): string {
  return JSON.stringify([walkSpecOf(s).key, alwaysWatched(s), depfiles(s)]);
}

/**
 * Watches the untracked files in the tree that depfile and trace jobs
 * recorded as read (of every such job, or of the jobs that just ran), adding
 * them to `recorded`, so that a change to one starts a cycle. One that changed
 * between a job's read and the watch (another job wrote it, say) sends no
 * event: it differs from what the job recorded, and counts as changed. Files
 * outside the tree (libraries, the interpreter) are only checked when a cycle
 * runs.
 */
async function watchRecorded(
  watcher: TreeWatcher,
  s: Session,
  tree: TreeView,
  recorded: Set<string>,
  ran: readonly JobReport[] | null,
): Promise<void> {
  const added = newlyRecorded(s, tree, recorded, ran);
  await watcher.add([...new Set(added.map(([abs]) => abs))]);
  const now = externalIdentity(s.programs);
  for (const [abs, id] of added) if (now(abs) !== id) watcher.markChanged(abs);
}

/** [absolute path, identity the job recorded] of each file newly added to `recorded`. */
function newlyRecorded(
  s: Session,
  tree: TreeView,
  recorded: Set<string>,
  ran: readonly JobReport[] | null,
): [string, string][] {
  const added: [string, string][] = [];
  const isNew = new Set<string>();
  const reporting = new Set(
    s.tools.filter((t) => t.config.deps === 'depfile' || t.config.deps === 'trace').map((t) => t.config.name),
  );
  if (reporting.size === 0) return added;
  const jobs =
    ran !== null
      ? ran.filter((j) => reporting.has(j.tool))
      : [...reporting].flatMap((tool) =>
          [...(s.manifest.results.get(tool)?.keys() ?? [])].map((p) => ({ tool, path: p })),
        );
  const spec = walkSpecOf(s);
  // Never what the walk never enters: excluded directories (caches, node_modules), .git, the state directory.
  const isNeverWalked = (rel: string): boolean => {
    const names = rel.split('/');
    return names.some((name, i) => {
      const prefix = names.slice(0, i + 1).join('/');
      return name === '.git' || spec.isSkipped(prefix) || spec.isExcluded(prefix);
    });
  };
  for (const j of jobs) {
    const deps = s.manifest.latest(j.tool, j.path)?.deps;
    if (deps === undefined || deps === '') continue;
    for (const [p, id] of decodeDeps(deps)) {
      // Outside the tree: absolute, or below HOME (`~/x`, dynamic.ts).
      if (path.isAbsolute(p) || p === '~' || p.startsWith('~/') || tree.files.has(p as RelPath) || isNeverWalked(p))
        continue;
      const abs = path.join(tree.root, p);
      if (!recorded.has(abs)) {
        recorded.add(abs);
        isNew.add(abs);
      }
      if (isNew.has(abs)) added.push([abs, id]);
    }
  }
  return added;
}

function startWatcher(s: Session, recorded: Set<string>): Promise<TreeWatcher> {
  const always = alwaysWatched(s);
  // Shared with watchRecorded, which adds to it as jobs report what they read.
  for (const f of always) recorded.add(f);
  const ignored = watchFilter({
    sourceTree: s.sourceTree,
    spec: walkSpecOf(s),
    alwaysWatched: recorded,
    isOutput: depfileMatcher(depfiles(s)),
  });
  const outside = always.filter((f) => treePath(s.sourceTree, f) === null);
  // The ignore rules read above the source tree or inside .git (info/exclude): a change re-walks the tree.
  const rules = (walkSpecOf(s).gitignore?.files ?? []).filter((f) => fs.existsSync(f));
  for (const f of rules) recorded.add(f);
  return TreeWatcher.start({ sourceTree: s.sourceTree, ignored, extraFiles: [...new Set([...outside, ...rules])] });
}
