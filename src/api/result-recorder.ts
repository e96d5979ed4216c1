// The recorder of a run's chunks (build/ calls it around each): the command
// each chunk runs, its running log, and, when it ends, a result per file
// built, the log linked to each result's name, the results recorded and
// reported. A failed chunk of a batch tool is narrowed (narrowing.ts): each
// next process is returned to run, and the results are recorded when the
// narrowing ends. A failure of runner itself is reported and never recorded.
import fs from 'node:fs';
import type { JobRecorder } from '../build/index.js';
import { type Identify, traceArgs } from '../deps/index.js';
import { type JobCommand, type JobOutcome, type TerminalSize, substituteFile, substituteFiles } from '../exec/index.js';
import { type ResultStatus, statusOf } from '../job-end.js';
import type { Slots } from '../jobserver/index.js';
import { type JobResult, type UnjudgedStop, encodeDeps } from '../manifest/index.js';
import { type OutputEntry, captureOutputs, jobOutputPatterns, writeOutputList } from '../outputs/index.js';
import { type PlannedJob, fingerprintJob } from '../plan/index.js';
import { removeFile } from '../remove-file.js';
import type { Session } from '../session.js';
import { outputLogPath, runningLogPath, runningStreamIndexPath, streamIndexPath } from '../state-dir.js';
import { type Chunk, type ChunkNarrowing, type EndedProcess, narrowedChunkId, narrowingStep } from './chunk.js';
import type { EventSink } from './events.js';
import { type NamingLines, findNamedFiles } from './failure-pattern.js';
import { reportedDeps, tracePath } from './find-deps.js';
import { chunkReportOf, reportOf } from './job-report.js';
import { Narrowing, type ProcessVerdict, narrowingBudget } from './narrowing.js';
import type { ChunkReport, JobReport } from './run-report.js';
import { logPath, removeLogs } from './scan-and-save.js';
import type { TreeView } from './tree-view.js';

export interface RecorderContext {
  /** The state directory and the manifest results land in. */
  s: Session;
  /** The tree the jobs run in. */
  tree: TreeView;
  events: EventSink;
  /** Each finished job's report, set as it ends. */
  reports: Map<PlannedJob, JobReport>;
  /** What every job gets of the jobserver: MAKEFLAGS and its descriptors. */
  jobserver: Pick<Slots, 'makeflags' | 'fds'>;
  strace: string | null;
  identify: Identify;
  terminal: TerminalSize;
  /** Told of each result recorded here (the remote cache uploads it); never of a failure of runner itself. */
  recorded?: (p: PlannedJob, result: JobResult) => void;
  /** Whether the remote cache was asked for this job's key before it ran and had nothing (the result says so). */
  missedRemotely?: (p: PlannedJob) => boolean;
}

/** Numbers this process's running logs (with its pid, a name no other process uses). */
let runningLogs = 0;

export interface ChunkRecorder extends JobRecorder<Chunk> {
  /**
   * After the build: records what is certain of each narrowing cut short (an
   * interrupted run); its other files stay unrecorded, so they run next time.
   */
  settle(): void;
}

