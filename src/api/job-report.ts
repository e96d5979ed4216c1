// The report of one job that is not fresh, as its event and RunReport
// carry it: from its plan entry and, when it has one, its result and the
// batch process (chunk) that judged it.
import fs from 'node:fs';
import type { JobResult } from '../manifest/index.js';
import type { PlannedJob, UncheckedJob } from '../plan/index.js';
import type { Session } from '../session.js';
import { type Chunk, narrowedChunkId } from './chunk.js';
import type { ChunkReport, JobReport } from './run-report.js';
import { logPath } from './scan-and-save.js';

export function reportOf(
  p: PlannedJob,
  status: JobReport['status'],
  s: Pick<Session, 'stateDir'>,
  result?: JobResult,
  chunk?: ChunkReport,
): JobReport {
  return {
    tool: p.job.tool.config.name,
    path: p.job.path,
    status,
    reasons: p.verdict.state === 'stale' ? p.verdict.reasons : [],
    end: result?.end ?? null,
    durationMs: result?.durationMs ?? null,
    log: result === undefined || !result.hasLog ? null : logPath(s, result),
    finishedAt: status === 'cached-failure' ? (result?.finishedAt ?? null) : null,
    ...(chunk === undefined ? {} : { chunk }),
  };
}

/** A fresh job the plan listed: passed, as its result (an earlier run's) says, and marked cached. */
export function freshReport(p: PlannedJob, s: Pick<Session, 'stateDir'>): JobReport {
  const result = p.verdict.state === 'fresh' ? p.verdict.result : undefined;
  return { ...reportOf(p, 'passed', s, result), finishedAt: result?.finishedAt ?? null, cached: true };
}

/**
 * How many kept results link to `result`'s log: the files one batch process
 * judged share its output (result-recorder.ts links it under each result's
 * name). Null when it has no log, or the log is gone.
 */
export function logShares(s: Pick<Session, 'stateDir'>, result: JobResult): number | null {
  if (!result.hasLog) return null;
  try {
    return fs.statSync(logPath(s, result)).nlink;
  } catch {
    return null; // gone or unreadable: explain says nothing of it
  }
}

/** What reports say of a chunk: nothing for a one-file tool's (its process is its job). */
export function chunkReportOf(ch: Pick<Chunk, 'id' | 'jobs' | 'batch'>): ChunkReport | undefined {
  return ch.batch ? { id: ch.id, files: ch.jobs.length, narrowing: narrowedChunkId(ch.id) } : undefined;
}

export function uncheckedReport(u: UncheckedJob): JobReport {
  return {
    tool: u.tool.config.name,
    path: u.path,
    status: 'unreadable',
    reasons: u.reasons,
    end: null,
    durationMs: null,
    log: null,
    finishedAt: null,
  };
}
