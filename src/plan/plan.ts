// Decides, for every job (one tool on one file), whether a recorded result
// proves it unchanged, and if not, why. A job is skipped only on such proof.
import type { LatchedTool } from '../config/index.js';
import { type FileEntry, type JobResult, logFileName } from '../manifest/index.js';
import type { OutputEntry, OutputsState } from '../outputs/index.js';
import type { Matcher } from '../scan/index.js';
import type { Digest, Fingerprint, RelPath } from '../types.js';
import { fingerprintJob } from './fingerprint.js';
import { type JobDeps, type StaleReason, diffDeps, diffLatch, reasonsFrom } from './staleness.js';

export interface Job {
  tool: LatchedTool;
  path: RelPath;
  digest: Digest;
  fingerprint: Fingerprint;
  /** null for a tool without deps. */
  deps: JobDeps | null;
}

export type Verdict =
  | { state: 'stale'; reasons: StaleReason[] }
  /** A passed result under the same fingerprint; `restore`: its outputs to put back from the store first. */
  | { state: 'fresh'; result: JobResult; restore?: OutputEntry[] }
  /** A failed result under the same fingerprint: reported, not re-run. */
  | { state: 'cached-failure'; result: JobResult };

export interface PlannedJob {
  job: Job;
  verdict: Verdict;
}

/** A file whose jobs cannot be checked: it, or a directory above it, could not be read (reason.path says which). */
export interface UnreadablePath {
  path: RelPath;
  reason: Extract<StaleReason, { kind: 'unreadable' }>;
}

/** A job that is not fresh and cannot run: runner could not read its file, so it has no fingerprint. */
export interface UncheckedJob {
  tool: LatchedTool;
  path: RelPath;
  reasons: StaleReason[];
}

/**
 * A job's current dependencies (null: the tool has none); latest gives its last result, asked only by kinds
 * whose list comes from the last run (a no-op builds no result object for the others).
 */
export type DepsOf = (tool: LatchedTool, path: RelPath, latest: () => JobResult | undefined) => JobDeps | null;

/**
 * Built once per plan (api/plan-input.ts), after the dependencies are known,
 * and never changed afterwards: a variant is a new object (`{ ...input, onlyFile }`).
 */
export interface PlanInput {
  readonly tools: readonly LatchedTool[];
  readonly toolFilters: readonly Matcher[];
  readonly files: ReadonlyMap<RelPath, FileEntry>;
  /** A file's digest without building its entry (the manifest's table reads it in place); absent: files.get. */
  readonly digestOf?: (path: RelPath) => Digest | undefined;
  readonly newFiles: ReadonlySet<RelPath>;
  readonly history: (tool: string, path: RelPath) => readonly JobResult[];
  /** The most recent result; defaults to history()[0]. */
  readonly latest?: (tool: string, path: RelPath) => JobResult | undefined;
  /**
   * Whether the most recent result passed, ran under this latch, file digest and dependencies digest, and
   * its log is there (as hasLog), answered without building the result (the manifest reads its packed form).
   * Absent: the plan asks latest.
   */
  readonly latestHolds?: (tool: string, path: RelPath, latchId: string, digest: Digest, depsDigest: string) => boolean;
  readonly latchOf: (result: JobResult) => LatchedTool['latch'] | undefined;
  /** Whether a result's stored log is still there; a result without it is no hit. */
  readonly hasLog: (result: JobResult) => boolean;
  /** The job's current dependencies (null: the tool has none); latest is its last result. */
  readonly depsOf?: DepsOf;
  /**
   * Where a passed result's outputs stand, asked only of a tool with `outputs`: a hit whose outputs
   * are gone and cannot be put back is no hit (a skip would leave them missing). Absent: intact.
   */
  readonly outputsOf?: (result: JobResult) => OutputsState;
  readonly force?: boolean;
  readonly rerunFailed?: boolean;
  /** Restrict to these tools / files (undefined: all). */
  readonly onlyTools?: ReadonlySet<string>;
  readonly onlyFile?: (path: RelPath) => boolean;
  /** Files the scan could not read (not in `files`): each tool that takes one has a job that cannot be checked. */
  readonly unreadable?: readonly UnreadablePath[];
  /**
   * Also list the fresh jobs (Plan.listed): a report that shows the whole suite asks for it. Off by
   * default, because a no-op only counts them and listing 100,000 of them costs an object each.
   */
  readonly listFresh?: boolean;
}