export function resultRecorder(c: RecorderContext): ChunkRecorder {
  const { s, events, reports } = c;
  // Each chunk writes a fresh file of its own, linked to its results' names when it ends: a job killed with its
  // runner, or still writing as an orphan, never writes into a log a recorded result names (issue 12).
  const running = new Map<Chunk, string>();
  const freshLog = (): string => runningLogPath(s.stateDir, process.pid, ++runningLogs);
  const runningLog = (ch: Chunk): string => {
    let file = running.get(ch);
    if (file === undefined) running.set(ch, (file = freshLog()));
    return file;
  };
  /** Narrowings still running: settle() records what is certain of them. */
  const open = new Set<ChunkNarrowing>();
  // A tool may print the paths it was given as absolute ones: under the tree, or under its real path.
  const roots = [...new Set([c.tree.root, realPathOr(c.tree.root)])];

  /** Records each file of `jobs` with the outcome of the process that judged it, then lets that process's log go. */
  const record = (
    ch: Chunk,
    jobs: readonly PlannedJob[],
    outcome: JobOutcome,
    log: string,
    status: ResultStatus = statusOf(outcome.end),
  ): void => {
    const judge = chunkReportOf(ch);
    s.manifest.together(() => {
      for (const p of jobs) recordFile(c, ch, p, outcome, status, log, judge);
    });
    removeRunningLog(log, outcome);
  };

  /** How a batch process's end counts for its files: a failure by exit code is read for the files the pattern names. */
  const judge = (
    ch: Chunk,
    outcome: JobOutcome,
    log: string,
  ): EndedProcess & { verdict: ProcessVerdict<PlannedJob> } => {
    const ended = { id: ch.id, files: ch.jobs.length, outcome, log, named: new Map<PlannedJob, NamingLines>() };
    if (statusOf(outcome.end) === 'passed') return { ...ended, verdict: { kind: 'passed' } };
    const pattern = ch.jobs[0]!.job.tool.config.failurePattern;
    // A timeout or a signal stopped the tool before it said all it had to: its output names no failure for sure.
    if (pattern === null || outcome.end.kind !== 'exit') return { ...ended, verdict: { kind: 'failed' } };
    const byPath = new Map(ch.jobs.map((p) => [p.job.path as string, p]));
    for (const [file, lines] of findNamedFiles(log, pattern, new Set(byPath.keys()), roots))
      ended.named.set(byPath.get(file)!, lines);
    // A failure the pattern explains by none of the process's files is narrowed: never a pass nothing earned.
    if (ended.named.size === 0) return { ...ended, verdict: { kind: 'failed' } };
    return { ...ended, verdict: { kind: 'named', files: new Set(ended.named.keys()) } };
  };

  /**
   * Records a narrowing's results not recorded yet, each with the end and log
   * of the process that judged it. `going`: the narrowing goes on; only the
   * verdicts nothing still to run can change are recorded (so a file is
   * reported, and kept, as soon as it is certain). `cut` (the run was
   * interrupted, or a process of it could not run): only what is certain,
   * the other files reported as `cut.status` and left unrecorded. Once it
   * has ended, lets the narrowing's logs go.
   */
  const recordNarrowing = (
    nar: ChunkNarrowing,
    cut: { status: 'interrupted' | 'failed'; step: Chunk | null; outcome: JobOutcome | null } | null,
    going = false,
  ): void => {
    if (!going) open.delete(nar);
    const verdicts = nar.search.verdicts();
    const inCutStep = new Set(cut?.step?.jobs ?? []);
    // A narrowing that stopped (its budget spent, or a dense failure) leaves files unjudged: each fails in
    // this run with the smallest failed process that held it, and is kept as no failure, so it runs again.
    const stop = cut === null && !going ? nar.search.stopped : null;
    const unjudged = stop === null ? null : nar.search.unjudged();
    if (stop !== null && unjudged!.size > 0) {
      const tool = nar.search.processFiles(0)[0]!.job.tool.config.name;
      events.emit({ type: 'narrowing-stopped', tool, chunk: nar.id, stop, unjudged: unjudged!.size });
    }
    s.manifest.together(() => {
      for (const p of nar.search.processFiles(0)) {
        if (nar.recorded.has(p)) continue;
        const v = verdicts.get(p);
        if (v === undefined && going) continue;
        nar.recorded.add(p);
        const owner = unjudged?.get(p);
        if (v === undefined && owner !== undefined) {
          const by = nar.ended[owner]!;
          const judge: ChunkReport = { id: by.id, files: by.files, narrowing: narrowedChunkId(by.id) };
          recordFile(c, { batch: true }, p, by.outcome, 'failed', by.log, judge, undefined, stop!);
          continue;
        }
        if (v === undefined) {
          const inStep = inCutStep.has(p);
          const r: JobReport = {
            ...reportOf(p, cut?.status ?? 'failed', s, undefined, inStep ? chunkReportOf(cut!.step!) : undefined),
            end: inStep ? (cut?.outcome?.end ?? null) : null,
            durationMs: inStep ? (cut?.outcome?.durationMs ?? null) : null,
          };
          reports.set(p, r);
          events.emit({ type: 'job-finished', job: r });
          continue;
        }
        const by = nar.ended[v.by]!;
        const lines = by.named.get(p);
        const named = v.status === 'failed' && lines !== undefined ? { lines, files: by.named.size } : undefined;
        const judge: ChunkReport = { id: by.id, files: by.files, narrowing: narrowedChunkId(by.id) };
        recordFile(c, { batch: true }, p, by.outcome, v.status, by.log, judge, named);
      }
    });
    if (!going) for (const e of nar.ended) removeRunningLog(e.log, e.outcome);
  };

  return {
    commandFor: (ch) => commandFor(c, ch, runningLog(ch)),
    started: (ch) => {
      // A step of a narrowing runs files already said to be running.
      if (ch.narrowing !== null) return;
      const chunk = ch.batch ? { chunk: ch.id } : {};
      for (const p of ch.jobs)
        events.emit({ type: 'job-started', tool: p.job.tool.config.name, path: p.job.path, ...chunk });
    },
    finished: (ch, outcome) => {
      const log = runningLog(ch);
      running.delete(ch);
      const status = statusOf(outcome.end);
      const nar = ch.narrowing;
      // A job that never started is runner's failure even when no fault was named.
      if (outcome.runnerFault !== null || outcome.end.kind === 'spawn-error') {
        // runner's failure, not the job's: reported, never recorded, so the job runs again next time.
        const fault = outcome.runnerFault ?? 'could not start it';
        const tool = ch.jobs[0]!.job.tool.config.name;
        const which =
          ch.jobs.length === 1 ? ch.jobs[0]!.job.path : `${ch.jobs.length} files (${ch.jobs[0]!.job.path} …)`;
        events.emit({ type: 'warning', message: `${tool} ${which}: ${fault}; not recorded, it runs again next time` });
        if (nar !== null) {
          // The narrowing stops here: what it made certain is kept, the rest runs again next time.
          removeRunningLog(log, outcome);
          return recordNarrowing(nar, { status: 'failed', step: ch, outcome });
        }
        for (const p of ch.jobs) {
          // Its log stays where it was written, until the next runner takes the state directory.
          const r: JobReport = {
            ...reportOf(p, status === 'interrupted' ? 'interrupted' : 'failed', s, undefined, chunkReportOf(ch)),
            end: outcome.end,
            durationMs: outcome.durationMs,
            log: outcome.logBytes > 0 ? log : null,
          };
          reports.set(p, r);
          events.emit({ type: 'job-finished', job: r });
        }
        return;
      }
      if (nar !== null && status === 'interrupted') {
        removeRunningLog(log, outcome);
        return recordNarrowing(nar, { status: 'interrupted', step: ch, outcome });
      }
      // A failed chunk of a batch tool is narrowed: the processes that find its failing files run next, under its
      // token; every log waits for the narrowing's end.
      if (nar !== null || (ch.batch && status === 'failed')) {
        const tool = ch.jobs[0]!.job.tool.config;
        const narrowing = nar ?? {
          id: ch.id,
          search: new Narrowing(ch.jobs, tool.narrowing ?? narrowingBudget(ch.jobs.length)),
          ended: [],
          steps: 0,
          recorded: new Set(),
        };
        if (nar === null) open.add(narrowing);
        const { verdict, ...ended } = judge(ch, outcome, log);
        // The dense stop asks whether a process printed what the failed chunk printed.
        if (verdict.kind === 'failed' && nar !== null) verdict.sameOutput = sameOutput(narrowing.ended[0]!.log, log);
        narrowing.ended.push(ended);
        const next = narrowing.search.ended(verdict);
        if (next === null) return recordNarrowing(narrowing, null);
        recordNarrowing(narrowing, null, true);
        return [narrowingStep(next, narrowing)];
      }
      record(ch, ch.jobs, outcome, log);
    },
    settle: () => {
      for (const nar of [...open]) recordNarrowing(nar, { status: 'interrupted', step: null, outcome: null });
    },
  };
}

