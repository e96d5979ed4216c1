// What a watch cycle leaves to run or report (its outlook), and whether a new
// plan differs from it: a change that leaves the outlook as it was shows no
// cycle. Also which jobs a cycle may plan alone (watch-narrow.ts) when the
// others cannot have changed. Pure: reads plans and reports, touches nothing.
import type { Plan } from '../plan/index.js';
import type { Session } from '../session.js';
import type { RelPath } from '../types.js';
import type { RunReport } from './run-report.js';

/** Per job that is not fresh, its state and fingerprint; and how many are fresh. */
export interface Outlook {
  fresh: number;
  jobs: Map<string, string>;
}

const outlookKey = (tool: string, p: RelPath): string => `${tool}\0${p}`;

/** The outlook of a plan of every job. */
export function outlookOf(plan: Plan): Outlook {
  return {
    fresh: plan.fresh,
    jobs: new Map(
      plan.jobs.map((p) => [outlookKey(p.job.tool.config.name, p.job.path), `${p.verdict.state} ${p.job.fingerprint}`]),
    ),
  };
}

/**
 * The outlook `prior` becomes with a plan of some of its jobs (planned with
 * listFresh, each a job `prior` counted: fresh when it names no state for it);
 * the jobs left out keep theirs.
 */
export function outlookWith(prior: Outlook, plan: Plan): Outlook {
  const o: Outlook = { fresh: prior.fresh, jobs: new Map(prior.jobs) };
  for (const p of plan.listed ?? []) {
    const key = outlookKey(p.job.tool.config.name, p.job.path);
    if (!o.jobs.delete(key)) o.fresh--;
    if (p.verdict.state === 'fresh') o.fresh++;
    else o.jobs.set(key, `${p.verdict.state} ${p.job.fingerprint}`);
  }
  return o;
}

/** The outlook a cycle leaves: a job that passed is fresh, one that failed a cached failure under its result's fingerprint. */
export function outlookAfter(s: Session, planned: Outlook, report: RunReport): Outlook {
  const o: Outlook = { fresh: planned.fresh, jobs: new Map(planned.jobs) };
  for (const j of report.jobs) {
    const key = outlookKey(j.tool, j.path);
    if (j.status === 'passed') {
      if (o.jobs.delete(key)) o.fresh++;
    } else if (j.status === 'failed') {
      o.jobs.set(key, `cached-failure ${s.manifest.latest(j.tool, j.path)?.fingerprint ?? ''}`);
    }
  }
  return o;
}

export function sameOutlook(a: Outlook, b: Outlook): boolean {
  if (a.fresh !== b.fresh || a.jobs.size !== b.jobs.size) return false;
  for (const [key, value] of a.jobs) if (b.jobs.get(key) !== value) return false;
  return true;
}

/** Whether a job is left stale (not run: --fail-fast, a job runner itself failed): the next cycle must plan every job. */
export function hasStale(o: Outlook): boolean {
  for (const v of o.jobs.values()) if (v.startsWith('stale ')) return true;
  return false;
}