export interface Plan {
  /** Every job that is not fresh, in plan order (tool, then file). */
  jobs: PlannedJob[];
  /** Fresh jobs are only counted: on a no-op they are all of them. */
  fresh: number;
  /** With listFresh: every job that is not unchecked, the fresh ones too, in plan order. */
  listed?: PlannedJob[];
  /** Jobs whose file could not be read: never fresh, never run (tool, then file). */
  unchecked: UncheckedJob[];
  /** Hits that were not their job's latest result (an undo, a file come back): the history moves them to the front. */
  reused: JobResult[];
  /** Fresh jobs whose outputs are to be put back from the store (verdict.restore), in plan order; absent: none. */
  restore?: PlannedJob[];
}

/** What the manifest's file table offers beside the map: every file and its digest, read in its row. */
interface DigestRows {
  forEachDigest(fn: (path: RelPath, digest: Digest) => void): void;
}

export function planJobs(input: PlanInput): Plan {
  const jobs: PlannedJob[] = [];
  const unchecked: UncheckedJob[] = [];
  const reused: JobResult[] = [];
  const restore: PlannedJob[] = [];
  const listed: PlannedJob[] | undefined = input.listFresh === true ? [] : undefined;
  let fresh = 0;
  input.tools.forEach((tool, i) => {
    if (input.onlyTools !== undefined && !input.onlyTools.has(tool.config.name)) return;
    // Latched without its program because the run was not to need it: a job of it cannot run.
    if (tool.unavailable !== undefined) throw tool.unavailable;
    const takes = input.toolFilters[i]!;
    const name = tool.config.name;
    const writes = tool.config.outputs.length > 0;
    for (const u of input.unreadable ?? []) {
      if (takes(u.path) && (input.onlyFile === undefined || input.onlyFile(u.path)))
        unchecked.push({ tool, path: u.path, reasons: [u.reason] });
    }
    // A no-op's case: the latest result holds, judged on its packed form, with nothing to list or put back.
    const holds = input.force !== true && !writes && listed === undefined ? input.latestHolds : undefined;
    // One closure per tool, not per file: it reads the file the loop is at.
    let at = '' as RelPath;
    const latestOf = (): JobResult | undefined =>
      input.latest !== undefined ? input.latest(name, at) : input.history(name, at)[0];
    const judge = (path: RelPath, digest: Digest): void => {
      if (!takes(path) || (input.onlyFile !== undefined && !input.onlyFile(path))) return;
      at = path;
      const deps = input.depsOf?.(tool, path, latestOf) ?? null;
      if (holds?.(name, path, tool.latchId, digest, deps?.digest ?? '') === true) {
        fresh++;
        return;
      }
      // The common case, decided without building anything: planJob says the same of it.
      const latest = latestOf();
      if (
        input.force !== true &&
        latest !== undefined &&
        latest.status === 'passed' &&
        latest.latchId === tool.latchId &&
        latest.digest === digest &&
        latest.depsDigest === (deps?.digest ?? '') &&
        input.hasLog(latest) &&
        !writes
      ) {
        fresh++;
        // The latest result matched latch, digest and deps: its fingerprint is this job's (as planJob finds).
        listed?.push({
          job: { tool, path, digest, fingerprint: latest.fingerprint, deps },
          verdict: { state: 'fresh', result: latest },
        });
        return;
      }
      const planned = planJob(input, tool, path, digest, deps);
      if (planned.verdict.state !== 'stale' && planned.verdict.result !== latest) reused.push(planned.verdict.result);
      if (planned.verdict.state === 'fresh') {
        fresh++;
        if (planned.verdict.restore !== undefined) restore.push(planned);
      } else jobs.push(planned);
      listed?.push(planned);
    };
    // Each file with its digest: read in place when `files` is the manifest's table (a narrowed map is walked
    // as itself), else looked up by path.
    const rows = input.files as Partial<DigestRows>;
    if (typeof rows.forEachDigest === 'function') rows.forEachDigest(judge);
    else if (input.digestOf !== undefined) for (const path of input.files.keys()) judge(path, input.digestOf(path)!);
    else input.files.forEach((f, path) => judge(path, f.digest));
  });
  return {
    jobs,
    fresh,
    unchecked,
    reused,
    ...(restore.length === 0 ? {} : { restore }),
    ...(listed === undefined ? {} : { listed }),
  };
}

