// Carries out a plan: reports its cached failures and unchecked jobs, asks
// the remote cache for the stale jobs (remote-results.ts), opens the run's
// tokens and hands the stale jobs left, as chunks (chunk.ts: one job
// each, or a batch tool's many), to the build loop (build/) with the result
// recorder; every job that is not fresh gets a report, in plan order.
import fs from 'node:fs';
import os from 'node:os';
import { type CommandRunner, build, spawnRunner, spawnRunnerWith } from '../build/index.js';
import { DEFAULT_TERMINAL_SIZE, jobStartFor, loadTerminalSupport } from '../exec/index.js';
import { type KeptJobserver, type Makeflags, type Slots, openSlots } from '../jobserver/index.js';
import { restoreOutputs } from '../outputs/index.js';
import type { Plan, PlannedJob } from '../plan/index.js';
import type { Session } from '../session.js';
import { logsDir, runningLogsDir, streamsDir, tracesDir } from '../state-dir.js';
import { findStrace } from './find-deps.js';
import { type Chunk, limitOfChunk, planChunks } from './chunk.js';
import { withChunkEvents } from './chunk-events.js';
import { inPhase } from './phase.js';
import { announcingWaits } from './token-waits.js';
import { chunkReportOf, freshReport, reportOf, uncheckedReport } from './job-report.js';
import type { RunOptions } from './options.js';
import { resultRecorder } from './result-recorder.js';
import type { Executed, JobReport } from './run-report.js';
import { missedRemotely, openRemoteCache, restoreRemoteHits, shareResult } from './remote-results.js';
import { sweepLogs } from './scan-and-save.js';
import type { RemoteCache } from '../cache/index.js';
import { type TreeView, identifyOf } from './tree-view.js';

/** What executing a plan needs of the caller's options: run's, or a watch's. */
export type ExecuteOptions = Omit<RunOptions, 'files' | 'dryRun' | 'force' | 'rerunFailed'> & {
  makeflags: Makeflags | null;
  /** A watch's jobserver, served once for all its cycles (jobserver/kept-jobserver.ts). */
  keptJobserver?: KeptJobserver;
};

/**
 * Reports the plan's cached failures and runs its stale jobs in `tree` (or,
 * in a dry run, says they would run); every job that is not fresh gets a
 * report, in plan order. Results land in the session's manifest.
 */
