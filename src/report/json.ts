// The --json objects: one per command, on stdout, nothing else there. Each
// carries the format's version (JSON_FORMAT_VERSION); `run`'s object is
// described by schema/run-report.schema.json, which ships in the package.
import type { DepsReport, Explanation, ScanReport } from '../api/command-reports.js';
import type { JobReport, RunReport, ScanSummary } from '../api/run-report.js';
import { flatEnd } from '../job-end.js';
import { chunksOfRun } from './chunks.js';
import { describeReason } from './reasons.js';
import { type Style, shown, shownFiles } from './style.js';

/**
 * The version of the --json format, not of runner: it goes up only when a change can break a consumer
 * (a field removed, renamed or retyped, a status's meaning changed). Fields and statuses added keep it,
 * so a consumer that checks `version` is not broken by every release (README, "JSON output").
 */
export const JSON_FORMAT_VERSION = 1;

export function scanJson(s: ScanSummary): object {
  return {
    tracked: s.tracked,
    new: s.new,
    changed: s.changed,
    removed: s.removed,
    hashed: s.hashed,
    issues: s.issues,
    unreadable: s.unreadable,
  };
}

export function jobJson(style: Style, j: JobReport, shownLog = (abs: string) => shown(style, abs)): object {
  // --json keeps the flat fields it always had: the one place JSON renders a JobEnd.
  const end = flatEnd(j.end);
  return {
    tool: j.tool,
    file: j.path,
    status: j.status,
    reasons: j.reasons.map((r) => r.kind),
    // Each reason whole (the fields explain --json shows) with the words the terminal prints.
    reasonDetails: j.reasons.map((r) => ({ ...r, text: describeReason(r) })),
    exitCode: end.exitCode,
    signal: end.signal,
    timedOut: end.timedOut,
    durationMs: j.durationMs === null ? null : Math.round(j.durationMs),
    log: j.log === null ? null : shownLog(j.log),
    finishedAt: j.finishedAt,
    // Not run now: its result is an earlier run's (a fresh job listed as passed, or a cached failure), as Bazel's "(cached) PASSED".
    cached: j.cached === true || j.status === 'cached-failure' || j.remote === true,
    // A remote hit: restored from the remote cache in this run. Absent otherwise, as `chunk` is.
    ...(j.remote === true ? { remote: true } : {}),
    // A batch tool's file: the process that ran it (id, files, narrowing). Absent otherwise, so a run without batch tools prints what it always did.
    ...(j.chunk === undefined ? {} : { chunk: j.chunk }),
    // Failed with its chunk, not judged alone (the narrowing stopped): it runs again next time. Absent otherwise.
    ...(j.unjudged === undefined ? {} : { unjudged: j.unjudged }),
  };
}

/** A dry run's chunks per batch tool, in the order the run would start them: each its id and its files. */
function chunksJson(r: RunReport): Record<string, { id: string; files: string[] }[]> {
  const out: Record<string, { id: string; files: string[] }[]> = {};
  for (const t of chunksOfRun(r.jobs.filter((j) => j.status === 'would-run')))
    out[t.tool] = t.chunks.map((c) => ({ id: c.chunk.id, files: c.jobs.map((j) => j.path) }));
  return out;
}

/**
 * The run's --json object. `rendered`: some jobs' objects as text already (jobJsonText, the same bytes), as a
 * reporter made them while the run went on (json-output.ts); the others are rendered here.
 */
export function runJson(
  style: Style,
  r: RunReport,
  exitCode: number,
  junit: string | null = null,
  rendered?: ReadonlyMap<JobReport, string>,
): string {
  const logs = shownFiles(style);
  const before = {
    command: 'run',
    version: JSON_FORMAT_VERSION,
    exitCode,
    dryRun: r.dryRun,
    interrupted: r.interrupted,
    durationMs: Math.round(r.durationMs),
    scan: scanJson(r.scan),
    ...(r.deps !== undefined ? { deps: r.deps } : {}),
    counts: r.dryRun ? { ...r.counts, wouldRun: r.jobs.filter((j) => j.status === 'would-run').length } : r.counts,
  };
  const after = {
    ...(r.dryRun ? { chunks: chunksJson(r) } : {}),
    mergedLog: r.mergedLog === null ? null : shown(style, r.mergedLog),
    ...(r.staged !== undefined ? { staged: r.staged } : {}),
    ...(r.shard !== undefined
      ? { shard: { index: r.shard.index, count: r.shard.count, assignment: r.shard.assignment } }
      : {}),
    ...(r.since !== undefined ? { since: r.since } : {}),
    junit: junit === null ? null : shown(style, junit),
    // With a remote cache: what it did (URL, lookups, hits, uploads, errors, why it was switched off).
    ...(r.remote !== undefined ? { remote: r.remote } : {}),
  };
  // One object, `jobs` between the two halves, joined as JSON.stringify would write it whole.
  const jobs = r.jobs.map((j) => rendered?.get(j) ?? jobJsonText(style, j, logs)).join(',');
  return `${JSON.stringify(before).slice(0, -1)},"jobs":[${jobs}],${JSON.stringify(after).slice(1)}\n`;
}

/** A job's --json object as the text runJson puts in `jobs`. */
export function jobJsonText(style: Style, j: JobReport, shownLog: (abs: string) => string): string {
  return JSON.stringify(jobJson(style, j, shownLog));
}

export function scanJsonText(r: ScanReport): string {
  const stale: Record<string, number> = {};
  for (const t of r.tools) stale[t] = r.stale.filter((j) => j.tool === t).length;
  return (
    JSON.stringify({
      command: 'scan',
      version: JSON_FORMAT_VERSION,
      exitCode: 0,
      durationMs: Math.round(r.durationMs),
      scan: scanJson(r.scan),
      deps: r.deps,
      stale,
      staleJobs: r.stale.map((j) => ({ tool: j.tool, file: j.path, reasons: j.reasons.map((x) => x.kind) })),
    }) + '\n'
  );
}

export function explainJson(e: Explanation): string {
  return (
    JSON.stringify({
      command: 'explain',
      version: JSON_FORMAT_VERSION,
      exitCode: 0,
      file: e.file,
      tracked: e.tracked,
      untracked: e.untracked,
      tools: e.tools.map((t) => ({
        tool: t.tool,
        state: t.state,
        reasons: t.reasons,
        unresolved: t.unresolved,
        // What in the key cannot be shared (never uploaded to a remote cache); [] when all can.
        unshareable: t.unshareable,
        // Dependencies outside the source tree, grouped as the key names them (by absolute path or below HOME).
        namedByPlace: t.namedByPlace,
        last:
          t.last === null
            ? null
            : {
                status: t.last.status,
                exitCode: flatEnd(t.last.end).exitCode,
                finishedAt: t.last.finishedAt,
                fingerprint: t.last.fingerprint,
                // Over 1: judged by one batch process with other files, whose results share its log.
                logShares: t.lastLogShares,
                // Restored from the remote cache, not run on this machine.
                remote: t.last.remote === true,
                // Ran here after the remote cache had nothing under its key.
                remoteMiss: t.last.remoteMiss === true,
              },
      })),
    }) + '\n'
  );
}

export function depsJson(d: DepsReport): string {
  return JSON.stringify({ command: 'deps', version: JSON_FORMAT_VERSION, exitCode: 0, ...d }) + '\n';
}

export function errorJson(command: string, exitCode: number, kind: string, message: string): string {
  return JSON.stringify({ command, version: JSON_FORMAT_VERSION, exitCode, error: { kind, message } }) + '\n';
}
