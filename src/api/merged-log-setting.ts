// The merged log as the config's mergedLog or --merged-log asks for it: where
// it goes, checked before any job runs, written after the run. The writing
// itself is merged-log.ts.
import path from 'node:path';
import { checkReportFile } from '../report/index.js';
import type { Session } from '../session.js';
import type { StagedRoot } from '../staged-path.js';
import { writeMergedLogFile } from './merged-log.js';
import type { RunOptions } from './options.js';
import type { JobReport } from './run-report.js';

/** Where the merged log goes: the flag's path is the caller's, the config's the source tree's; null for none. */
function mergedLogPath(s: Pick<Session, 'loaded' | 'sourceTree'>, opts: RunOptions): string | null {
  const want = s.loaded.config.mergedLog;
  if (want === null) return null;
  return opts.overrides?.mergedLog !== undefined ? path.resolve(opts.cwd, want) : path.resolve(s.sourceTree, want);
}

/**
 * Checks, before any job runs, that the merged log can be written (as
 * --junit is checked): a run whose failures cannot be merged stops with exit
 * 2 naming the file, not with an internal error after every job has run.
 */
export function checkMergedLog(s: Pick<Session, 'loaded' | 'sourceTree'>, opts: RunOptions): void {
  const file = mergedLogPath(s, opts);
  if (file === null) return;
  checkReportFile(mergedLogOption(opts, s), file);
}

/** How messages name the merged log's setting: the flag, or the config's key. */
function mergedLogOption(opts: RunOptions, s: Pick<Session, 'loaded'>): string {
  return opts.overrides?.mergedLog !== undefined ? '--merged-log' : `${s.loaded.displayFile}: mergedLog`;
}

/**
 * Writes every failure's log into the merged log, when the config or
 * --merged-log asks for one (the flag's path is the caller's, the config's is
 * the source tree's); returns where, or null.
 */
export function writeMergedLog(
  s: Session,
  opts: RunOptions,
  jobs: readonly JobReport[],
  roots: readonly StagedRoot[] = [],
): string | null {
  const file = mergedLogPath(s, opts);
  if (file === null) return null;
  writeMergedLogFile(mergedLogOption(opts, s), file, jobs, roots);
  return file;
}
