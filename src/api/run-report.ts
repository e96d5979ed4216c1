// What a run returns: its counts, what its scans found, and a report of every
// job that is not fresh (and of the fresh ones, when asked); and runReportOf, the one place run, run --staged and
// each watch cycle assemble it (its counts counted from the jobs' reports).
// Imports only types and types.ts, so that the event union (events.ts) and
// report/ can name it without an import cycle.
import type { UnresolvedImport } from '../deps/index.js';
import type { JobEnd } from '../job-end.js';
import type { NarrowingStop } from './narrowing.js';
import type { Shard, StaleReason } from '../plan/index.js';
import type { ScanIssue } from '../scan/index.js';
import type { RemoteSummary } from '../cache/index.js';
import { type RelPath, assertNever } from '../types.js';

/** unreadable: not checked, because runner could not read the job's file or a directory above it (never run, never recorded). */
export type JobStatus =
  'passed' | 'failed' | 'interrupted' | 'cached-failure' | 'not-started' | 'would-run' | 'unreadable';

export interface JobReport {
  tool: string;
  path: RelPath;
  status: JobStatus;
  reasons: StaleReason[];
  /** How it ended (for a cached failure, when it last ran); null when it did not run (would-run, not-started, unreadable). */
  end: JobEnd | null;
  durationMs: number | null;
  /** Absolute path of the job's log, when it has one. */
  log: string | null;
  /** For a cached failure or a cached pass: when it last ran (ms since the epoch). */
  finishedAt: number | null;
  /**
   * A fresh job, listed only when the run was asked to (RunOptions.listFresh): status 'passed', its
   * result that of the earlier run that proved it (end, durationMs, log, finishedAt are that run's).
   */
  cached?: true;
  /**
   * Its result came from the remote cache in this run (restored and recorded here, not run): status
   * 'passed', or 'cached-failure' for a failure some other machine recorded under the same inputs.
   */
  remote?: true;
  /**
   * A batch tool's file that a process of this run ran (passed, failed,
   * interrupted), or would run (dry run): that process. Absent for a one-file
   * tool's job (its process is the job) and for a file no process of this run ran.
   */
  chunk?: ChunkReport;
  /**
   * A batch tool's file that failed with its chunk and was not judged alone: the narrowing stopped (its
   * budget spent, or a dense failure) after this many processes. Reported failed, kept as no failure: it
   * runs again next time. Absent otherwise.
   */
  unjudged?: NarrowingStop;
  /**
   * A batch tool's file that failed because the failure pattern named it in its process's output: how many of
   * that process's files the pattern named. Its log is then the lines naming it, not the whole output. Absent
   * otherwise.
   */
  named?: number;
}

/** The process that judged (or ran, or would run) a batch tool's file: what reports say of it. */
export interface ChunkReport {
  /** Unique within the run: `TOOL#N`, the tool's Nth chunk in plan order, with `.K` for the Kth process narrowing it. */
  id: string;
  /** How many files that process was given. */
  files: number;
  /** The failed chunk this process narrows; null for a chunk the run planned. */
  narrowing: string | null;
}

export interface ScanSummary {
  tracked: number;
  new: number;
  changed: number;
  removed: number;
  hashed: number;
  issues: ScanIssue[];
  /** What could not be read (issues other than files removed mid-scan): a directory counts once, its files are unknown. */
  unreadable: { files: number; directories: number };
}

/** A scan that found nothing to tell: `tracked` files, none new, changed, removed, read or unreadable. */
export function unchangedScan(tracked: number): ScanSummary {
  return { tracked, new: 0, changed: 0, removed: 0, hashed: 0, issues: [], unreadable: { files: 0, directories: 0 } };
}

/** Per deps kind that reads imports: how many files its graph covers, and how many were read (or resolved, or followed) again. */
export type DepsScanSummary = Record<
  string,
  {
    files: number;
    scanned: number;
    kept?: boolean;
    resolved?: number;
    followed?: number;
    unresolved?: UnresolvedImport[];
  }
>;

export interface RunCounts {
  jobs: number;
  ran: number;
  passed: number;
  failed: number;
  interrupted: number;
  cachedFailures: number;
  fresh: number;
  /** Of the fresh jobs, those whose outputs were put back from the store (absent: none). */
  restored?: number;
  notStarted: number;
  /** Jobs not checked: their file, or a directory above it, could not be read (README, "Files runner cannot read"). */
  unreadable: number;
  /**
   * Jobs whose result the remote cache had, restored instead of run (a failure among them is a cached
   * failure too); present only when the run had a remote cache to ask.
   */
  remoteHits?: number;
}

