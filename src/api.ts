// The library the CLI wraps: scan(), run(), explain(), showConfig(), clean().
// Never reads process.argv/env/cwd, never prints, never exits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Config, type LatchedTool, documentedDefault } from './config/index.js';
import { resolveExecutable } from './config/executable.js';
import {
  type DepGraph, type DirectDeps, type Identify, UNKNOWN_DEPS, decodeImportCache, decodeJsCache, digestEntries, encodeImportCache,
  encodeJsCache, externalIdentity, identifyPaths, inferJavaScript, inferPython, jobDepsFrom, parseDepfile, parseTrace, recordedDeps, traceArgs,
} from './deps/index.js';
import { DepsError, StateDirError, UsageError } from './errors.js';
import { type JobCommand, executeJobs, substituteFile } from './exec/index.js';

/** For the caller's last-resort exit path: kills every running job's process group. */
export { killRunningJobs } from './exec/index.js';
import { type Makeflags, type ServeStyle, type Slots, openSlots, parseMakeflags } from './jobserver/index.js';
import { type JobResult, logFileName } from './manifest/index.js';
import { type JobDeps, type PlanInput, type PlannedJob, type StaleReason, fingerprintJob, planJob, planJobs } from './plan/index.js';
import type { JobReport, Reporter } from './reporter.js';
import { type Matcher, type ScanIssue, compileSpec, compileToolFilter, scanTree } from './scan/index.js';
import { LOGS_DIR, MANIFEST_FILE, type Session, type SessionOptions, loadSessionConfig, openSession } from './session.js';
import type { RelPath } from './types.js';

export interface ApiOptions extends SessionOptions {
  reporter: Reporter;
  /** Aborting it (reason 'SIGINT' / 'SIGTERM') stops the run: running jobs are killed, finished ones kept. */
  signal?: AbortSignal;
}

export interface ScanSummary {
  tracked: number;
  new: number;
  changed: number;
  removed: number;
  hashed: number;
  issues: ScanIssue[];
}

export interface ScanReport {
  scan: ScanSummary;
  /** Import scanning for deps kinds that read imports. */
  deps: DepsScanSummary;
  tools: string[];
  stale: { tool: string; path: RelPath; reasons: StaleReason[] }[];
  durationMs: number;
}

export interface RunOptions extends ApiOptions {
  files?: string[];
  tools?: string[];
  dryRun?: boolean;
  force?: boolean;
  rerunFailed?: boolean;
  /** Serve a jobserver to the jobs when runner runs alone (default 'pipe'); false: --no-jobserver. */
  serveJobserver?: ServeStyle | false;
  /**
   * Receives a synchronous function that gives back every jobserver token
   * still held, for the caller's exit paths (exit, uncaught errors, signals).
   */
  onTokensHeld?: (releaseAll: () => void) => void;
}

export interface RunCounts {
  jobs: number;
  ran: number;
  passed: number;
  failed: number;
  interrupted: number;
  cachedFailures: number;
  fresh: number;
  notStarted: number;
}

export interface RunReport {
  dryRun: boolean;
  scan: ScanSummary;
  counts: RunCounts;
  /** Every job that is not fresh, in plan order. */
  jobs: JobReport[];
  /** The signal that interrupted the run, if one did. */
  interrupted: string | null;
  mergedLog: string | null;
  durationMs: number;
}

export interface ToolExplanation {
  tool: string;
  state: 'fresh' | 'stale' | 'cached-failure' | 'not-selected';
  reasons: StaleReason[];
  last: JobResult | null;
}

export interface Explanation {
  file: RelPath;
  tracked: boolean;
  /** Why the file is not tracked, when it is not. */
  untracked: string | null;
  tools: ToolExplanation[];
}

interface Scanned {
  summary: ScanSummary;
  planInput: PlanInput;
  filters: Matcher[];
  deps: DepsScanSummary;
}

