// A run's report is assembled in one place (runReportOf), its counts counted
// from its jobs' reports: run, run --staged and each watch cycle agree by
// construction.
import { describe, expect, test } from 'vitest';
import { type JobReport, type JobStatus, countsOf, runReportOf, unchangedScan } from '../../../src/api/run-report.js';
import type { RelPath } from '../../../src/types.js';

function job(file: string, status: JobStatus): JobReport {
  return {
    tool: 'lint',
    path: file as RelPath,
    status,
    reasons: [],
    end: null,
    durationMs: null,
    log: null,
    finishedAt: null,
  };
}

const scan = unchangedScan(9);

describe('a run report', () => {
  test('issue 13: counts come from the jobs: a failure of runner itself is a failed job that ran, an interrupted one did not finish its run', () => {
    const jobs = [
      job('a', 'passed'),
      job('b', 'failed'),
      job('c', 'failed'),
      job('d', 'interrupted'),
      job('e', 'cached-failure'),
      job('f', 'not-started'),
      job('g', 'unreadable'),
      job('h', 'would-run'),
    ];
    expect(countsOf({ jobs, planned: { jobs: 12, fresh: 4 } })).toEqual({
      jobs: 12,
      ran: 3,
      passed: 1,
      failed: 2,
      interrupted: 1,
      cachedFailures: 1,
      fresh: 4,
      notStarted: 1,
      unreadable: 1,
    });
  });

  test('an aborted signal names the interruption; a run that planned nothing has no jobs and zero counts', () => {
    const abort = new AbortController();
    abort.abort('SIGTERM');
    const r = runReportOf({
      dryRun: false,
      scan,
      signal: abort.signal,
      mergedLog: null,
      started: performance.now(),
      staged: [],
    });
    expect(r.interrupted).toBe('SIGTERM');
    expect(r.jobs).toEqual([]);
    expect(r.counts).toMatchObject({ jobs: 0, ran: 0, fresh: 0 });
    expect(r.staged).toEqual([]);
    expect('deps' in r).toBe(false);
    // Nothing ran that the signal could stop: not interrupted.
    expect(runReportOf({ dryRun: false, scan, signal: null, mergedLog: null, started: 0 }).interrupted).toBeNull();
  });
});
