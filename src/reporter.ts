// The events the library emits while it works; report/ turns them into text.
// Stages never print.
import type { UnresolvedImport } from './deps/index.js';
import type { JobEnd } from './job-end.js';
import type { StaleReason } from './plan/index.js';
import type { ScanIssue } from './scan/index.js';
import type { RelPath } from './types.js';

/** unreadable: not checked, because runner could not read the job's file or a directory above it (never run, never recorded). */
export type JobStatus = 'passed' | 'failed' | 'interrupted' | 'cached-failure' | 'not-started' | 'would-run' | 'unreadable';

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
  /** For a cached failure: when it last ran (ms since the epoch). */
  finishedAt: number | null;
}

export interface Reporter {
  scanProgress(visited: number, hashed: number): void;
  scanIssue(issue: ScanIssue): void;
  warning(message: string): void;
  /**
   * Non-relative javascript imports that resolve nowhere in files some job
   * depends on (less the config's ignoreUnresolved), once per scan; not
   * called when there are none.
   */
  unresolvedImports(found: readonly UnresolvedImport[]): void;
  /** The plan is made: how many jobs will run. */
  planned(counts: { jobs: number; stale: number; cachedFailures: number; fresh: number }): void;
  jobStarted(tool: string, path: RelPath): void;
  /** A job ran to an end, or a cached failure is being reported. */
  jobFinished(job: JobReport): void;
  /** Another runner holds the state directory: this one waits until it lets go (pid null: not known). */
  waitingForRunner(holder: { pid: number | null; stateDir: string }): void;
}

export const silentReporter: Reporter = {
  scanProgress() {},
  scanIssue() {},
  warning() {},
  unresolvedImports() {},
  planned() {},
  jobStarted() {},
  jobFinished() {},
  waitingForRunner() {},
};