/** Logs compared whole up to this size; a larger one never counts as the same (the dense stop is then not taken). */
const SAME_OUTPUT_BYTES = 1 << 20;

/** Whether two processes' logs hold the same bytes, and some: an empty output says nothing of a shared cause. */
function sameOutput(a: string, b: string): boolean {
  try {
    const size = fs.statSync(a).size;
    if (size !== fs.statSync(b).size || size === 0 || size > SAME_OUTPUT_BYTES) return false;
    return fs.readFileSync(a).equals(fs.readFileSync(b));
  } catch {
    return false; // runner's own read failed: no dense stop, the narrowing goes on
  }
}

/**
 * Links a process's log under a result's name, its stream index first: a
 * runner stopped between the two leaves an index whose log is missing (swept
 * with the logs no result names), never a recorded log with a stale index. An
 * index left there by a runner that died is replaced, never trusted.
 */
function linkLog(stateDir: string, log: string, name: string): void {
  const index = streamIndexPath(stateDir, name);
  try {
    fs.linkSync(runningStreamIndexPath(log), index);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      removeFile(index);
      fs.linkSync(runningStreamIndexPath(log), index);
    } else if (code !== 'ENOENT') {
      // A log with no index has streams unknown (`runner log` says so): never a reason to drop a result.
      throw err;
    }
  }
  fs.linkSync(log, name);
}

