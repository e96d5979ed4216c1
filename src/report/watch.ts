// What `runner watch` prints around each cycle: a line saying why it runs, a
// one-line status after it, and with --json one object per cycle.
import type { CycleStart, WatchCycle } from '../api/watch-report.js';
import type { RunnerError } from '../errors.js';
import { JSON_FORMAT_VERSION, jobJson, scanJson } from './json.js';
import { type Style, bold, dim, green, red } from './style.js';

function clock(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** What a cycle a key started says it does. */
const REQUEST_WORDS: Record<NonNullable<CycleStart['request']>, string> = {
  all: 'every job (a)',
  failed: 'failed jobs again (f)',
  stale: 'stale jobs (Enter)',
};

/** Under the status line when the watch takes keys (stdin a terminal): one line, dim. */
export function renderWatchKeys(style: Style): string {
  return dim(style, 'keys: a run every job, f re-run failed jobs, Enter run stale jobs, q quit') + '\n';
}

/** Before a cycle after the first: what it reacts to. */
export function renderCycleStart(c: CycleStart, at = new Date()): string {
  const why: string[] = [];
  if (c.request !== null) why.push(REQUEST_WORDS[c.request]);
  if (c.configReloaded) why.push('config reloaded');
  else if (c.toolsChanged) why.push('a tool changed');
  if (c.recordedChanged && !c.configReloaded && !c.toolsChanged) why.push('a file jobs read changed');
  if (c.changed > 0) why.push(`${c.changed} changed`);
  if (c.added > 0) why.push(`${c.added} new`);
  if (c.removed > 0) why.push(`${c.removed} removed`);
  if (c.fullScan) why.push('whole tree scanned');
  return `[${clock(at)}] cycle ${c.cycle}: ${why.join(', ')}\n`;
}

/** A cycle stopped by an error before it could say what it reacts to (the error follows on stderr). */
export function renderCycleStopped(cycle: number, at = new Date()): string {
  return `[${clock(at)}] cycle ${cycle}: stopped by an error\n`;
}

/** After each cycle: `[13:04:05] 3 ran (2 passed, 1 failed), 140 fresh; watching 412 files (Ctrl-C to stop)`. */
export function renderWatchStatus(style: Style, w: WatchCycle, at = new Date()): string {
  const c = w.report.counts;
  const parts = [`${c.ran} ran (${c.passed} passed, ${c.failed} failed)`];
  if (c.cachedFailures > 0) parts.push(`${c.cachedFailures} cached ${c.cachedFailures === 1 ? 'failure' : 'failures'}`);
  parts.push(`${c.fresh} fresh${c.restored === undefined ? '' : ` (${c.restored} with outputs restored)`}`);
  if (c.interrupted > 0) parts.push(`${c.interrupted} interrupted`);
  if (c.notStarted > 0) parts.push(`${c.notStarted} not started`);
  const tail =
    w.report.interrupted !== null
      ? `stopped by ${w.report.interrupted}`
      : `watching ${w.watching} ${w.watching === 1 ? 'file' : 'files'} (Ctrl-C to stop)`;
  const line = bold(style, `[${clock(at)}] ${parts.join(', ')}; ${tail}`);
  // Red while any job is failing (run now or cached), green when every job passed; as it was when cut short.
  if (w.report.interrupted !== null || c.interrupted > 0 || c.notStarted > 0) return line + '\n';
  return (c.failed > 0 || c.cachedFailures > 0 ? red(style, line) : green(style, line)) + '\n';
}

/** --json: one object per cycle, one per line. exitCode is what `run` would have exited with. */
export function watchCycleJson(style: Style, w: WatchCycle, exitCode: number): string {
  const r = w.report;
  return (
    JSON.stringify({
      command: 'watch',
      version: JSON_FORMAT_VERSION,
      cycle: w.cycle,
      exitCode,
      interrupted: r.interrupted,
      durationMs: Math.round(r.durationMs),
      watching: w.watching,
      scan: scanJson(r.scan),
      ...(r.deps !== undefined ? { deps: r.deps } : {}),
      counts: r.counts,
      jobs: r.jobs.map((j) => jobJson(style, j)),
    }) + '\n'
  );
}

/** --json: the line of a cycle stopped by an error; exitCode is what `run` would have exited with. */
export function watchErrorJson(cycle: number, err: RunnerError): string {
  return (
    JSON.stringify({
      command: 'watch',
      version: JSON_FORMAT_VERSION,
      cycle,
      exitCode: err.exitCode,
      error: { kind: err.kind, message: err.message },
    }) + '\n'
  );
}
