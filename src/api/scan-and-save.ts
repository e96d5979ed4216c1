// Walks the working tree and adopts it into the manifest (one transaction),
// and gives the plan the tree as this scan found it (tree-view.ts); the
// session wrapper every command runs in.
import fs from 'node:fs';
import path from 'node:path';
import { type JobResult, logFileName } from '../manifest/index.js';
import { hasOutputLists, removeOutputList, sweepOutputs } from '../outputs/index.js';
import type { UnreadablePath } from '../plan/index.js';
import {
  type CompiledSpec,
  type ScanIssue,
  type ScanResult,
  type WatchOutcome,
  compileSpec,
  isReadProblem,
  scanTree,
  updatePaths,
} from '../scan/index.js';
import { type Session, type SessionOptions, type UnlatchedSession, keepPrograms, openSession } from '../session.js';
import { OUTPUT_LOG_SUFFIX, logFilePath, logsDir, outputLogPath, streamIndexPath, streamsDir } from '../state-dir.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import { type EventSink, noEvents } from './events.js';
import { inPhase } from './phase.js';
import { gitIgnoreOf, keepIndexStat } from './git-ignore.js';
import type { ScanSummary } from './run-report.js';
import { type TreeView, WORKING_CACHES, treeView } from './tree-view.js';
import { scanByWatchman } from './watchman-scan.js';

export function unreadableCounts(issues: readonly ScanIssue[]): ScanSummary['unreadable'] {
  const problems = issues.filter(isReadProblem);
  const directories = problems.filter((i) => i.entry === 'directory').length;
  return { files: problems.length - directories, directories };
}

/**
 * The files whose jobs cannot be checked: each file the scan could not read
 * (one whose name is not UTF-8 has no path a tool could be given), and what
 * is known below a directory it could not read (the paths with results).
 */
export function unreadablePathsOf(
  issues: readonly ScanIssue[],
  knownUnder: (dir: RelPath) => Iterable<RelPath>,
): UnreadablePath[] {
  const out: UnreadablePath[] = [];
  for (const i of issues) {
    if (!isReadProblem(i)) continue;
    const reason = { kind: 'unreadable', path: i.path, why: i.detail } as const;
    if (i.entry === 'directory') for (const p of knownUnder(i.path as RelPath)) out.push({ path: p, reason });
    else if (i.kind !== 'not-utf8') out.push({ path: i.path as RelPath, reason });
  }
  return out;
}

/** What a scan found, for the plan's input (plan-input.ts) once the dependencies are known. */
export interface Scanned {
  summary: ScanSummary;
  /** The tree scanned: its files, the tools whose jobs are planned, where its caches are kept. */
  tree: TreeView;
  newFiles: ReadonlySet<RelPath>;
  /** Files whose jobs cannot be checked (see unreadablePathsOf). */
  unreadable: readonly UnreadablePath[];
  /** With ScanHow.deferWrite: writes the adopted scan (once); absent: written already. */
  write?: () => void;
}

/**
 * What the walk tracks under the session's config (the state directory is
 * never walked; what git ignores is not tracked unless "gitignore" is false).
 * Reads the ignore rules above the source tree: a few small files.
 */
export function walkSpecOf(s: UnlatchedSession): CompiledSpec {
  const stateRel = treePath(s.sourceTree, s.stateDir);
  const inside = stateRel !== null && stateRel !== '';
  const { config } = s.loaded;
  return compileSpec({
    include: config.include,
    exclude: config.exclude,
    whitelist: s.whitelist,
    skip: inside ? [stateRel] : [],
    gitignore: gitIgnoreOf(s),
  });
}

/** How a scan goes: `changed`, the paths to update when the stored state allows (else the whole tree is walked). */
export interface ScanHow {
  changed?: Iterable<RelPath>;
  /**
   * A scan or save that fails leaves the manifest's files and directories as they were, so the next scan reads
   * (and counts) again what this one read but could not record (a watch cycle). Costs a record of each path the
   * scan changes (and a copy of the file map once it deletes one).
   */
  keepOnFailure?: boolean;
  /** The whole tree walked already (walkTree(), while the session was opened): adopted as it is. */
  walked?: Walked;
  /** The walk spec, when the caller compiled it already (walkSpecOf). */
  spec?: CompiledSpec;
  /**
   * The scan is adopted but not written: Scanned.write writes it, which the caller must do before any result
   * is recorded (a run's first jobs start meanwhile: execute-plan.ts). Not with keepOnFailure.
   */
  deferWrite?: boolean;
  /** Watchman's answer for this scan, when the session's settled check asked it already (api/settled-run.ts). */
  asked?: WatchOutcome;
  /**
   * The stored tree's check found every listing as stored and only these files' stats changed or racy, all
   * stat'ed after `askedMs` (api/settled-run.ts): they alone are looked at again, the walk's clock moving there.
   */
  checked?: { paths: readonly RelPath[]; askedMs: number };
  /**
   * The caller's environment (PATH, RUNNER_WATCHMAN): given, a scan with neither `changed` nor `walked` asks
   * watchman what changed when it is on PATH (api/watchman-scan.ts); absent, the tree is walked.
   */
  env?: NodeJS.ProcessEnv;
}

