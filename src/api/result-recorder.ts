// The recorder of a run's chunks (build/ calls it around each): the command
// each chunk runs, its running log, and, when it ends, a result per file
// built, the log linked to each result's name, the results recorded and
// reported. A failed chunk of many files is narrowed (chunk.ts): its halves
// are returned to run next. A failure of runner itself is reported and never
// recorded.
import fs from 'node:fs';
import type { JobRecorder } from '../build/index.js';
import { type Identify, traceArgs } from '../deps/index.js';
import { type JobCommand, type JobOutcome, type TerminalSize, substituteFile, substituteFiles } from '../exec/index.js';
import { type ResultStatus, statusOf } from '../job-end.js';
import type { Slots } from '../jobserver/index.js';
import { type JobResult, encodeDeps } from '../manifest/index.js';
import { type PlannedJob, fingerprintJob } from '../plan/index.js';
import type { Session } from '../session.js';
import { runningLogPath } from '../state-dir.js';
import { type Chunk, type Split, parentChunkId, splitChunk } from './chunk.js';
import type { EventSink } from './events.js';
import { reportedDeps, tracePath } from './find-deps.js';
import { chunkReportOf, reportOf } from './job-report.js';
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
}

/** Numbers this process's running logs (with its pid, a name no other process uses). */
let runningLogs = 0;

export interface ChunkRecorder extends JobRecorder<Chunk> {
  /**
   * After the build: records the passes held for a sibling that never ran (an
   * interrupted run): each was earned by a process of its own.
   */
  settle(): void;
}

export function resultRecorder(c: RecorderContext): ChunkRecorder {
  const { s, events, reports } = c;
  // Each chunk writes a fresh file of its own, linked to its results' names when it ends: a job killed with its
  // runner, or still writing as an orphan, never writes into a log a recorded result names (issue 12).
  const running = new Map<Chunk, string>();
  const runningLog = (ch: Chunk): string => {
    let file = running.get(ch);
    if (file === undefined) running.set(ch, (file = runningLogPath(s.stateDir, process.pid, ++runningLogs)));
    return file;
  };
  /** Splits with a held pass: settle() records them if the sibling never ran. */
  const open = new Set<Split>();

  /** Records each file of `jobs` with the outcome of the process that judged it (`judge`, for reports), then lets that process's log go. */
  const record = (
    ch: Chunk,
    jobs: readonly PlannedJob[],
    outcome: JobOutcome,
    log: string,
    status: ResultStatus = statusOf(outcome.end),
    judge: ChunkReport | undefined = chunkReportOf(ch),
  ): void => {
    for (const p of jobs) recordFile(c, ch, p, outcome, status, log, judge);
    fs.rmSync(log, { force: true });
  };

  /**
   * A half `ch` of a split ended (`own`: its results, recorded or not). One
   * that passed while its sibling has not ended is held. One that passed after
   * a sibling that passed: neither explains the failed chunk, so (in doubt)
   * every file of it fails with that chunk's end and log. Otherwise the
   * sibling's held pass is recorded, then this half's results.
   */
  const halfEnded = (
    split: Split,
    ch: Chunk,
    own: { outcome: JobOutcome; log: string; passed: boolean } | null,
    recordOwn: () => void,
  ): void => {
    split.ended.add(ch);
    const held = split.held;
    if (own?.passed === true && held === null && split.ended.size < 2) {
      split.held = { chunk: ch, outcome: own.outcome, log: own.log };
      open.add(split);
      return;
    }
    open.delete(split);
    split.held = null;
    if (own?.passed === true && held !== null) {
      fs.rmSync(held.log, { force: true });
      fs.rmSync(own.log, { force: true });
      const [x, y] = split.halves;
      // Judged by the failed chunk the halves were split from.
      const failed = parentChunkId(ch.id) ?? ch.id;
      const judge = { id: failed, files: x.jobs.length + y.jobs.length, halfOf: parentChunkId(failed) };
      record(ch, [...x.jobs, ...y.jobs], split.outcome, split.log, 'failed', judge);
      return;
    }
    if (held !== null) record(held.chunk, held.chunk.jobs, held.outcome, held.log);
    recordOwn();
    if (split.ended.size === 2) fs.rmSync(split.log, { force: true });
  };

  return {
    commandFor: (ch) => commandFor(c, ch, runningLog(ch)),
    started: (ch) => {
      // A half of a failed chunk runs files already said to be running.
      if (ch.split !== null) return;
      const chunk = ch.batch ? { chunk: ch.id } : {};
      for (const p of ch.jobs)
        events.emit({ type: 'job-started', tool: p.job.tool.config.name, path: p.job.path, ...chunk });
    },
    finished: (ch, outcome) => {
      const log = runningLog(ch);
      running.delete(ch);
      const status = statusOf(outcome.end);
      // A job that never started is runner's failure even when no fault was named.
      if (outcome.runnerFault !== null || outcome.end.kind === 'spawn-error') {
        // runner's failure, not the job's: reported, never recorded, so the job runs again next time.
        const fault = outcome.runnerFault ?? 'could not start it';
        const tool = ch.jobs[0]!.job.tool.config.name;
        const which =
          ch.jobs.length === 1 ? ch.jobs[0]!.job.path : `${ch.jobs.length} files (${ch.jobs[0]!.job.path} …)`;
        events.emit({ type: 'warning', message: `${tool} ${which}: ${fault}; not recorded, it runs again next time` });
        const reportFault = (): void => {
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
        };
        if (ch.split === null) reportFault();
        else halfEnded(ch.split, ch, null, reportFault);
        return;
      }
      // A failed chunk of many files is narrowed: its halves run next, under its token; its log waits for them.
      if (status === 'failed' && ch.jobs.length > 1) {
        if (ch.split !== null) halfEnded(ch.split, ch, null, () => {});
        return splitChunk(ch, outcome, log);
      }
      if (ch.split === null) record(ch, ch.jobs, outcome, log);
      else
        halfEnded(ch.split, ch, { outcome, log, passed: status === 'passed' }, () => record(ch, ch.jobs, outcome, log));
    },
    settle: () => {
      for (const split of open) {
        const held = split.held;
        if (held !== null) record(held.chunk, held.chunk.jobs, held.outcome, held.log);
      }
      open.clear();
    },
  };
}

