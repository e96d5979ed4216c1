// A no-op that reads no result (issue 17 point 1). A run that needed no job
// leaves a settled mark: what its plan read besides the stored state (the
// code, the config, the walk spec, each tool's latch id) and what it found
// (every job fresh, how many). The store deletes the mark with any other
// write (store/db.ts), so a mark that is there vouches for the files, the
// directories and the results it was written over. The next run over the
// same inputs then needs only the tree as stored (watchman's word that
// nothing changed since its clock, or scan/settled.ts: one stat per file and
// directory, compared in native code) to give the same plan, without
// reading a result or judging a job. Only for tools whose jobs have no
// dependencies or outputs (their plan reads files the stat pass does not
// cover), and only for a plain run: the whole tree, every tool, nothing
// forced or listed.
import fs from 'node:fs';
import { type Plan, type PlanInput, planJobs } from '../plan/index.js';
import { codeIdentity } from '../deps/index.js';
import { hashString } from '../hash.js';
import {
  type CompiledSpec,
  type TreeCheck,
  askWatchman,
  checkStoredTree,
  decodeWatchState,
  findWatchman,
} from '../scan/index.js';
import type { Session, UnlatchedSession } from '../session.js';
import { treePath } from '../tree-path.js';
import { logsDir } from '../state-dir.js';
import type { FileEntry, JobResult, Manifest } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import type { EventSink } from './events.js';
import { hasJobDeps } from './find-deps.js';
import type { RunOptions } from './options.js';
import { unchangedScan } from './run-report.js';
import type { Scanned } from './scan-and-save.js';
import { WORKING_CACHES, treeView } from './tree-view.js';
import { watchmanOff } from './watchman-scan.js';

interface SettledMark {
  /** What the plan read besides the stored state (markKey). */
  key: string;
  fresh: number;
  tracked: number;
  /** The logs directory's stat: a fresh job whose log is gone is a job to run (plan-input.ts hasLog). */
  logs: string;
}

/** A run over the whole working tree with every tool, nothing forced, narrowed, listed or only shown. */
export function isPlainRun(opts: RunOptions, dryRun: boolean): boolean {
  return (
    !dryRun &&
    opts.force !== true &&
    opts.rerunFailed !== true &&
    opts.listFresh !== true &&
    opts.staged !== true &&
    opts.framework !== true &&
    opts.since === undefined &&
    opts.dependents !== true &&
    opts.shard === undefined &&
    (opts.files === undefined || opts.files.length === 0) &&
    (opts.tools === undefined || opts.tools.length === 0)
  );
}

/** Every tool's plan reads only its files' digests, results and latch: no dependencies, outputs or missing program. */
function hasSettledTools(s: Session): boolean {
  return s.tools.every(
    (t) => t.unavailable === undefined && t.config.outputs.length === 0 && !hasJobDeps(t, s.sourceTree),
  );
}

/** Settings that shape how a run goes, not what its plan finds (the command line sets most of them). */
const NOT_PLANNED = new Set(['jobs', 'failFast', 'mergedLog', 'quiet']);

function markKey(s: Session, spec: CompiledSpec): string {
  const config = Object.fromEntries(Object.entries(s.loaded.config).filter(([k]) => !NOT_PLANNED.has(k)));
  return hashString(JSON.stringify([codeIdentity(), spec.key, config, s.tools.map((t) => [t.config.name, t.latchId])]));
}

function logsStat(s: Session): string {
  const st = fs.lstatSync(logsDir(s.stateDir), { throwIfNoEntry: false });
  return st === undefined ? 'none' : `${st.mtimeMs}/${st.ctimeMs}/${st.ino}`;
}

function readMark(value: string | undefined): SettledMark | null {
  if (value === undefined) return null;
  try {
    const m = JSON.parse(value) as Partial<SettledMark>;
    if (
      typeof m.key === 'string' &&
      typeof m.fresh === 'number' &&
      typeof m.tracked === 'number' &&
      typeof m.logs === 'string'
    )
      return m as SettledMark;
  } catch {
    // an unreadable mark is no mark: the run plans
  }
  return null;
}

/**
 * Begins checking the tree against what is stored: by asking watchman what changed since its stored clock when
 * the scan would ask it and the state holds a settled mark (without one the scan asks it anyway), else by the
 * stats (scan/settled.ts), which start now on threads of their own. Call as the manifest loads
 * (SessionOptions.checkSettled), for a run whose scan is of the whole working tree.
 */