/** Walks the tree, adopts the result into the manifest and writes it back in one transaction. */
function scanAndSave(s: Session, reporter: Reporter, extra: Pick<PlanInput, 'force' | 'rerunFailed' | 'onlyTools' | 'onlyFile'> = {}): Scanned {
  const stateRel = path.relative(s.sourceTree, s.stateDir);
  const inside = stateRel !== '' && !stateRel.startsWith('..') && !path.isAbsolute(stateRel);
  const { config } = s.loaded;
  const spec = compileSpec({ include: config.include, exclude: config.exclude, whitelist: s.whitelist, skip: inside ? [stateRel] : [] });
  const result = scanTree({
    sourceTree: s.sourceTree, spec, prior: s.manifest,
    onProgress: (visited, hashed) => reporter.scanProgress(visited, hashed),
  });
  for (const issue of result.issues) reporter.scanIssue(issue);
  s.manifest.adoptScan(result.update);
  for (const t of s.tools) s.manifest.addLatch(t.latchId, t.latch);
  const filters = s.tools.map((t) => compileToolFilter(t.config.include, t.config.exclude));
  const toolIndex = new Map(s.tools.map((t, i) => [t.config.name, i]));
  const dropped = s.manifest.save((tool, p) => {
    const i = toolIndex.get(tool);
    return i !== undefined && s.manifest.files.has(p) && filters[i]!(p);
  });
  removeLogs(s, dropped);
  let logged: Set<string> | null = null; // read only if some result has a log to check
  const planInput: PlanInput = {
    tools: s.tools, toolFilters: filters, files: s.manifest.files, newFiles: result.newFiles,
    history: (tool, p) => s.manifest.history(tool, p),
    latest: (tool, p) => s.manifest.latest(tool, p),
    latchOf: (r) => s.manifest.latch(r.latchId),
    hasLog: (r) => !r.hasLog || (logged ??= loggedFingerprints(s)).has(r.fingerprint),
    ...extra,
  };
  return {
    summary: {
      tracked: s.manifest.files.size, new: result.newFiles.size, changed: result.changedFiles.size,
      removed: result.removedFiles.length, hashed: result.hashed, issues: result.issues,
    },
    planInput, filters, deps: {},
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

function logPath(s: Session, r: Pick<JobResult, 'fingerprint'>): string {
  return path.join(s.stateDir, LOGS_DIR, logFileName(r.fingerprint));
}

function removeLogs(s: Session, results: readonly JobResult[]): void {
  for (const r of results) if (r.hasLog) fs.rmSync(logPath(s, r), { force: true });
}

async function withSession<T>(opts: SessionOptions, fn: (s: Session) => Promise<T> | T): Promise<T> {
  const s = await openSession(opts);
  try {
    const out = await fn(s);
    s.manifest.flush(); // the journal and the import cache, when they have grown or changed
    return out;
  } finally {
    s.manifest.close();
  }
}

const PYTHON_IMPORTS = 'imports.python';

/** Per deps kind that reads imports: how many files the graph covers, and how many were read this time. */
export type DepsScanSummary = Record<string, { files: number; scanned: number }>;

/** The python graph, when a tool asks for python deps; null otherwise. */
async function pythonGraph(s: Session, summary: DepsScanSummary, signal?: AbortSignal): Promise<DepGraph | null> {
  const tool = s.tools.find((t) => t.config.deps === 'python');
  if (tool === undefined) return null;
  const cache = decodeImportCache(s.manifest.blob(PYTHON_IMPORTS));
  const py = await inferPython({ sourceTree: s.sourceTree, files: s.manifest.files, env: tool.env, cache, signal });
  if (py.cache !== null) s.manifest.setBlob(PYTHON_IMPORTS, encodeImportCache(py.cache));
  summary.python = { files: py.files, scanned: py.scanned };
  return py.graph;
}

/** strace, when a tool traces its jobs; missing strace stops the run before anything runs. */
function findStrace(s: Session, env: NodeJS.ProcessEnv): string | null {
  if (!s.tools.some((t) => t.config.deps === 'trace')) return null;
  const found = resolveExecutable('strace', env.PATH, s.sourceTree);
  if (found === null) {
    throw new DepsError('"deps": "trace" needs strace, which is not installed: install it (Debian and Ubuntu: apt-get install strace), or choose another "deps"');
  }
  return found.path;
}

function identifyOf(s: Session): Identify {
  return { sourceTree: s.sourceTree, files: s.manifest.files, externalId: externalIdentity() };
}

const JS_IMPORTS = 'imports.javascript';

/** The javascript graph, when a tool asks for javascript deps; null otherwise. */
async function javascriptGraph(s: Session, summary: DepsScanSummary): Promise<DepGraph | null> {
  if (!s.tools.some((t) => t.config.deps === 'javascript')) return null;
  const cache = decodeJsCache(s.manifest.blob(JS_IMPORTS));
  const js = await inferJavaScript({ sourceTree: s.sourceTree, files: s.manifest.files, cache });
  if (js.changed) s.manifest.setBlob(JS_IMPORTS, encodeJsCache(cache));
  summary.javascript = { files: js.files, scanned: js.scanned };
  return js.graph;
}

/** Gives the plan each job's dependencies, for the tools that declare a deps kind; returns the graphs by kind. */
async function attachDeps(s: Session, scanned: Scanned, signal?: AbortSignal): Promise<Map<string, DepGraph>> {
  const graphs = new Map<string, DepGraph>();
  const py = await pythonGraph(s, scanned.deps, signal);
  if (py !== null) graphs.set('python', py);
  const js = await javascriptGraph(s, scanned.deps);
  if (js !== null) graphs.set('javascript', js);
  const identify = identifyOf(s);
  const memo = new Map<string, JobDeps>();
  scanned.planInput.depsOf = (tool, p, latest) => {
    const kind = tool.config.deps;
    if (kind === 'depfile' || kind === 'trace') return recordedDeps(latest, kind, identify);
    const graph = graphs.get(kind);
    if (graph === undefined) return null;
    const key = `${kind}\0${p}`;
    let d = memo.get(key);
    if (d === undefined) memo.set(key, (d = jobDepsFrom(graph, p, s.manifest.files, identify.externalId)));
    return d;
  };
  return graphs;
}

const TRACES_DIR = 'traces';

/** What a job that reports its own dependencies reported, identified; UNKNOWN_DEPS when nothing. */
function reportedDeps(s: Session, p: PlannedJob, identify: Identify): { depsDigest: string; deps: string } {
  const kind = p.job.tool.config.deps;
  let paths: string[] | null = null;
  try {
    if (kind === 'depfile') {
      paths = parseDepfile(fs.readFileSync(path.join(s.sourceTree, p.job.tool.config.depfile!.replaceAll('{file}', p.job.path)), 'utf8'));
    } else if (kind === 'trace') {
      const file = tracePath(s, p);
      paths = parseTrace(fs.readFileSync(file, 'utf8'), s.sourceTree);
      fs.rmSync(file, { force: true });
    }
  } catch {
    paths = null; // no depfile written, no trace: what the job read is unknown
  }
  if (paths === null) return { depsDigest: UNKNOWN_DEPS, deps: '' };
  const entries = identifyPaths(paths, p.job.path, s.stateDir, identify);
  return { depsDigest: digestEntries(entries), deps: JSON.stringify(entries) };
}

function tracePath(s: Session, p: PlannedJob): string {
  return path.join(s.stateDir, TRACES_DIR, `${p.job.fingerprint}.trace`);
}

export async function scan(opts: ApiOptions): Promise<ScanReport> {
  const started = performance.now();
  return withSession(opts, async (s) => {
    const scanned = scanAndSave(s, opts.reporter);
    await attachDeps(s, scanned, opts.signal);
    const stale = planJobs(scanned.planInput).jobs.flatMap((p) =>
      p.verdict.state === 'stale' ? [{ tool: p.job.tool.config.name, path: p.job.path, reasons: p.verdict.reasons }] : []);
    return { scan: scanned.summary, deps: scanned.deps, tools: s.tools.map((t) => t.config.name), stale, durationMs: performance.now() - started };
  });
}

/** A file argument, relative to the source tree; a directory selects what lies below it. */
function selectFiles(s: Session, cwd: string, files: readonly string[]): (p: RelPath) => boolean {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const arg of files) {
    const abs = path.resolve(cwd, arg);
    const rel = path.relative(s.sourceTree, abs).split(path.sep).join('/');
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${arg} is outside the source tree ${s.sourceTree}`);
    if (rel === '') return () => true;
    if (fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory() === true) prefixes.push(rel + '/');
    else if (s.manifest.files.has(rel as RelPath)) exact.add(rel);
    else throw new UsageError(`${arg} is not a tracked file (it does not exist, or the config's include/exclude leaves it out); see \`runner explain ${arg}\``);
  }
  return (p) => exact.has(p) || prefixes.some((d) => p.startsWith(d));
}

function checkToolNames(tools: readonly LatchedTool[], wanted: readonly string[]): Set<string> {
  const names = tools.map((t) => t.config.name);
  for (const w of wanted) {
    if (!names.includes(w)) throw new UsageError(`--tool ${w}: no such tool; expected one of: ${names.join(', ')}`);
  }
  return new Set(wanted);
}

function reportOf(p: PlannedJob, status: JobReport['status'], s: Session, result?: JobResult): JobReport {
  return {
    tool: p.job.tool.config.name, path: p.job.path, status,
    reasons: p.verdict.state === 'stale' ? p.verdict.reasons : [],
    exitCode: result?.exitCode ?? null, signal: result?.signal ?? null, timedOut: result?.timedOut ?? false,
    durationMs: result?.durationMs ?? null,
    log: result === undefined || !result.hasLog ? null : logPath(s, result),
    finishedAt: status === 'cached-failure' ? result?.finishedAt ?? null : null,
  };
}

export async function run(opts: RunOptions): Promise<RunReport> {
  const started = performance.now();
  const signal = opts.signal ?? new AbortController().signal;
  // First, so that an unparseable MAKEFLAGS stops the run before anything is written.
  const makeflags = parseMakeflags(opts.env.MAKEFLAGS);
  // `make -n` runs '+' recipes anyway and expects them to do nothing.
  const dryRun = opts.dryRun === true || makeflags?.dryRun === true;
  return withSession(opts, async (s) => {
    const { config } = s.loaded;
    const onlyTools = opts.tools === undefined || opts.tools.length === 0 ? undefined : checkToolNames(s.tools, opts.tools);
    const scanned = scanAndSave(s, opts.reporter, { force: opts.force, rerunFailed: opts.rerunFailed, onlyTools });
    if (opts.files !== undefined && opts.files.length > 0) scanned.planInput.onlyFile = selectFiles(s, opts.cwd, opts.files);
    await attachDeps(s, scanned, signal);
    const plan = planJobs(scanned.planInput);
    const planned = plan.jobs;
    const stale = planned.filter((p) => p.verdict.state === 'stale');
    const cached = planned.filter((p) => p.verdict.state === 'cached-failure');
    const counts: RunCounts = {
      jobs: planned.length + plan.fresh, ran: 0, passed: 0, failed: 0, interrupted: 0,
      cachedFailures: cached.length, fresh: plan.fresh, notStarted: 0,
    };
    opts.reporter.planned({ jobs: counts.jobs, stale: stale.length, cachedFailures: cached.length, fresh: counts.fresh });
    const reports = new Map<PlannedJob, JobReport>();
    for (const p of cached) {
      const r = reportOf(p, 'cached-failure', s, p.verdict.state === 'cached-failure' ? p.verdict.result : undefined);
      reports.set(p, r);
      opts.reporter.jobFinished(r);
    }
    if (dryRun) {
      for (const p of stale) reports.set(p, reportOf(p, 'would-run', s));
    } else if (stale.length > 0) {
      counts.notStarted = await runStale(s, stale, { ...opts, makeflags }, signal, counts, reports);
    }
    const jobs = planned.flatMap((p) => reports.get(p) ?? []);
    const mergedLog = config.mergedLog === null || dryRun
      ? null
      : writeMergedLog(opts.overrides?.mergedLog !== undefined ? path.resolve(opts.cwd, config.mergedLog) : path.resolve(s.sourceTree, config.mergedLog), jobs);
    return {
      dryRun, scan: scanned.summary, counts, jobs,
      interrupted: signal.aborted ? String(signal.reason) : null,
      mergedLog, durationMs: performance.now() - started,
    };
  });
}

/** Runs the stale jobs, recording each result as it lands; returns how many never started. */
async function runStale(
  s: Session, stale: PlannedJob[], opts: RunOptions & { makeflags: Makeflags | null }, signal: AbortSignal,
  counts: RunCounts, reports: Map<PlannedJob, JobReport>,
): Promise<number> {
  const { config } = s.loaded;
  fs.mkdirSync(path.join(s.stateDir, LOGS_DIR), { recursive: true });
  const strace = findStrace(s, opts.env);
  if (strace !== null) fs.mkdirSync(path.join(s.stateDir, TRACES_DIR), { recursive: true });
  const identify = identifyOf(s);
  const slots = openSlots({
    makeflags: opts.makeflags, jobsFlag: opts.overrides?.jobs, configJobs: s.loaded.fileJobs,
    cpuCount: os.availableParallelism(), serve: opts.serveJobserver ?? 'pipe',
  });
  opts.onTokensHeld?.(() => slots.releaseAll());
  for (const w of slots.warnings) opts.reporter.warning(w);
  let exec;
  try {
    exec = await executeJobs(stale, {
      pool: slots.pool,
      signal,
      failFast: config.failFast,
      commandFor: (p) => commandFor(s, p, slots, strace),
      onStart: (p) => opts.reporter.jobStarted(p.job.tool.config.name, p.job.path),
      onFinish: (p, outcome) => {
        const kind = p.job.tool.config.deps;
        const reported = kind === 'depfile' || kind === 'trace' ? reportedDeps(s, p, identify) : null;
        const depsDigest = reported?.depsDigest ?? p.job.deps?.digest ?? '';
        // What a job reports of its dependencies is known only now: its fingerprint includes them.
        const fingerprint = reported === null ? p.job.fingerprint
          : fingerprintJob(p.job.tool.config.name, p.job.tool.latchId, p.job.path, p.job.digest, depsDigest);
        const result: JobResult = {
          tool: p.job.tool.config.name, path: p.job.path, fingerprint, latchId: p.job.tool.latchId,
          digest: p.job.digest, status: outcome.status, exitCode: outcome.exitCode, signal: outcome.signal,
          timedOut: outcome.timedOut, durationMs: outcome.durationMs, hasLog: outcome.logBytes > 0, finishedAt: Date.now(),
          depsDigest, deps: reported?.deps ?? (p.job.deps === null || p.job.deps.entries.length === 0 ? '' : JSON.stringify(p.job.deps.entries)),
        };
        if (fingerprint !== p.job.fingerprint && result.hasLog) fs.renameSync(logPath(s, p.job), logPath(s, result));
        // A job that wrote nothing keeps no log: 100,000 empty files would cost every later run a readdir.
        if (!result.hasLog) fs.rmSync(logPath(s, p.job), { force: true });
        removeLogs(s, s.manifest.recordResult(result));
        if (outcome.status === 'interrupted') counts.interrupted++;
        else {
          counts.ran++;
          if (outcome.status === 'passed') counts.passed++;
          else counts.failed++;
        }
        const r = reportOf(p, outcome.status, s, result);
        reports.set(p, r);
        opts.reporter.jobFinished(r);
      },
    });
  } finally {
    for (const w of slots.finish()) opts.reporter.warning(w); // every token back before anything else
    s.manifest.flush(); // fold the journal into the snapshot, interrupted or not
  }
  for (const p of exec.notStarted) reports.set(p, reportOf(p, 'not-started', s));
  return exec.notStarted.length;
}

function commandFor(s: Session, p: PlannedJob, slots: Slots, strace: string | null): JobCommand {
  const tool = p.job.tool;
  const cmd = substituteFile(tool.config.command, tool.program, p.job.path);
  // A traced job runs under strace, which records every file it opens.
  const { program, args } = tool.config.deps === 'trace' && strace !== null
    ? { program: strace, args: [...traceArgs(tracePath(s, p)), cmd.program, ...cmd.args] }
    : cmd;
  return {
    program, args, cwd: s.sourceTree,
    // MAKEFLAGS reaches every job, whatever `env` says, and is never latched: it changes no result.
    env: slots.makeflags === null ? tool.env : { ...tool.env, MAKEFLAGS: slots.makeflags },
    timeoutMs: tool.config.timeout === null ? null : tool.config.timeout * 1000,
    logPath: logPath(s, p.job),
    fds: slots.fds,
  };
}

function writeMergedLog(file: string, jobs: readonly JobReport[]): string {
  const parts: string[] = [];
  for (const j of jobs) {
    if (j.status !== 'failed' && j.status !== 'cached-failure') continue;
    const how = j.timedOut ? 'timed out' : j.exitCode !== null ? `exit ${j.exitCode}` : `signal ${j.signal ?? '?'}`;
    let body = '';
    try {
      body = j.log === null ? '' : fs.readFileSync(j.log, 'utf8');
    } catch {
      body = '(log missing)\n';
    }
    parts.push(`==> ${j.tool} ${j.path} (${j.status === 'cached-failure' ? 'cached failure, ' : ''}${how}) <==\n${body}${body.endsWith('\n') || body === '' ? '' : '\n'}\n`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, parts.join(''));
  return file;
}

export async function explain(opts: ApiOptions & { file: string }): Promise<Explanation> {
  return withSession(opts, async (s) => {
    const abs = path.resolve(opts.cwd, opts.file);
    const rel = path.relative(s.sourceTree, abs).split(path.sep).join('/') as RelPath;
    if (rel.startsWith('..') || path.isAbsolute(rel) || rel === '') throw new UsageError(`${opts.file} is not a file in the source tree ${s.sourceTree}`);
    const scanned = scanAndSave(s, opts.reporter);
    await attachDeps(s, scanned, opts.signal);
    const entry = s.manifest.files.get(rel);
    if (entry === undefined) {
      const st = fs.statSync(abs, { throwIfNoEntry: false });
      const why = st === undefined ? 'it does not exist'
        : st.isDirectory() ? 'it is a directory'
        : scanned.summary.issues.find((i) => i.path === rel)?.detail ?? "the config's include/exclude (or whitelist) leaves it out";
      return { file: rel, tracked: false, untracked: why, tools: [] };
    }
    const tools = s.tools.map((tool, i): ToolExplanation => {
      const name = tool.config.name;
      const last = s.manifest.history(name, rel)[0] ?? null;
      if (!scanned.filters[i]!(rel)) return { tool: name, state: 'not-selected', reasons: [], last };
      const { verdict } = planJob(scanned.planInput, tool, rel, entry.digest);
      return { tool: name, state: verdict.state, reasons: verdict.state === 'stale' ? verdict.reasons : [], last };
    });
    return { file: rel, tracked: true, untracked: null, tools };
  });
}

export interface DepsReport {
  file: RelPath;
  /** null when no tool declares a deps kind whose graph runner knows before running. */
  kind: 'python' | 'javascript' | null;
  direct: DirectDeps | null;
  /** Every transitive dependency: tracked files, then outside files, then unresolved names (as "?name"). */
  transitive: string[];
  dependents: RelPath[];
}

/** runner deps FILE: a file's direct and transitive dependencies, and the files that depend on it. */
export async function deps(opts: ApiOptions & { file: string }): Promise<DepsReport> {
  return withSession(opts, async (s) => {
    const rel = path.relative(s.sourceTree, path.resolve(opts.cwd, opts.file)).split(path.sep).join('/') as RelPath;
    const scanned = scanAndSave(s, opts.reporter);
    if (!s.manifest.files.has(rel)) throw new UsageError(`${opts.file} is not a tracked file; see \`runner explain ${opts.file}\``);
    const graphs = await attachDeps(s, scanned, opts.signal);
    // The graph of the first tool that takes this file, else of any tool.
    const kinds = s.tools.filter((t, i) => scanned.filters[i]!(rel)).map((t) => t.config.deps);
    const kind = (['python', 'javascript'] as const).find((k) => graphs.has(k) && kinds.includes(k))
      ?? (['python', 'javascript'] as const).find((k) => graphs.has(k));
    const graph = kind === undefined ? undefined : graphs.get(kind);
    if (kind === undefined || graph === undefined) return { file: rel, kind: null, direct: null, transitive: [], dependents: [] };
    const c = graph.closure(rel);
    const transitive = [
      ...[...c.files].filter((f) => f !== rel).sort(), ...[...c.external].sort(), ...[...c.unresolved].sort().map((n) => `?${n}`),
    ];
    return { file: rel, kind, direct: graph.directDeps(rel), transitive, dependents: graph.dependents(rel) };
  });
}

export async function showConfig(opts: SessionOptions & { dump?: boolean }): Promise<{ config: Config; file: string | null; sourceTree: string | null; stateDir: string | null }> {
  if (opts.dump === true) return { config: documentedDefault(), file: null, sourceTree: null, stateDir: null };
  const { sourceTree, loaded, stateDir } = await loadSessionConfig(opts);
  return { config: loaded.config, file: loaded.file, sourceTree, stateDir };
}

/** Removes the state directory, refusing one that does not look like runner's. */
export async function clean(opts: SessionOptions): Promise<{ stateDir: string; removed: boolean }> {
  const stateDir = opts.stateDir !== undefined
    ? path.resolve(opts.cwd, opts.stateDir)
    : (await loadSessionConfig(opts)).stateDir;
  let entries: string[];
  try {
    entries = fs.readdirSync(stateDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { stateDir, removed: false };
    throw new StateDirError({ path: stateDir, problem: `cannot be read (${(err as NodeJS.ErrnoException).code})` }, { cause: err });
  }
  const ours = (e: string): boolean => e === LOGS_DIR || e.startsWith(MANIFEST_FILE);
  if (!entries.every(ours)) {
    throw new StateDirError({ path: stateDir, problem: `does not look like a runner state directory (it holds ${entries.filter((e) => !ours(e)).slice(0, 3).join(', ')}); not removing it` });
  }
  fs.rmSync(stateDir, { recursive: true, force: true });
  return { stateDir, removed: true };
}