export function planJob(
  input: PlanInput,
  tool: LatchedTool,
  path: RelPath,
  digest: Digest,
  knownDeps?: JobDeps | null,
): PlannedJob {
  const name = tool.config.name;
  const history = input.history(name, path);
  const latest = history[0];
  const deps = knownDeps !== undefined ? knownDeps : (input.depsOf?.(tool, path, () => latest) ?? null);
  const depsDigest = deps?.digest ?? '';
  // The latest result under the same latch, digest and deps has this job's fingerprint: no hash needed.
  const matchesLatest =
    latest !== undefined &&
    latest.latchId === tool.latchId &&
    latest.digest === digest &&
    latest.depsDigest === depsDigest;
  const fingerprint = matchesLatest ? latest.fingerprint : fingerprintJob(name, tool.latchId, path, digest, depsDigest);
  const job: Job = { tool, path, digest, fingerprint, deps };
  const stale = (reasons: StaleReason[]): PlannedJob => ({ job, verdict: { state: 'stale', reasons } });

  if (input.force === true) return stale([{ kind: 'forced' }]);
  const hit = matchesLatest ? latest : history.find((r) => r.fingerprint === fingerprint);
  if (hit !== undefined) {
    if (hit.status === 'interrupted') {
      const u = hit.unjudged;
      return stale([
        u === undefined ? { kind: 'interrupted' } : { kind: 'unjudged', stop: u.kind, processes: u.processes },
      ]);
    }
    if (!input.hasLog(hit)) return stale([{ kind: 'log-missing', log: logFileName(hit) }]);
    if (hit.status === 'passed') {
      if (tool.config.outputs.length === 0) return { job, verdict: { state: 'fresh', result: hit } };
      const outputs = input.outputsOf?.(hit) ?? { kind: 'intact' };
      if (outputs.kind === 'missing') return stale([{ kind: 'outputs-missing' }]);
      return {
        job,
        verdict: { state: 'fresh', result: hit, ...(outputs.kind === 'restore' ? { restore: outputs.outputs } : {}) },
      };
    }
    if (input.rerunFailed === true) return stale([{ kind: 'rerun-failed' }]);
    return { job, verdict: { state: 'cached-failure', result: hit } };
  }
  if (latest === undefined) return stale([input.newFiles.has(path) ? { kind: 'new' } : { kind: 'never-run' }]);
  const reasons: StaleReason[] = [];
  if (latest.digest !== digest) reasons.push({ kind: 'content', from: latest.digest, to: digest });
  if (deps !== null && latest.depsDigest !== depsDigest) {
    reasons.push(
      ...(deps.changesFrom !== undefined ? reasonsFrom(deps, latest.depsDigest) : diffDeps(latest.deps, deps)),
    );
  }
  const before = input.latchOf(latest);
  if (before === undefined) reasons.push({ kind: 'tool-config', key: '(unrecorded)', from: null, to: null });
  else if (latest.latchId !== tool.latchId) reasons.push(...diffLatch(before, tool.latch));
  // The fingerprint differs, so something above must; if not, still run rather than skip.
  if (reasons.length === 0)
    reasons.push({ kind: 'tool-config', key: '(fingerprint)', from: latest.fingerprint, to: fingerprint });
  return stale(reasons);
}