/** A walk of the whole working tree, not yet adopted into the manifest. */
export interface Walked {
  spec: CompiledSpec;
  result: ScanResult;
}

/** Only the changed paths looked at again, when the stored state allows it (else null: the whole tree is walked). */
function updated(s: Session, changed: Iterable<RelPath>): Walked | null {
  const spec = walkSpecOf(s);
  const result = updatePaths({ sourceTree: s.sourceTree, spec, prior: s.manifest, paths: changed });
  return result === null ? null : { spec, result };
}

/** Walks the whole working tree against what the manifest knows, changing nothing yet (scanAndSave adopts it). */
export function walkTree(s: UnlatchedSession, events: EventSink, spec = walkSpecOf(s)): Walked {
  return inPhase(events, 'scan', () => {
    const result = scanTree({
      sourceTree: s.sourceTree,
      spec,
      prior: s.manifest,
      onProgress: (visited, hashed) => events.emit({ type: 'scan-progress', visited, hashed }),
    });
    return { spec, result };
  });
}

/**
 * Walks the working tree (or updates only the changed paths), adopts the
 * result into the manifest and writes it back in one transaction; returns
 * the working tree's view as this scan found it.
 */
export function scanAndSave(s: Session, events: EventSink, how: ScanHow = {}): Scanned {
  for (const f of s.manifest.takeRestored()) {
    events.emit({
      type: 'warning',
      message: `${f} was read-only while its database is writable; made it writable again (nothing in it is lost)`,
    });
  }
  const before = how.keepOnFailure === true ? s.manifest.scanCheckpoint() : null;
  try {
    const out = scanInto(s, events, how);
    if (before !== null) s.manifest.keepScan(before);
    return out;
  } catch (err) {
    if (before !== null) s.manifest.restoreScan(before);
    throw err;
  }
}

/** The scan's result: the changed paths updated, the walk given, watchman's changes, or the whole tree walked. */
function scanned(s: Session, events: EventSink, how: ScanHow): Walked {
  const { changed, walked, env } = how;
  const done = (changed === undefined ? null : inPhase(events, 'scan', () => updated(s, changed))) ?? walked;
  if (done !== undefined) return done;
  const spec = how.spec ?? walkSpecOf(s);
  if (how.checked !== undefined) {
    const { paths, askedMs } = how.checked;
    const result = inPhase(events, 'scan', () =>
      updatePaths({ sourceTree: s.sourceTree, spec, prior: s.manifest, paths, sinceClock: { askedMs } }),
    );
    if (result !== null) return { spec, result };
    events.emit({ type: 'scan-path', how: 'walk', reason: 'the stored listings cannot answer for the changed files' });
    return walkTree(s, events, spec);
  }
  if (env === undefined || changed !== undefined) return walkTree(s, events, spec);
  const asked = inPhase(events, 'scan', () => scanByWatchman(s, spec, env, events, how.asked));
  const { result } = asked.result === null ? walkTree(s, events, spec) : { result: asked.result };
  if (asked.keep !== undefined) result.update.watchState = asked.keep;
  return { spec, result };
}

function scanInto(s: Session, events: EventSink, how: ScanHow): Scanned {
  const { spec, result } = scanned(s, events, how);
  for (const issue of result.issues) events.emit({ type: 'scan-issue', issue });
  for (const t of s.tools) for (const message of t.inputWarnings) events.emit({ type: 'warning', message });
  const { tree, write } = inPhase(events, 'save', () => {
    s.manifest.adoptScan(result.update);
    keepIndexStat(s, spec.gitignore);
    for (const t of s.tools) s.manifest.addLatch(t.latchId, t.latch);
    keepPrograms(s);
    const view = treeView(s.sourceTree, s.manifest.files, s.tools, WORKING_CACHES);
    const toolIndex = new Map(s.tools.map((t, i) => [t.config.name, i]));
    // Results of a path the tool selects stay when the file is gone: it may come back (a stash, a branch switch).
    // What the filters are made of, unless one depends on the files too (a tool's own outputs): a save under
    // the same tools then skips checking every result again (a watch cycle's).
    const jobsKey = s.tools.some((t) => t.config.outputs.length > 0)
      ? null
      : JSON.stringify(s.tools.map((t) => [t.config.name, t.config.include, t.config.exclude]));
    let written = false;
    const save = (): void => {
      if (written) return;
      written = true;
      const dropped = s.manifest.save((tool, p) => {
        const i = toolIndex.get(tool);
        return i !== undefined && view.filters[i]!(p);
      }, jobsKey);
      removeLogs(s, dropped);
    };
    if (how.deferWrite !== true) save();
    return { tree: view, write: how.deferWrite === true ? () => inPhase(events, 'save', save) : undefined };
  });
  return {
    summary: {
      tracked: tree.files.size,
      new: result.newFiles.size,
      changed: result.changedFiles.size,
      removed: result.removedFiles.length,
      hashed: result.hashed,
      issues: result.issues,
      unreadable: unreadableCounts(result.issues),
    },
    tree,
    newFiles: result.newFiles,
    unreadable: unreadablePathsOf(result.issues, (dir) => s.manifest.resultPathsUnder(dir)),
    ...(write === undefined ? {} : { write }),
  };
}