export interface RunReport {
  dryRun: boolean;
  scan: ScanSummary;
  counts: RunCounts;
  /** Every job that is not fresh, in plan order; with RunOptions.listFresh, the fresh ones too (cached). */
  jobs: JobReport[];
  /** The signal that interrupted the run, if one did. */
  interrupted: string | null;
  mergedLog: string | null;
  durationMs: number;
  /** Import scanning for deps kinds that read imports (absent when nothing was planned). */
  deps?: DepsScanSummary;
  /** With --staged: the staged files under the source tree. */
  staged?: RelPath[];
  /** With --shard I/N: the shard this run ran. */
  shard?: ShardReport;
  /** With --since REF: what changed since it. */
  since?: SinceReport;
  /** What the remote cache did, when one is configured and the run looked (README, "Remote cache"). */
  remote?: RemoteSummary;
}

/** The shard a run ran, and a hash of what cut the jobs into shards: N machines that agree print the same. */
export interface ShardReport extends Shard {
  assignment: string;
}

/** What --since REF counted as changed (the jobs of these files and of their dependents were selected). */
export interface SinceReport {
  ref: string;
  mergeBase: string;
  changed: RelPath[];
  deleted: RelPath[];
}

export const NO_JOBS: Readonly<RunCounts> = {
  jobs: 0,
  ran: 0,
  passed: 0,
  failed: 0,
  interrupted: 0,
  cachedFailures: 0,
  fresh: 0,
  notStarted: 0,
  unreadable: 0,
};

/** What executing a plan returns: every job that is not fresh (and, when listed, the fresh), in plan order, and the plan's size. */
export interface Executed {
  jobs: JobReport[];
  planned: { jobs: number; fresh: number; restored?: number };
  /** The remote cache's work, when the plan used one. */
  remote?: RemoteSummary;
}

/** A run's counts, from its jobs' reports: the one place they are counted. */
export function countsOf(e: Executed): RunCounts {
  const counts: RunCounts = {
    ...NO_JOBS,
    jobs: e.planned.jobs,
    fresh: e.planned.fresh,
    ...(e.planned.restored === undefined ? {} : { restored: e.planned.restored }),
  };
  if (e.remote !== undefined) counts.remoteHits = e.jobs.filter((j) => j.remote === true).length;
  for (const j of e.jobs) {
    switch (j.status) {
      case 'passed':
        if (j.cached === true || j.remote === true) break; // fresh: counted from the plan; a remote hit: above
        counts.ran++;
        counts.passed++;
        break;
      case 'failed':
        counts.ran++;
        counts.failed++;
        break;
      case 'interrupted':
        counts.interrupted++;
        break;
      case 'cached-failure':
        counts.cachedFailures++;
        break;
      case 'not-started':
        counts.notStarted++;
        break;
      case 'unreadable':
        counts.unreadable++;
        break;
      case 'would-run':
        break;
      default:
        assertNever(j.status);
    }
  }
  return counts;
}

/** What a run (or a watch cycle) knows when it ends; runReportOf turns it into its report. */
export interface RunEnd {
  dryRun: boolean;
  scan: ScanSummary;
  /** What executing the plan returned; omitted when nothing was planned (nothing staged). */
  executed?: Executed;
  /** The run's signal: aborted means interrupted, and its reason names the signal; null when nothing ran that it could stop. */
  signal: AbortSignal | null;
  mergedLog: string | null;
  /** performance.now() when the run (or the cycle) began. */
  started: number;
  deps?: DepsScanSummary;
  staged?: RelPath[];
  shard?: ShardReport;
  since?: SinceReport;
}

/** The report of a run, run --staged or a watch cycle: the one place a RunReport is assembled. */
export function runReportOf(e: RunEnd): RunReport {
  return {
    dryRun: e.dryRun,
    scan: e.scan,
    counts: e.executed === undefined ? { ...NO_JOBS } : countsOf(e.executed),
    jobs: e.executed?.jobs ?? [],
    interrupted: e.signal?.aborted === true ? String(e.signal.reason) : null,
    mergedLog: e.mergedLog,
    durationMs: performance.now() - e.started,
    ...(e.deps !== undefined ? { deps: e.deps } : {}),
    ...(e.staged !== undefined ? { staged: e.staged } : {}),
    ...(e.shard !== undefined ? { shard: e.shard } : {}),
    ...(e.since !== undefined ? { since: e.since } : {}),
    ...(e.executed?.remote !== undefined ? { remote: e.executed.remote } : {}),
  };
}
