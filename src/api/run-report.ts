// What a run returns: its counts and a report of every job that is not fresh.
// Types only; run, run --staged and each watch cycle fill them in.
import type { JobReport } from '../reporter.js';
import type { RelPath } from '../types.js';
import type { DepsScanSummary } from './find-deps.js';
import type { ScanSummary } from './scan-and-save.js';

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
