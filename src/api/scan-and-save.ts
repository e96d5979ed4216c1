// Walks the tree and adopts it into the manifest (one transaction), and gives
// the plan what it needs; the session wrapper every command runs in.
import fs from 'node:fs';
import path from 'node:path';
import type { LatchedTool } from '../config/index.js';
import { type FileEntry, type JobResult, logFileName } from '../manifest/index.js';
import type { PlanInput } from '../plan/index.js';
import type { Reporter } from '../reporter.js';
import { type CompiledSpec, type Matcher, type ScanIssue, compileSpec, compileToolFilter, scanTree, updatePaths } from '../scan/index.js';
import { LOGS_DIR, type Session, type SessionOptions, openSession } from '../session.js';
import type { RelPath } from '../types.js';

export interface ScanSummary {
  tracked: number;
  new: number;
  changed: number;
  removed: number;
  hashed: number;
  issues: ScanIssue[];
}

/**
 * Per deps kind that reads imports: how many files the graph covers, how many
 * were read this time, and (javascript) how many had their imports resolved
 * again rather than taken from the kept graph.
 */
export type DepsScanSummary = Record<string, { files: number; scanned: number; resolved?: number }>;

export interface Scanned {
  summary: ScanSummary;
  planInput: PlanInput;
  filters: Matcher[];
  deps: DepsScanSummary;
}

/** What the walk tracks under the session's config (the state directory is never walked). */
export function walkSpecOf(s: Session): CompiledSpec {
  const stateRel = path.relative(s.sourceTree, s.stateDir);
  const inside = stateRel !== '' && !stateRel.startsWith('..') && !path.isAbsolute(stateRel);
  const { config } = s.loaded;
  return compileSpec({ include: config.include, exclude: config.exclude, whitelist: s.whitelist, skip: inside ? [stateRel] : [] });
}

/**
 * Walks the tree (or, given `changed`, updates only those paths when the
 * stored state allows), adopts the result into the manifest and writes it
 * back in one transaction.
 */
export function scanAndSave(
  s: Session, reporter: Reporter, extra: Pick<PlanInput, 'force' | 'rerunFailed' | 'onlyTools' | 'onlyFile'> = {},
  changed?: Iterable<RelPath>,
): Scanned {
  const spec = walkSpecOf(s);
  const update = changed === undefined ? null : updatePaths({ sourceTree: s.sourceTree, spec, prior: s.manifest, paths: changed });
  const result = update ?? scanTree({
    sourceTree: s.sourceTree, spec, prior: s.manifest,
    onProgress: (visited, hashed) => reporter.scanProgress(visited, hashed),
  });
  for (const issue of result.issues) reporter.scanIssue(issue);
  s.manifest.adoptScan(result.update);
  for (const t of s.tools) s.manifest.addLatch(t.latchId, t.latch);
  const filters = s.tools.map((t) => compileToolFilter(t.config.include, t.config.exclude));
  const toolIndex = new Map(s.tools.map((t, i) => [t.config.name, i]));
  // An update saw only some paths: results of untracked paths it did not remove are a kept (unreadable) file's.
  const removed = update === null ? null : new Set(update.removedFiles);
  const dropped = s.manifest.save((tool, p) => {
    const i = toolIndex.get(tool);
    if (i === undefined) return false;
    if (s.manifest.files.has(p)) return filters[i]!(p);
    return removed !== null && !removed.has(p);
  });
  removeLogs(s, dropped);
  const planInput = planInputOf(s, s.tools, filters, s.manifest.files, result.newFiles, extra);
  return {
    summary: {
      tracked: s.manifest.files.size, new: result.newFiles.size, changed: result.changedFiles.size,
      removed: result.removedFiles.length, hashed: result.hashed, issues: result.issues,
    },
    planInput, filters, deps: {},
  };
}

/** What the plan reads: these files and tools, and the manifest's results and latches. */
export function planInputOf(
  s: Session, tools: LatchedTool[], filters: Matcher[], files: ReadonlyMap<RelPath, FileEntry>, newFiles: ReadonlySet<RelPath>,
  extra: Pick<PlanInput, 'force' | 'rerunFailed' | 'onlyTools' | 'onlyFile'>,
): PlanInput {
  let logged: Set<string> | null = null; // read only if some result has a log to check
  return {
    tools, toolFilters: filters, files, newFiles,
    history: (tool, p) => s.manifest.history(tool, p),
    latest: (tool, p) => s.manifest.latest(tool, p),
    latchOf: (r) => s.manifest.latch(r.latchId),
    hasLog: (r) => !r.hasLog || (logged ??= loggedFingerprints(s)).has(r.fingerprint),
    ...extra,
  };
}

/** The fingerprints whose log is on disk: one readdir, not one stat per job. */
function loggedFingerprints(s: Session): Set<string> {
  let names: string[];
  try {
    names = fs.readdirSync(path.join(s.stateDir, LOGS_DIR));
  } catch {
    return new Set();
  }
  const fps = new Set<string>();
  for (const n of names) if (n.endsWith('.log')) fps.add(n.slice(0, -4));
  return fps;
}

export function logPath(s: Session, r: Pick<JobResult, 'fingerprint'>): string {
  return path.join(s.stateDir, LOGS_DIR, logFileName(r.fingerprint));
}

export function removeLogs(s: Session, results: readonly JobResult[]): void {
  for (const r of results) if (r.hasLog) fs.rmSync(logPath(s, r), { force: true });
}

export async function withSession<T>(opts: SessionOptions, fn: (s: Session) => Promise<T> | T): Promise<T> {
  const s = await openSession(opts);
  try {
    const out = await fn(s);
    s.manifest.flush(); // the journal and the import cache, when they have grown or changed
    return out;
  } finally {
    s.manifest.close();
  }
}
