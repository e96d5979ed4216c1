// A RunReport as a run that ran 2 of its 3 jobs would give the reporters:
// what the report unit tests render, with their own jobs and fields on top.
import { type JobReport, type RunReport, unchangedScan } from '../../src/api/run-report.js';

export function runReport(jobs: JobReport[], extra: Partial<RunReport> = {}): RunReport {
  return {
    dryRun: false,
    scan: unchangedScan(3),
    counts: {
      jobs: 3,
      ran: 2,
      passed: 1,
      failed: 1,
      interrupted: 0,
      cachedFailures: 0,
      fresh: 1,
      notStarted: 0,
      unreadable: 0,
    },
    jobs,
    interrupted: null,
    mergedLog: null,
    durationMs: 2000,
    ...extra,
  };
}