/** Where a recorded result's log is (see logFileName). */
export function logPath(s: Pick<Session, 'stateDir'>, r: Pick<JobResult, 'fingerprint' | 'finishedAt'>): string {
  return logFilePath(s.stateDir, logFileName(r));
}

/** Removes the logs of results no longer kept; one that will not go is litter, never a reason to stop a run. */
export function removeLogs(s: Session, results: readonly JobResult[]): void {
  // Asked once: a state directory where no tool ever kept outputs costs no unlink per result.
  const lists = results.length > 0 && hasOutputLists(s.stateDir);
  for (const r of results) {
    try {
      // Each log goes with its stream index.
      if (r.hasLog) removeWithIndex(s, logPath(s, r));
      // Only a failure the pattern named has its process's output beside its log.
      if (r.hasLog && r.status === 'failed') removeWithIndex(s, outputLogPath(logPath(s, r)));
      // Its outputs' list is named by fingerprint: a result recorded again under it keeps the list.
      if (
        lists &&
        r.status === 'passed' &&
        !s.manifest.history(r.tool, r.path).some((k) => k.fingerprint === r.fingerprint)
      )
        removeOutputList(s.stateDir, r.fingerprint);
    } catch {
      // a directory in its place, a read-only logs/: it stays until `runner clean`
    }
  }
}

function removeWithIndex(s: Session, log: string): void {
  fs.rmSync(log, { force: true });
  fs.rmSync(streamIndexPath(s.stateDir, log), { force: true });
}

/**
 * Removes every file in the logs and streams directories that no kept result names (a
 * runner killed between moving a finished job's log and recording its
 * result, a log that would not be removed before). Call with the lock held
 * and no job running: then each such file is no one's.
 */
export function sweepLogs(s: Session): void {
  // The outputs of results no longer kept go with their logs.
  sweepOutputs(s.stateDir, () => s.manifest.keptFingerprints());
  const kept = s.manifest.keptLogNames();
  // A kept log's process output (`.output`) goes with it; so do both's stream indexes (in streams/, by the same names).
  const isKept = (n: string): boolean =>
    kept.has(n) || (n.endsWith(OUTPUT_LOG_SUFFIX) && kept.has(n.slice(0, -OUTPUT_LOG_SUFFIX.length)));
  for (const dir of [logsDir(s.stateDir), streamsDir(s.stateDir)]) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      if (isKept(n)) continue;
      try {
        fs.rmSync(path.join(dir, n), { force: true, recursive: true });
      } catch {
        // one that will not go stays until the next sweep, or `runner clean`
      }
    }
  }
}

/**
 * Opens a session, runs fn in it and saves what is left: with `foldFiles`, the files deltas too, so that
 * the next no-op finds the files snapshot as stored (scan/settled.ts). `afterSave` runs once the session's
 * last write is done (a run's settled mark: settled-run.ts).
 */
export async function withSession<T>(
  opts: SessionOptions & { foldFiles?: boolean; afterSave?: () => void },
  fn: (s: Session) => Promise<T> | T,
): Promise<T> {
  const s = await openSession(opts);
  try {
    const out = await fn(s);
    // Without the lock (watch lets go between cycles) only caches are left unwritten: results are folded per run.
    if (s.lock.held) {
      inPhase(opts.events ?? noEvents, 'save', () => {
        keepPrograms(s); // programs identified after the scan (the python deps' interpreter, the staged tree's tools)
        s.manifest.flush({ foldFiles: opts.foldFiles === true }); // the journal and the import cache, when they have grown or changed
        opts.afterSave?.();
      });
    }
    return out;
  } finally {
    s.manifest.close();
    s.lock.release();
  }
}
