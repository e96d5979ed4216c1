// runner run: plans, runs the stale jobs under the run's slots, records each
// result as it lands, and reports every job that was not fresh.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LatchedTool, secretWarning } from '../config/index.js';
import { traceArgs } from '../deps/index.js';
import { UsageError } from '../errors.js';
import { checkReportFile } from '../report/index.js';
import { DEFAULT_TERMINAL_SIZE, type JobCommand, type JobOutcome, type TerminalSize, executeJobs, substituteFile } from '../exec/index.js';
import { type Makeflags, type ServeStyle, type Slots, openSlots, parseMakeflags } from '../jobserver/index.js';
import { type JobResult, encodeDeps } from '../manifest/index.js';
import { type Plan, type PlannedJob, type UncheckedJob, type UnreadablePath, fingerprintJob, planJobs } from '../plan/index.js';
import type { JobReport } from '../reporter.js';
import type { Session } from '../session.js';
import { logsDir, runningLogPath, runningLogsDir, tracesDir } from '../state-dir.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import type { ApiOptions } from '../api.js';
import { writeMergedLogFile } from './merged-log.js';
import { runStaged } from './run-staged.js';
import { attachDeps, findStrace, identifyOf, reportedDeps, tracePath } from './attach-deps.js';
import { type DepsScanSummary, type ScanSummary, logPath, removeLogs, scanAndSave, sweepLogs, withSession } from './scan-and-save.js';

export interface RunOptions extends ApiOptions {
  files?: string[];
  tools?: string[];
  dryRun?: boolean;
  force?: boolean;
  rerunFailed?: boolean;
  /** Serve a jobserver to the jobs when runner runs alone (default 'pipe'); false: --no-jobserver. */
  serveJobserver?: ServeStyle | false;
  /**
   * Receives a synchronous function that gives back every jobserver token
   * still held, for the caller's exit paths (exit, uncaught errors, signals).
   */
  onTokensHeld?: (releaseAll: () => void) => void;
  /** The caller's terminal size, for terminal jobs (`"pty": true`); default 80x24. */
  terminalSize?: TerminalSize;
  /** Check what is staged for commit, in a copy of the git index (run-staged.ts). */
  staged?: boolean;
  /** Receives a synchronous function that removes the staged tree, for the caller's exit paths. */
  onStagedTree?: (remove: () => void) => void;
}

export interface RunCounts {
  jobs: number;
  ran: number;
  passed: number;
  failed: number;
  interrupted: number;
  cachedFailures: number;
  fresh: number;
  notStarted: number;
  /** Jobs not checked: their file, or a directory above it, could not be read (README, "Files runner cannot read"). */
  unreadable: number;
}

export interface RunReport {
  dryRun: boolean;
  scan: ScanSummary;
  counts: RunCounts;
  /** Every job that is not fresh, in plan order. */
  jobs: JobReport[];
  /** The signal that interrupted the run, if one did. */
  interrupted: string | null;
  mergedLog: string | null;
  durationMs: number;
  /** Import scanning for deps kinds that read imports (absent when nothing was planned). */
  deps?: DepsScanSummary;
  /** With --staged: the staged files under the source tree. */
  staged?: RelPath[];
}

/** A file argument, relative to the source tree; a directory selects what lies below it. */
export function selectFiles(s: Session, cwd: string, files: readonly string[], unreadable: readonly UnreadablePath[] = []): (p: RelPath) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const arg of files) {
    const abs = path.resolve(cwd, arg);
    const rel = treePath(s.sourceTree, abs);
    if (rel === null) throw new UsageError(`${arg} is outside the source tree ${s.sourceTree}`);
    if (rel === '') return () => true;
    // A file runner cannot read is selected too: its jobs are reported as not checked.
    if (unreadable.some((u) => u.path === rel)) exact.add(rel);
    else if (isDirectory(abs)) prefixes.push(rel + '/');
    else if (s.manifest.files.has(rel as RelPath)) exact.add(rel);
    else throw new UsageError(`${arg} is not a tracked file (it does not exist, or the config's include/exclude leaves it out); see \`runner explain ${arg}\``);
  }
  return (p) => exact.has(p) || prefixes.some((d) => p.startsWith(d));
}

function isDirectory(abs: string): boolean {
  try {
    return fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    return false; // a symlink loop, a directory above it that cannot be read: the scan has reported it
  }
}

export function checkToolNames(tools: readonly LatchedTool[], wanted: readonly string[]): Set<string> {
  const names = tools.map((t) => t.config.name);
  for (const w of wanted) {
    if (!names.includes(w)) throw new UsageError(`--tool ${w}: no such tool; expected one of: ${names.join(', ')}`);
  }
  return new Set(wanted);
}