export async function executePlan(
  s: Session,
  tree: TreeView,
  plan: Plan,
  opts: ExecuteOptions,
  signal: AbortSignal,
  how: {
    dryRun: boolean;
    reportCached?: boolean;
    rerunFailed?: boolean;
    early?: EarlyStart | null;
    /**
     * Writes the scan the plan was made from (scan-and-save.ts deferWrite): called once, before anything is
     * recorded; when the jobs run here, once they have started, so that they need not wait for it.
     */
    saveScan?: () => void;
  },
): Promise<Executed> {
  // Every stale job was started before the plan (early-start.ts), which said `planned` then.
  const early = how.early ?? null;
  const saveScan = how.saveScan ?? (() => {});
  const { events } = opts;
  // Hits whose outputs are gone or changed get them back from the store; one that cannot runs instead.
  const unrestored = how.dryRun ? [] : restorePlanned(s, tree, plan.restore ?? [], events);
  const jobs = unrestored.length === 0 ? plan.jobs : [...plan.jobs, ...unrestored];
  let stale = jobs.filter((p) => p.verdict.state === 'stale');
  const cached = jobs.filter((p) => p.verdict.state === 'cached-failure');
  const restored = how.dryRun ? 0 : (plan.restore?.length ?? 0) - unrestored.length;
  const planned = {
    jobs: plan.jobs.length + plan.fresh + plan.unchecked.length,
    fresh: plan.fresh - unrestored.length,
    ...(restored > 0 ? { restored } : {}),
  };
  if (!how.dryRun) {
    // Terminal support is an optional dependency: without it a terminal job stops the run here, before anything is recorded.
    const terminalTools = [...new Set(stale.filter((p) => p.job.tool.config.pty).map((p) => p.job.tool.config.name))];
    if (terminalTools.length > 0) await loadTerminalSupport(terminalTools);
  }
  if (early === null)
    events.emit({
      type: 'planned',
      jobs: planned.jobs,
      stale: stale.length,
      cachedFailures: cached.length,
      fresh: planned.fresh,
    });
  if (!how.dryRun) s.manifest.reuse(plan.reused, Date.now()); // least recently used leave the history first
  const reports = early?.reports ?? new Map<PlannedJob, JobReport>();
  // A listing run's fresh jobs, reported while its stale jobs run (the reporters may render them then, the
  // `fresh-listed` event): each is its earlier result, which nothing in the run changes.
  const ahead = new Map<PlannedJob, JobReport>();
  const listAhead = (): void => {
    if (plan.listed === undefined) return;
    for (const p of plan.listed) if (p.verdict.state === 'fresh') ahead.set(p, freshReport(p, s));
    if (ahead.size > 0) events.emit({ type: 'fresh-listed', jobs: [...ahead.values()] });
  };
  let remote: RemoteCache | null = null;
  for (const p of cached) {
    const r = reportOf(p, 'cached-failure', s, p.verdict.state === 'cached-failure' ? p.verdict.result : undefined);
    reports.set(p, r);
    if (how.reportCached !== false) events.emit({ type: 'cached-failure', job: r });
  }
  // Said before anything runs, as cached failures are: nothing will change them in this run.
  const unchecked = plan.unchecked.map(uncheckedReport);
  for (const job of unchecked) events.emit({ type: 'job-unchecked', job });
  if (how.dryRun) {
    saveScan();
    // The chunks a run would start, cut as runStale cuts them: the same planChunks, the same token count.
    const chunks = planChunks(stale, tokenCount(opts, s), dryRunEnv(opts));
    const chunkOf = new Map(chunks.flatMap((ch) => ch.jobs.map((p) => [p, chunkReportOf(ch)] as const)));
    for (const p of stale) reports.set(p, reportOf(p, 'would-run', s, undefined, chunkOf.get(p)));
  } else if (early !== null) {
    saveScan();
    // Checked by join: the plan's stale jobs are the ones started, so nothing is cached, unchecked or remote.
    const joined = early.join(stale);
    try {
      listAhead();
    } finally {
      await joined;
    }
  } else if (stale.length > 0) {
    // Only stale jobs are looked up: a no-op opens no remote cache and sends no request.
    remote = openRemoteCache(s, opts.env, events);
    try {
      if (remote !== null) {
        saveScan(); // hits are recorded as they land
        fs.mkdirSync(logsDir(s.stateDir), { recursive: true });
        fs.mkdirSync(streamsDir(s.stateDir), { recursive: true });
        stale = await restoreRemoteHits(s, tree.root, remote, stale, reports, events, how.rerunFailed === true, signal);
      }
      if (stale.length > 0 && !signal.aborted)
        await startSaving(s, tree, stale, opts, signal, reports, remote, saveScan, listAhead);
      else {
        saveScan();
        for (const p of stale) reports.set(p, reportOf(p, 'not-started', s));
      }
    } finally {
      await remote?.finish();
    }
  } else saveScan();
  // Listed fresh jobs (plan.listed) take their place in plan order, reported as the cached passes they are.
  const listed = plan.listed?.map(
    (p) => reports.get(p) ?? ahead.get(p) ?? (p.verdict.state === 'fresh' ? freshReport(p, s) : []),
  );
  return {
    planned,
    jobs: [...(listed?.flat() ?? jobs.flatMap((p) => reports.get(p) ?? [])), ...unchecked],
    ...(remote === null ? {} : { remote: remote.summary }),
  };
}

/**
 * Puts back the outputs of the fresh jobs that need it; returns, as stale
 * jobs to run, those whose outputs could not be put back (runner's own I/O
 * failed: the job's result is still good, running it again rewrites them).
 */
function restorePlanned(s: Session, tree: TreeView, restore: readonly PlannedJob[], events: ExecuteOptions['events']) {
  const unrestored: PlannedJob[] = [];
  for (const p of restore) {
    if (p.verdict.state !== 'fresh' || p.verdict.restore === undefined) continue;
    try {
      restoreOutputs({ root: tree.root, stateDir: s.stateDir }, p.verdict.restore);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      events.emit({
        type: 'warning',
        message: `${p.job.tool.config.name} ${p.job.path}: could not restore its outputs (${why}); running it instead`,
      });
      unrestored.push({ job: p.job, verdict: { state: 'stale', reasons: [{ kind: 'outputs-missing' }] } });
    }
  }
  return unrestored;
}