/** Lets a process's running log go, with its stream index (both made only for a log with bytes: job-log.ts). */
function removeRunningLog(log: string, outcome: Pick<JobOutcome, 'logBytes'>): void {
  if (outcome.logBytes === 0) return;
  removeFile(log);
  removeFile(runningStreamIndexPath(log));
}

/** The real path of `dir`, or `dir` when it cannot be resolved. */
function realPathOr(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * One file's result, from the process that judged it (`log`: that process's
 * log, linked under the result's name; `judge`: that process, for reports). A file the failure pattern `named`
 * gets a log of its own: the lines naming it, then where the whole output is
 * (that log, linked beside it), so the log's tail in the failure summary is
 * about this file, and the output is kept once however many files it names.
 */
function recordFile(
  c: RecorderContext,
  ch: Pick<Chunk, 'batch'>,
  p: PlannedJob,
  outcome: JobOutcome,
  status: ResultStatus,
  log: string,
  judge: ChunkReport | undefined,
  named?: { lines: NamingLines; files: number },
  unjudged?: UnjudgedStop,
): void {
  const { s, events, reports } = c;
  const kind = p.job.tool.config.deps;
  const kept = status === 'passed' ? keepOutputs(c, p, outcome) : null;
  if (kept === 'runner-fault') return;
  if (kept?.kind === 'missing') status = 'failed';
  const now = Date.now();
  // Only a one-file tool reports its dependencies (a batch tool's depfile or trace is refused by the config).
  const reported =
    !ch.batch && (kind === 'depfile' || kind === 'trace') ? reportedDeps(s.stateDir, p, c.identify) : null;
  const depsDigest = reported?.depsDigest ?? p.job.deps?.digest ?? '';
  // What a job reports of its dependencies is known only now: its fingerprint includes them.
  const fingerprint =
    reported === null
      ? p.job.fingerprint
      : fingerprintJob(p.job.tool.config.name, p.job.tool.latchId, p.job.path, p.job.digest, depsDigest);
  const result: JobResult = {
    tool: p.job.tool.config.name,
    path: p.job.path,
    fingerprint,
    latchId: p.job.tool.latchId,
    digest: p.job.digest,
    // An unjudged file failed only with others: kept as interrupted, never as its failure, so it runs again.
    status: unjudged === undefined ? status : 'interrupted',
    end: outcome.end,
    durationMs: outcome.durationMs,
    hasLog: named !== undefined || outcome.logBytes > 0,
    finishedAt: now,
    usedAt: now,
    logBytes: outcome.logBytes,
    depsDigest,
    deps:
      reported?.deps ?? (p.job.deps === null || p.job.deps.entries.length === 0 ? '' : encodeDeps(p.job.deps.entries)),
    ...(unjudged === undefined ? {} : { unjudged }),
    ...(c.missedRemotely?.(p) === true ? { remoteMiss: true as const } : {}),
  };
  // A missing output fails the job with a log of its own saying so, the tool's whole output beside it.
  const missing = kept?.kind === 'missing' ? kept.missing : null;
  if (missing !== null) result.hasLog = true;
  const ownLog = named !== undefined || missing !== null;
  // Its log gets the result's own name (a name no kept result has: two results of a job never share a log).
  const taken = (file: string): boolean => fs.existsSync(file) || (ownLog && fs.existsSync(outputLogPath(file)));
  while (result.hasLog && taken(logPath(s, result))) result.finishedAt++;
  if (kept?.kind === 'captured') {
    try {
      writeOutputList(s.stateDir, result.fingerprint, kept.outputs);
    } catch (err) {
      return outputsFault(c, p, outcome, err);
    }
    // Outputs count toward the kept-size budget with the logs: the least recently used results go first.
    result.logBytes += kept.bytes;
  }
  if (ownLog) {
    const file = logPath(s, result);
    const output = outcome.logBytes > 0 ? outputLogPath(file) : null;
    const text =
      missing !== null
        ? missingOutputsLog(p.job.tool.config.name, missing, output)
        : namingLog(p.job.path, named!, output);
    fs.writeFileSync(file, text);
    result.logBytes = Buffer.byteLength(text);
    if (outcome.logBytes > 0) linkLog(s.stateDir, log, outputLogPath(file));
  } else if (result.hasLog) {
    // A job that wrote nothing keeps no log: 100,000 empty files would cost every later run a readdir.
    linkLog(s.stateDir, log, logPath(s, result));
  }
  // A graph kind keeps the graph's nodes the result reaches, so explain can later diff by content.
  const nodes = p.job.deps?.nodesToKeep?.((h) => s.manifest.merkleNode(h) !== undefined) ?? [];
  removeLogs(s, s.manifest.recordResult(result, nodes));
  c.recorded?.(p, result);
  const r: JobReport = {
    ...reportOf(p, status, s, result, judge),
    ...(unjudged === undefined ? {} : { unjudged }),
    ...(named === undefined ? {} : { named: named.files }),
  };
  reports.set(p, r);
  events.emit({ type: 'job-finished', job: r });
}

/** A passed job's outputs, kept in the store; 'runner-fault' when runner's own I/O failed (reported, never recorded). */
function keepOutputs(
  c: RecorderContext,
  p: PlannedJob,
  outcome: JobOutcome,
):
  | { kind: 'captured'; outputs: OutputEntry[]; bytes: number }
  | { kind: 'missing'; missing: string[] }
  | 'runner-fault'
  | null {
  const outputs = p.job.tool.config.outputs;
  if (outputs.length === 0) return null;
  try {
    return captureOutputs({ root: c.tree.root, stateDir: c.s.stateDir }, jobOutputPatterns(outputs, p.job.path));
  } catch (err) {
    outputsFault(c, p, outcome, err);
    return 'runner-fault';
  }
}

/** runner could not keep a job's outputs: its failure, not the job's; reported, never recorded, so the job runs again. */
function outputsFault(c: RecorderContext, p: PlannedJob, outcome: JobOutcome, err: unknown): void {
  const tool = p.job.tool.config.name;
  const why = err instanceof Error ? err.message : String(err);
  c.events.emit({
    type: 'warning',
    message: `${tool} ${p.job.path}: could not keep its outputs (${why}); not recorded, it runs again next time`,
  });
  const r: JobReport = {
    ...reportOf(p, 'failed', c.s),
    end: outcome.end,
    durationMs: outcome.durationMs,
  };
  c.reports.set(p, r);
  c.events.emit({ type: 'job-finished', job: r });
}

/** The log of a job that passed but left a declared output unwritten: the tool's failure, named. */
function missingOutputsLog(tool: string, missing: readonly string[], output: string | null): string {
  const whole = output === null ? 'it wrote nothing' : `its whole output is ${output}`;
  return (
    missing.map((m) => `runner: ${tool} did not write its output ${m} (declared in "outputs")\n`).join('') +
    `runner: the job exited 0 but counts as failed: an output it declares is missing; ${whole}\n`
  );
}

/** A named file's log: the lines naming it, then where the process's whole output is. */
function namingLog(file: string, named: { lines: NamingLines; files: number }, output: string | null): string {
  const { lines, files } = named;
  const more = lines.more === 0 ? '' : `(${lines.more} more line${lines.more === 1 ? '' : 's'} name it)\n`;
  const whole = output === null ? 'the process wrote nothing else' : `the whole output of the process is ${output}`;
  return (
    lines.lines.map((l) => l + '\n').join('') +
    more +
    `runner: the lines above name ${file} (the failure pattern named ${files} of the process's files); ${whole}\n`
  );
}

/** The job's command: its tool's, under strace when it traces, with the jobserver's MAKEFLAGS and descriptors. */
function commandFor(c: RecorderContext, ch: Chunk, log: string): JobCommand {
  const { s, tree, jobserver, strace, terminal } = c;
  const p = ch.jobs[0]!;
  const tool = p.job.tool;
  const cmd = ch.batch
    ? substituteFiles(
        tool.config.command,
        tool.program,
        ch.jobs.map((j) => j.job.path),
      )
    : substituteFile(tool.config.command, tool.program, p.job.path);
  // A traced job runs under strace, which records every file it opens.
  const { program, args } =
    tool.config.deps === 'trace' && strace !== null
      ? { program: strace, args: [...traceArgs(tracePath(s.stateDir, p)), cmd.program, ...cmd.args] }
      : cmd;
  return {
    program,
    args,
    cwd: tree.root,
    // MAKEFLAGS reaches every job, whatever `env` says, and is never latched: it changes no result.
    env: jobserver.makeflags === null ? tool.env : { ...tool.env, MAKEFLAGS: jobserver.makeflags },
    timeoutMs: tool.config.timeout === null ? null : tool.config.timeout * 1000,
    logPath: log,
    fds: jobserver.fds,
    ...(tool.config.pty ? { terminal } : {}),
  };
}