/** One file's result, from the process that judged it (`log`: that process's log, linked under the result's name). */
function recordFile(
  c: RecorderContext,
  ch: Chunk,
  p: PlannedJob,
  outcome: JobOutcome,
  status: ResultStatus,
  log: string,
  judge: ChunkReport | undefined,
): void {
  const { s, events, reports } = c;
  const kind = p.job.tool.config.deps;
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
    status,
    end: outcome.end,
    durationMs: outcome.durationMs,
    hasLog: outcome.logBytes > 0,
    finishedAt: now,
    usedAt: now,
    logBytes: outcome.logBytes,
    depsDigest,
    deps:
      reported?.deps ?? (p.job.deps === null || p.job.deps.entries.length === 0 ? '' : encodeDeps(p.job.deps.entries)),
  };
  // Its log gets the result's own name (a name no kept result has: two results of a job never share a log).
  while (result.hasLog && fs.existsSync(logPath(s, result))) result.finishedAt++;
  // A job that wrote nothing keeps no log: 100,000 empty files would cost every later run a readdir.
  if (result.hasLog) fs.linkSync(log, logPath(s, result));
  // A graph kind keeps the graph's nodes the result reaches, so explain can later diff by content.
  const nodes = p.job.deps?.nodesToKeep?.((h) => s.manifest.merkleNode(h) !== undefined) ?? [];
  removeLogs(s, s.manifest.recordResult(result, nodes));
  const r = reportOf(p, status, s, result, judge);
  reports.set(p, r);
  events.emit({ type: 'job-finished', job: r });
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
