// Starts a cold run's jobs before its tools are latched (README, "How a cold
// run starts"): right after the walk, while a version manager is still asked
// which program its shim runs. Only jobs stale whatever the latch says (their
// tool has no result at all, or --force) and only when every job the plan will
// run is one of them; nothing is recorded until the plan's own jobs take their
// place (join), so every result carries the real latch. The same holds a
// run's jobs that its settled mark narrows to a few (startNarrowed), while a
// run that lists its fresh jobs judges all the others.
import { type LatchedTool, runsTestRunner } from '../config/index.js';
import { isReadProblem } from '../scan/index.js';
import { type Plan, type PlannedJob, planJobs } from '../plan/index.js';
import type { Session, UnlatchedSession } from '../session.js';
import { type EarlyStart, type ExecuteOptions, startHeld } from './execute-plan.js';
import type { JobReport } from './run-report.js';
import type { Walked } from './scan-and-save.js';
import { type TreeView, WORKING_CACHES, treeView } from './tree-view.js';
import { REMOTE_ENV } from '../cache/index.js';

/** What the run asks of its jobs, as far as an early start depends on it. */
export interface EarlyOptions extends ExecuteOptions {
  force?: boolean;
  rerunFailed?: boolean;
  listFresh?: boolean;
}

/**
 * Starts the jobs of a cold run when that is sound (see the file's header); null when it is not, and the
 * run goes stage by stage. `ahead`: the tools as config/latch.ts toolsAhead gives them. Call only for a run
 * over the whole working tree (no FILE, --since, --shard, --dry-run, framework files): the caller checks.
 */
export function startEarly(
  u: UnlatchedSession,
  ahead: LatchedTool[],
  walked: Walked,
  opts: EarlyOptions,
  signal: AbortSignal,
): EarlyStart | null {
  // A file runner could not read makes jobs that are reported, not run: the plan's own work.
  if (walked.result.issues.some(isReadProblem)) return null;
  // A remote cache is asked for each stale job before it runs.
  if ((opts.env[REMOTE_ENV.url] ?? '') !== '' || u.loaded.config.remoteCache !== undefined) return null;
  const wanted = opts.tools !== undefined && opts.tools.length > 0 ? new Set(opts.tools) : undefined;
  const names = new Set(ahead.map((t) => t.config.name));
  if (wanted !== undefined && [...wanted].some((n) => !names.has(n))) return null; // the run stops on it, later
  const planned = ahead.filter((t) => wanted === undefined || wanted.has(t.config.name));
  if (!planned.every((t) => isStartable(t, u, opts.force === true))) return null;
  const files = walked.result.update.files;
  const tree = treeView(u.sourceTree, files, ahead, WORKING_CACHES);
  const plan = planJobs({
    tools: tree.tools,
    toolFilters: tree.filters,
    files,
    newFiles: walked.result.newFiles,
    unreadable: [],
    history: (tool, p) => u.manifest.history(tool, p),
    latest: (tool, p) => u.manifest.latest(tool, p),
    latchOf: (r) => u.manifest.latch(r.latchId),
    hasLog: () => true,
    force: opts.force,
    rerunFailed: opts.rerunFailed,
    onlyTools: wanted,
    listFresh: opts.listFresh,
  });
  const stale = plan.jobs;
  if (stale.length === 0 || plan.fresh > 0 || plan.unchecked.length > 0) return null;
  if (stale.some((p) => p.verdict.state !== 'stale')) return null;
  // Said now, as the plan would: the plan made later has these jobs and no other (join checks it).
  opts.events.emit({ type: 'planned', jobs: stale.length, stale: stale.length, cachedFailures: 0, fresh: 0 });
  // Its stage directory, tokens and manifest are the session's; only the tools are ahead of their latch.
  return startAhead({ ...u, tools: ahead }, tree, stale, opts, signal);
}

/**
 * Starts a run's stale jobs from its narrowed plan (settled-run.ts narrowedPlan: the settled mark holds and
 * only these files changed), before the whole plan: a run that lists its fresh jobs (--json) judges every
 * job, and the changed files' jobs need not wait for that. The mark vouches that the whole plan's stale jobs
 * are these (join checks it). Null when the narrowed plan holds anything but stale jobs, or a remote cache
 * is to be asked first.
 */
export function startNarrowed(
  s: Session,
  tree: TreeView,
  narrowed: Plan,
  opts: EarlyOptions,
  signal: AbortSignal,
): EarlyStart | null {
  if ((opts.env[REMOTE_ENV.url] ?? '') !== '' || s.loaded.config.remoteCache !== undefined) return null;
  const stale = narrowed.jobs;
  if (stale.length === 0 || narrowed.unchecked.length > 0 || stale.some((p) => p.verdict.state !== 'stale'))
    return null;
  const jobs = stale.length + narrowed.fresh;
  opts.events.emit({ type: 'planned', jobs, stale: stale.length, cachedFailures: 0, fresh: narrowed.fresh });
  return startAhead(s, tree, stale, opts, signal);
}

/** Starts `stale` with their outcomes held until the plan's own stale jobs, the same ones, join them. */
function startAhead(
  s: Session,
  tree: TreeView,
  stale: PlannedJob[],
  opts: EarlyOptions,
  signal: AbortSignal,
): EarlyStart {
  const reports = new Map<PlannedJob, JobReport>();
  // Awaited by join or abandon.
  const run = startHeld(s, tree, stale, opts, signal, reports, null);
  let abandoned: Promise<void> | null = null;
  const abandon = (): Promise<void> => {
    if (abandoned === null)
      abandoned = run.stop(
        new Error('the run stopped before its plan'),
        new Error('jobs started ahead of their plan were abandoned'),
      );
    return abandoned;
  };
  return {
    reports,
    abandon,
    join: async (planStale) => {
      // The same jobs, whatever their order: each started one takes the plan's job of its tool and file.
      const key = (p: PlannedJob): string => `${p.job.tool.config.name}\0${p.job.path}`;
      const planned = new Map(planStale.map((p) => [key(p), p]));
      const real = new Map(stale.flatMap((p) => (planned.has(key(p)) ? [[p, planned.get(key(p))!] as const] : [])));
      if (real.size !== stale.length || planned.size !== stale.length) {
        await abandon();
        throw new Error(`the plan's ${planStale.length} stale jobs are not the ${stale.length} started before it`);
      }
      for (const ch of run.chunks) ch.jobs.forEach((p, k) => (ch.jobs[k] = real.get(p) ?? p));
      run.open();
      await run.ended;
    },
  };
}

/**
 * Whether a tool's jobs may start before its latch: stale whatever its latch and digests say (no result
 * at all, or --force), and nothing else to know before they run (dependencies, outputs to restore,
 * declared or implied inputs, a terminal).
 */
function isStartable(t: LatchedTool, u: UnlatchedSession, force: boolean): boolean {
  const c = t.config;
  if (t.unavailable !== undefined || c.deps !== 'none' || c.outputs.length > 0 || c.inputs.length > 0 || c.pty)
    return false;
  // The inputs a test runner's command implies are digested with the latch too, after the jobs would start.
  if (runsTestRunner(c.command)) return false;
  return force || (u.manifest.results.get(c.name)?.size ?? 0) === 0;
}