function reportOf(p: PlannedJob, status: JobReport['status'], s: Session, result?: JobResult): JobReport {
  return {
    tool: p.job.tool.config.name, path: p.job.path, status,
    reasons: p.verdict.state === 'stale' ? p.verdict.reasons : [],
    exitCode: result?.exitCode ?? null, signal: result?.signal ?? null, timedOut: result?.timedOut ?? false,
    durationMs: result?.durationMs ?? null,
    log: result === undefined || !result.hasLog ? null : logPath(s, result),
    finishedAt: status === 'cached-failure' ? result?.finishedAt ?? null : null,
  };
}

function uncheckedReport(u: UncheckedJob): JobReport {
  return {
    tool: u.tool.config.name, path: u.path, status: 'unreadable', reasons: u.reasons,
    exitCode: null, signal: null, timedOut: false, durationMs: null, log: null, finishedAt: null,
  };
}

export async function run(opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const signal = opts.signal ?? new AbortController().signal;
  // First, so that an unparseable MAKEFLAGS stops the run before anything is written.
  const makeflags = parseMakeflags(opts.env.MAKEFLAGS);
  // `make -n` runs '+' recipes anyway and expects them to do nothing.
  const dryRun = opts.dryRun === true || makeflags?.dryRun === true;
  if (opts.staged === true) return runStaged(opts, makeflags, dryRun, started);
  return withSession({ ...opts, beforeState: (c) => checkMergedLog(c, opts) }, async (s) => {
    warnOfSecrets(s, opts.reporter);
    const onlyTools = opts.tools === undefined || opts.tools.length === 0 ? undefined : checkToolNames(s.tools, opts.tools);
    const scanned = scanAndSave(s, opts.reporter, { force: opts.force, rerunFailed: opts.rerunFailed, onlyTools });
    if (opts.files !== undefined && opts.files.length > 0) scanned.planInput.onlyFile = selectFiles(s, opts.cwd, opts.files, scanned.planInput.unreadable);
    await attachDeps(s, scanned, opts.reporter, signal);
    const { counts, jobs } = await executePlan(s, planJobs(scanned.planInput), { ...opts, makeflags }, signal, { dryRun });
    const mergedLog = dryRun ? null : writeMergedLog(s, opts, jobs);
    return {
      dryRun, scan: scanned.summary, counts, jobs,
      interrupted: signal.aborted ? String(signal.reason) : null,
      mergedLog, durationMs: performance.now() - started, deps: scanned.deps,
    };
  });
}

/**
 * Reports the plan's cached failures and runs its stale jobs (or, in a dry
 * run, says they would run); every job that is not fresh gets a report, in
 * plan order.
 */
export async function executePlan(
  s: Session, plan: Plan, opts: RunOptions & { makeflags: Makeflags | null }, signal: AbortSignal,
  how: { dryRun: boolean; reportCached?: boolean },
): Promise<{ counts: RunCounts; jobs: JobReport[] }> {
  const stale = plan.jobs.filter((p) => p.verdict.state === 'stale');
  const cached = plan.jobs.filter((p) => p.verdict.state === 'cached-failure');
  const counts: RunCounts = {
    jobs: plan.jobs.length + plan.fresh + plan.unchecked.length, ran: 0, passed: 0, failed: 0, interrupted: 0,
    cachedFailures: cached.length, fresh: plan.fresh, notStarted: 0, unreadable: plan.unchecked.length,
  };
  opts.reporter.planned({ jobs: counts.jobs, stale: stale.length, cachedFailures: cached.length, fresh: counts.fresh });
  if (!how.dryRun) s.manifest.reuse(plan.reused, Date.now()); // least recently used leave the history first
  const reports = new Map<PlannedJob, JobReport>();
  for (const p of cached) {
    const r = reportOf(p, 'cached-failure', s, p.verdict.state === 'cached-failure' ? p.verdict.result : undefined);
    reports.set(p, r);
    if (how.reportCached !== false) opts.reporter.jobFinished(r);
  }
  // Said before anything runs, as cached failures are: nothing will change them in this run.
  const unchecked = plan.unchecked.map(uncheckedReport);
  for (const r of unchecked) opts.reporter.jobFinished(r);
  if (how.dryRun) {
    for (const p of stale) reports.set(p, reportOf(p, 'would-run', s));
  } else if (stale.length > 0) {
    counts.notStarted = await runStale(s, stale, opts, signal, counts, reports);
  }
  return { counts, jobs: [...plan.jobs.flatMap((p) => reports.get(p) ?? []), ...unchecked] };
}

