// The report of one job that is not fresh, as its event and RunReport
// carry it: from its plan entry and, when it has one, its result.
import type { JobResult } from '../manifest/index.js';
import type { PlannedJob, UncheckedJob } from '../plan/index.js';
import type { Session } from '../session.js';
import type { JobReport } from './run-report.js';
import { logPath } from './scan-and-save.js';

export function reportOf(
  p: PlannedJob,
  status: JobReport['status'],
  s: Pick<Session, 'stateDir'>,
  result?: JobResult,
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
  };
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