export function startTreeCheck(s: Omit<UnlatchedSession, 'treeCheck'>, env: NodeJS.ProcessEnv): TreeCheck | null {
  const m = s.manifest;
  const mark = readMark(m.settled);
  // Watchman looked for first: asking whether it is off counts the files, which decodes them under deltas.
  const found = findWatchman(env);
  const program = found !== null && watchmanOff(s, env) === null ? found : null;
  // Without a clock yet the run asks watchman in full, which stores one (the first run after watchman came).
  if (program !== null) return mark === null || m.watchState === undefined ? null : watchmanCheck(s, env, program);
  return checkStoredTree(s.sourceTree, {
    files: () => m.storedFilesAndDeltas(),
    dirs: () => m.storedDirs(),
    racyThresholdMs: m.racyThresholdMs,
    walkSpec: m.walkSpec,
  });
}

/**
 * The tree as stored when watchman names no change since the stored clock: that clock was taken before the
 * scan that stored the files (or an earlier one), so nothing changed since they were read, racy or not.
 */
function watchmanCheck(s: Omit<UnlatchedSession, 'treeCheck'>, env: NodeJS.ProcessEnv, program: string): TreeCheck {
  const m = s.manifest;
  const check: { -readonly [K in keyof TreeCheck]: TreeCheck[K] } = {
    way: 'watchman names no change since the stored clock',
    finish: (spec) => {
      if (m.walkSpec !== spec.key || spec.whitelist !== null || spec.gitignore?.indexChanged === true) return null;
      const asked = askWatchman({
        program,
        env,
        sourceTree: s.sourceTree,
        stateRel: treePath(s.sourceTree, s.stateDir),
        spec: spec.key,
        stored: decodeWatchState(m.watchState),
      });
      check.asked = asked;
      // Changes named: the scan takes this answer (`asked`) and looks at them alone.
      return asked.decision.kind === 'changes' && asked.decision.paths.length === 0
        ? { paths: [], askedMs: asked.askedMs }
        : null;
    },
  };
  return check;
}

/** What the stored tree's check gives a run: a settled plan, or the files its scan must look at again. */
export interface TreeChecked {
  /** The scan and plan the settled mark gives; null: the run scans and plans. */
  settled: { scanned: Scanned; plan: Plan } | null;
  /** Every listing as stored, only these files to look at again (since askedMs); undefined: the scan's own way. */
  checked?: { paths: readonly RelPath[]; askedMs: number };
  /**
   * The mark holds for this run (or would, but for listing the fresh jobs) and these files changed: every other
   * job is as fresh as the mark found it, so the plan may judge only theirs (narrowedPlan), when the scan found
   * no new, removed or unreadable file; a run that lists its fresh jobs starts theirs before judging the rest.
   */
  narrow?: { paths: ReadonlySet<RelPath>; fresh: number };
}

const UNCHECKED: TreeChecked = { settled: null };

/**
 * Finishes the session's check of the stored tree (startTreeCheck): the settled plan when the mark holds (same
 * key, same logs directory, `plain` run) and the tree is as stored; else what the scan may take from the check.
 * `markable`: plain apart from listing the fresh jobs (--json), a run the mark can narrow but not settle.
 */
export function settledOrChecked(
  s: Session,
  spec: CompiledSpec,
  events: EventSink,
  run: { plain: boolean; markable: boolean },
): TreeChecked {
  const check = s.treeCheck;
  if (check === null) return UNCHECKED;
  const mark = readMark(s.manifest.settled);
  // A run that lists its fresh jobs judges them all, yet the mark still says which can have changed.
  const matches =
    run.markable && mark !== null && hasSettledTools(s) && mark.key === markKey(s, spec) && mark.logs === logsStat(s);
  const holds = matches && run.plain;
  const found = check.finish(spec, matches ? mark.tracked : null);
  if (found === null) return UNCHECKED;
  if (found.paths.length > 0 || !holds) {
    // Watchman's answer goes to the scan as it is (the session's `asked`): it keeps watchman's clock.
    if (check.asked !== undefined) return UNCHECKED;
    const n = found.paths.length;
    const narrow = matches && n > 0 ? { narrow: { paths: new Set(found.paths), fresh: mark.fresh } } : {};
    events.emit({
      type: 'scan-path',
      how: 'stats',
      reason:
        n === 0
          ? 'every stat as stored'
          : `${n} ${n === 1 ? 'file' : 'files'} changed or written too recently to trust the stat`,
    });
    return { settled: null, checked: found, ...narrow };
  }
  const { tracked } = mark;
  events.emit({
    type: 'scan-path',
    how: 'settled',
    reason: `${check.way}, nothing written since a run found every job fresh: ${tracked} files`,
  });
  for (const t of s.tools) for (const message of t.inputWarnings) events.emit({ type: 'warning', message });
  const scanned: Scanned = {
    summary: unchangedScan(tracked),
    tree: treeView(s.sourceTree, lazyFiles(s), s.tools, WORKING_CACHES),
    newFiles: new Set(),
    unreadable: [],
  };
  return { settled: { scanned, plan: { jobs: [], fresh: mark.fresh, unchecked: [], reused: [] } } };
}