/** Runs the stale jobs, recording each result as it lands; returns how many never started. */
async function runStale(
  s: Session, stale: PlannedJob[], opts: RunOptions & { makeflags: Makeflags | null }, signal: AbortSignal,
  counts: RunCounts, reports: Map<PlannedJob, JobReport>,
): Promise<number> {
  const { config } = s.loaded;
  fs.mkdirSync(logsDir(s.stateDir), { recursive: true });
  fs.mkdirSync(runningLogsDir(s.stateDir), { recursive: true });
  // Each job writes a fresh file of its own, moved to its result's name when it ends: a job killed with its
  // runner, or still writing as an orphan, never writes into a log a recorded result names (issue 12).
  const running = new Map<PlannedJob, string>();
  const runningLog = (p: PlannedJob): string => {
    let file = running.get(p);
    if (file === undefined) running.set(p, (file = runningLogPath(s.stateDir, process.pid, ++runningLogs)));
    return file;
  };
  const strace = findStrace(s, opts.env);
  if (strace !== null) fs.mkdirSync(tracesDir(s.stateDir), { recursive: true });
  const identify = identifyOf(s);
  const slots = openSlots({
    makeflags: opts.makeflags, jobsFlag: opts.overrides?.jobs, configJobs: s.loaded.fileJobs,
    cpuCount: os.availableParallelism(), serve: opts.serveJobserver ?? 'pipe',
  });
  opts.onTokensHeld?.(() => slots.releaseAll());
  for (const w of slots.warnings) opts.reporter.warning(w);
  let exec;
  try {
    exec = await executeJobs(stale, {
      pool: slots.pool,
      signal,
      failFast: config.failFast,
      commandFor: (p) => commandFor(s, p, slots, strace, opts.terminalSize ?? DEFAULT_TERMINAL_SIZE, runningLog(p)),
      onStart: (p) => opts.reporter.jobStarted(p.job.tool.config.name, p.job.path),
      onFinish: (p, outcome) => {
        if (outcome.runnerFault !== null) {
          // runner's failure, not the job's: reported, never recorded, so the job runs again next time.
          opts.reporter.warning(`${p.job.tool.config.name} ${p.job.path}: ${outcome.runnerFault}; not recorded, it runs again next time`);
          if (outcome.status === 'interrupted') counts.interrupted++;
          else {
            counts.ran++;
            counts.failed++;
          }
          // Its log stays where it was written, until the next runner takes the state directory.
          const r = { ...reportOf(p, outcome.status === 'interrupted' ? 'interrupted' : 'failed', s), ...logOf(unrecorded(p, outcome), runningLog(p)) };
          reports.set(p, r);
          opts.reporter.jobFinished(r);
          return;
        }
        const kind = p.job.tool.config.deps;
        const now = Date.now();
        const reported = kind === 'depfile' || kind === 'trace' ? reportedDeps(s, p, identify) : null;
        const depsDigest = reported?.depsDigest ?? p.job.deps?.digest ?? '';
        // What a job reports of its dependencies is known only now: its fingerprint includes them.
        const fingerprint = reported === null ? p.job.fingerprint
          : fingerprintJob(p.job.tool.config.name, p.job.tool.latchId, p.job.path, p.job.digest, depsDigest);
        const result: JobResult = {
          tool: p.job.tool.config.name, path: p.job.path, fingerprint, latchId: p.job.tool.latchId,
          digest: p.job.digest, status: outcome.status, exitCode: outcome.exitCode, signal: outcome.signal,
          timedOut: outcome.timedOut, durationMs: outcome.durationMs, hasLog: outcome.logBytes > 0, finishedAt: now, usedAt: now,
          logBytes: outcome.logBytes,
          depsDigest, deps: reported?.deps ?? (p.job.deps === null || p.job.deps.entries.length === 0 ? '' : encodeDeps(p.job.deps.entries)),
        };
        // Its log gets the result's own name (a name no kept result has: two results of a job never share a log).
        while (result.hasLog && fs.existsSync(logPath(s, result))) result.finishedAt++;
        if (result.hasLog) fs.renameSync(runningLog(p), logPath(s, result));
        // A job that wrote nothing keeps no log: 100,000 empty files would cost every later run a readdir.
        else fs.rmSync(runningLog(p), { force: true });
        running.delete(p);
        // A graph kind keeps the graph's nodes the result reaches, so explain can later diff by content.
        const nodes = p.job.deps?.nodesToKeep?.((h) => s.manifest.merkleNode(h) !== undefined) ?? [];
        removeLogs(s, s.manifest.recordResult(result, nodes));
        if (outcome.status === 'interrupted') counts.interrupted++;
        else {
          counts.ran++;
          if (outcome.status === 'passed') counts.passed++;
          else counts.failed++;
        }
        const r = reportOf(p, outcome.status, s, result);
        reports.set(p, r);
        opts.reporter.jobFinished(r);
      },
    });
  } finally {
    for (const w of slots.finish()) opts.reporter.warning(w); // every token back before anything else
    // Fold the journal into the snapshot, interrupted or not; a fold is rare enough to sweep stray logs then.
    if (s.manifest.flush()) sweepLogs(s);
  }
  for (const p of exec.notStarted) reports.set(p, reportOf(p, 'not-started', s));
  return exec.notStarted.length;
}