/** Jobs started ahead of their latch, waiting for the plan (api/early-start.ts; executePlan joins them). */
export interface EarlyStart {
  /** Each started job's report, keyed by the plan's job once joined: the map executePlan reports from. */
  readonly reports: Map<PlannedJob, JobReport>;
  /**
   * The plan's stale jobs take the started ones' places (the same tools and files, in any order), and
   * outcomes are recorded from now on; settles when the build is over. Throws, having abandoned the
   * jobs, when the plan's stale jobs are not the ones started (a bug).
   */
  join(stale: readonly PlannedJob[]): Promise<void>;
  /** Stops the jobs and waits for them; nothing of them is recorded. */
  abandon(): Promise<void>;
}

/**
 * Starts the stale jobs, then writes the scan while they run (at 100,000 files that write is most of the time
 * between an edit's plan and its job); their outcomes wait for it, and if it fails they are stopped and nothing
 * of them is recorded, as for jobs started ahead of their latch (early-start.ts). Then `whileRunning`.
 */
async function startSaving(
  s: Session,
  tree: TreeView,
  stale: PlannedJob[],
  opts: ExecuteOptions,
  signal: AbortSignal,
  reports: Map<PlannedJob, JobReport>,
  remote: RemoteCache | null,
  saveScan: () => void,
  whileRunning: () => void,
): Promise<void> {
  const run = startHeld(s, tree, stale, opts, signal, reports, remote);
  // The first jobs start at the loop's next turn (their tokens are promises); the write follows them.
  await new Promise((resolve) => setImmediate(resolve));
  try {
    saveScan();
  } catch (err) {
    await run.stop(err, err);
    throw err;
  }
  run.open();
  try {
    whileRunning();
  } finally {
    await run.ended;
  }
}

/** Jobs started with their outcomes held (startHeld). */
export interface HeldRun extends StaleRun {
  /** Lets the outcomes be recorded. */
  open(): void;
  /** Stops the jobs (`reason`: the signal's) and waits for them; nothing of them is recorded (`why`). */
  stop(reason: unknown, why: unknown): Promise<void>;
}

/**
 * Starts the stale jobs under a signal of their own that follows `signal`, each outcome held until open()
 * (startStale's `held`); `ended` never rejects unseen: whoever awaits it sees its rejection.
 */
export function startHeld(
  s: Session,
  tree: TreeView,
  stale: PlannedJob[],
  opts: ExecuteOptions,
  signal: AbortSignal,
  reports: Map<PlannedJob, JobReport>,
  remote: RemoteCache | null,
): HeldRun {
  const stopper = new AbortController();
  const follow = (): void => stopper.abort(signal.reason);
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  let open!: () => void;
  let shut!: (err: unknown) => void;
  const held = new Promise<void>((resolve, reject) => ((open = resolve), (shut = reject)));
  let run: StaleRun;
  try {
    run = startStale(s, tree, stale, opts, stopper.signal, reports, remote, held);
  } catch (err) {
    signal.removeEventListener('abort', follow);
    throw err;
  }
  const ended = run.ended.finally(() => signal.removeEventListener('abort', follow));
  ended.catch(() => {});
  return {
    chunks: run.chunks,
    ended,
    open,
    stop: async (reason, why) => {
      stopper.abort(reason);
      shut(why);
      await ended.catch(() => {});
    },
  };
}

/** The stale jobs handed to the build loop (startStale). */
export interface StaleRun {
  /** The chunks the build runs, in plan order; early-start.ts swaps the plan's jobs into them. */
  chunks: readonly Chunk[];
  /** Settles once the build is over, every token back, the journal folded and every job reported; rejects as the build does. */
  ended: Promise<void>;
}

/**
 * Starts the stale jobs under the run's tokens, recording each result as it lands; a job that never started
 * gets its report too. With `held`, each ended process waits for it before its outcome is recorded (a job
 * started ahead of its latch, early-start.ts); when it rejects, nothing is recorded and `ended` rejects.
 */