/** The most changed files whose results a narrowed plan reads one by one (Manifest.peekHistory). */
const PEEK_FILES = 16;

/**
 * The plan of a run whose mark holds but some files changed (TreeChecked.narrow): those files' jobs judged,
 * every other one counted fresh, as the mark found them all; null when the scan found a file come, gone or
 * unreadable (the jobs are not the mark's then).
 */
export function narrowedPlan(
  input: PlanInput,
  scanned: Scanned,
  narrow: TreeChecked['narrow'],
  manifest: Pick<Manifest, 'peekHistory'>,
): Plan | null {
  const sum = scanned.summary;
  if (narrow === undefined || sum.new > 0 || sum.removed > 0 || sum.issues.length > 0) return null;
  const files = input.files;
  // In the files' own order, as the whole plan takes them: the same jobs in the same order, so the same chunks.
  const only = new Map<RelPath, FileEntry>();
  if (narrow.paths.size === 1) for (const p of narrow.paths) if (files.has(p)) only.set(p, files.get(p)!);
  if (narrow.paths.size > 1) for (const p of files.keys()) if (narrow.paths.has(p)) only.set(p, files.get(p)!);
  // A few files' results alone are read (peekHistory, a pass over the stored rows each): the rest of the store
  // waits, or is never read. More files than that and one decoding of them all costs less.
  const peek = only.size <= PEEK_FILES;
  const history = (tool: string, p: RelPath): readonly JobResult[] => manifest.peekHistory(tool, p);
  const plan = planJobs(
    peek
      ? { ...input, files: only, history, latest: (tool, p) => history(tool, p)[0], latestHolds: undefined }
      : { ...input, files: only },
  );
  const fresh = narrow.fresh - plan.jobs.length - plan.unchecked.length;
  // The mark counted these jobs among its fresh ones; a count that says otherwise is not the mark's tree.
  return fresh < plan.fresh ? null : { ...plan, fresh };
}

/**
 * After a run whose plan needed nothing (every job fresh, nothing unreadable, reused or put back), what leaves
 * the settled mark; call it once the run's last write is done (the mark goes with any later one).
 */
export function settlerOf(s: Session, spec: CompiledSpec, scanned: Scanned, plan: Plan): (() => void) | null {
  const needsNothing =
    plan.jobs.length === 0 &&
    plan.unchecked.length === 0 &&
    plan.reused.length === 0 &&
    plan.restore === undefined &&
    scanned.summary.issues.length === 0;
  if (!needsNothing || !hasSettledTools(s)) return null;
  const key = markKey(s, spec);
  return () => {
    const mark: SettledMark = { key, fresh: plan.fresh, tracked: scanned.summary.tracked, logs: logsStat(s) };
    s.manifest.settle(JSON.stringify(mark));
  };
}

/** The manifest's files, decoded only if something asks (a settled run's plan never does). */
function lazyFiles(s: Session): ReadonlyMap<RelPath, FileEntry> {
  const files = (): ReadonlyMap<RelPath, FileEntry> => s.manifest.files;
  return {
    get size() {
      return files().size;
    },
    get: (p) => files().get(p),
    has: (p) => files().has(p),
    keys: () => files().keys(),
    values: () => files().values(),
    entries: () => files().entries(),
    forEach: (fn) => files().forEach((v, k) => fn(v, k, files())),
    [Symbol.iterator]: () => files()[Symbol.iterator](),
  };
}