/** How a job that runner failed to run or log is reported: under its planned fingerprint, its log where it was written. */
function unrecorded(p: PlannedJob, outcome: JobOutcome): JobResult {
  return {
    tool: p.job.tool.config.name, path: p.job.path, fingerprint: p.job.fingerprint, latchId: p.job.tool.latchId,
    digest: p.job.digest, status: 'failed', exitCode: outcome.exitCode, signal: outcome.signal, timedOut: outcome.timedOut,
    durationMs: outcome.durationMs, hasLog: outcome.logBytes > 0, finishedAt: Date.now(), usedAt: Date.now(), logBytes: outcome.logBytes,
    depsDigest: '', deps: '',
  };
}

/** Numbers this process's running logs (with its pid, a name no other process uses). */
let runningLogs = 0;

/** A report's exit details and log, of a result runner did not record. */
function logOf(r: JobResult, log: string): Pick<JobReport, 'exitCode' | 'signal' | 'timedOut' | 'durationMs' | 'log'> {
  return { exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, durationMs: r.durationMs, log: r.hasLog ? log : null };
}

function commandFor(s: Session, p: PlannedJob, slots: Slots, strace: string | null, terminal: TerminalSize, log: string): JobCommand {
  const tool = p.job.tool;
  const cmd = substituteFile(tool.config.command, tool.program, p.job.path);
  // A traced job runs under strace, which records every file it opens.
  const { program, args } = tool.config.deps === 'trace' && strace !== null
    ? { program: strace, args: [...traceArgs(tracePath(s, p)), cmd.program, ...cmd.args] }
    : cmd;
  return {
    program, args, cwd: s.sourceTree,
    // MAKEFLAGS reaches every job, whatever `env` says, and is never latched: it changes no result.
    env: slots.makeflags === null ? tool.env : { ...tool.env, MAKEFLAGS: slots.makeflags },
    timeoutMs: tool.config.timeout === null ? null : tool.config.timeout * 1000,
    logPath: log,
    fds: slots.fds,
    ...(tool.config.pty ? { terminal } : {}),
  };
}

/** Once per run (and per watch): passEnv names that look like secrets, and the fix. */
export function warnOfSecrets(s: Pick<Session, 'loaded'>, reporter: RunOptions['reporter']): void {
  const warning = secretWarning(s.loaded.displayFile, s.loaded.config.passEnv);
  if (warning !== null) reporter.warning(warning);
}

/** Where the merged log goes: the flag's path is the caller's, the config's the source tree's; null for none. */
function mergedLogPath(s: Pick<Session, 'loaded' | 'sourceTree'>, opts: RunOptions): string | null {
  const want = s.loaded.config.mergedLog;
  if (want === null) return null;
  return opts.overrides?.mergedLog !== undefined ? path.resolve(opts.cwd, want) : path.resolve(s.sourceTree, want);
}

/**
 * Checks, before any job runs, that the merged log can be written (as
 * --junit is checked): a run whose failures cannot be merged stops with exit
 * 2 naming the file, not with an internal error after every job has run.
 */
export function checkMergedLog(s: Pick<Session, 'loaded' | 'sourceTree'>, opts: RunOptions): void {
  const file = mergedLogPath(s, opts);
  if (file === null) return;
  checkReportFile(mergedLogOption(opts, s), file);
}

/** How messages name the merged log's setting: the flag, or the config's key. */
function mergedLogOption(opts: RunOptions, s: Pick<Session, 'loaded'>): string {
  return opts.overrides?.mergedLog !== undefined ? '--merged-log' : `${s.loaded.displayFile}: mergedLog`;
}

/**
 * Writes every failure's log into the merged log, when the config or
 * --merged-log asks for one (the flag's path is the caller's, the config's is
 * the source tree's); returns where, or null.
 */
export function writeMergedLog(s: Session, opts: RunOptions, jobs: readonly JobReport[]): string | null {
  const file = mergedLogPath(s, opts);
  if (file === null) return null;
  writeMergedLogFile(mergedLogOption(opts, s), file, jobs);
  return file;
}