export function startStale(
  s: Session,
  tree: TreeView,
  stale: PlannedJob[],
  opts: ExecuteOptions,
  signal: AbortSignal,
  reports: Map<PlannedJob, JobReport>,
  remote: RemoteCache | null,
  held?: Promise<void>,
): StaleRun {
  // RUNNER_NATIVE_SPAWN=0: jobs start through child_process even with the addon built (exec/native-spawn.ts).
  const runner =
    opts.commandRunner ?? (jobStartFor(opts.env) === 'native' ? spawnRunner : spawnRunnerWith('child-process'));
  // What the runner readies (the watchdog, issue 14 point 7) does so while the tokens and the rest are set up.
  runner.prepare?.();
  let slots: Slots;
  let chunks: Chunk[];
  let strace: string | null;
  let identify: ReturnType<typeof identifyOf>;
  try {
    fs.mkdirSync(logsDir(s.stateDir), { recursive: true });
    fs.mkdirSync(streamsDir(s.stateDir), { recursive: true });
    fs.mkdirSync(runningLogsDir(s.stateDir), { recursive: true });
    strace = findStrace(tree, opts.env);
    if (strace !== null) fs.mkdirSync(tracesDir(s.stateDir), { recursive: true });
    identify = identifyOf(tree, s.programs);
    slots = openSlots({
      makeflags: opts.makeflags,
      jobsFlag: opts.overrides?.jobs,
      configJobs: s.loaded.fileJobs,
      cpuCount: os.availableParallelism(),
      serve: opts.serveJobserver ?? 'pipe',
      ...(opts.keptJobserver === undefined ? {} : { kept: opts.keptJobserver }),
    });
  } catch (err) {
    runner.idle();
    throw err;
  }
  const { events } = opts;
  try {
    chunks = planChunks(stale, tokenCount(opts, s), slots.makeflags === null ? {} : { MAKEFLAGS: slots.makeflags });
  } catch (err) {
    slots.finish();
    runner.idle();
    throw err;
  }
  let abandoned = false;
  void held?.catch(() => (abandoned = true));
  const gated: CommandRunner =
    held === undefined
      ? runner
      : {
          start: async (command, sig) => {
            const outcome = await runner.start(command, sig);
            await held;
            return outcome;
          },
          idle: () => runner.idle(),
        };
  const ended = (async () => {
    let summary;
    let built = false;
    // From here every way out gives the tokens back: a sink that throws on an event included.
    try {
      events.emit({ type: 'tokens-held', releaseAll: () => slots.releaseAll() });
      for (const message of slots.warnings) events.emit({ type: 'warning', message });
      const recorder = resultRecorder({
        s,
        tree,
        events,
        reports,
        jobserver: slots,
        strace,
        identify,
        terminal: opts.terminalSize ?? DEFAULT_TERMINAL_SIZE,
        ...(remote === null
          ? {}
          : {
              recorded: (p, result) => shareResult(s, remote, p, result),
              missedRemotely: (p) => missedRemotely(remote, p),
            }),
      });
      built = true; // build() ends with the runner's idle(), whatever happens
      summary = await build(chunks, {
        pool: announcingWaits(slots.pool, events),
        runner: gated,
        recorder: withChunkEvents(recorder, events),
        signal,
        failFast: s.loaded.config.failFast,
        limitOf: limitOfChunk,
      });
      recorder.settle();
    } finally {
      if (!built) runner.idle(); // what prepare() readied goes
      for (const message of slots.finish()) events.emit({ type: 'warning', message }); // every token back before anything else
      // Fold the journal into the snapshot, interrupted or not; a fold is rare enough to sweep stray logs then.
      // Jobs abandoned ahead of their latch recorded nothing, and their session is closing: nothing to fold.
      if (!abandoned)
        inPhase(events, 'save', () => {
          if (s.manifest.flush()) sweepLogs(s);
        });
    }
    for (const ch of summary.notStarted)
      for (const p of ch.jobs) if (!reports.has(p)) reports.set(p, reportOf(p, 'not-started', s));
  })();
  return { chunks, ended };
}

/**
 * What a dry run counts of the environment every job would get beyond its
 * tool's: make's MAKEFLAGS when the run would take make's jobserver. The
 * MAKEFLAGS of a jobserver runner serves itself names a fifo made only when
 * it runs (a dry run makes nothing): its few dozen bytes are not counted.
 */
function dryRunEnv(opts: ExecuteOptions): Record<string, string> {
  const mf = opts.makeflags;
  return mf !== null && mf.auth !== null && opts.overrides?.jobs === undefined ? { MAKEFLAGS: mf.raw } : {};
}

/**
 * How many processes the run's tokens let run at once, as a batch tool's
 * chunks aim for: -j, else make's -jN, else the config's jobs, else the CPUs.
 */
function tokenCount(opts: ExecuteOptions, s: Session): number {
  const fromMake = opts.makeflags?.jobs;
  return (
    opts.overrides?.jobs ??
    (typeof fromMake === 'number' ? fromMake : null) ??
    s.loaded.fileJobs ??
    os.availableParallelism()
  );
}
