// The recorder of a run's jobs (build/ calls it around each job): the command
// each job runs, its running log, and, when it ends, its result built,
// its log moved to the result's name, the result recorded and reported.
// A failure of runner itself is reported and never recorded.
import fs from 'node:fs';
import type { JobRecorder } from '../build/index.js';
import { type Identify, traceArgs } from '../deps/index.js';
import { type JobCommand, type TerminalSize, substituteFile } from '../exec/index.js';
import { statusOf } from '../job-end.js';
import type { Slots } from '../jobserver/index.js';
import { type JobResult, encodeDeps } from '../manifest/index.js';
import { type PlannedJob, fingerprintJob } from '../plan/index.js';
import type { Session } from '../session.js';
import { runningLogPath } from '../state-dir.js';
import type { EventSink } from './events.js';
import { reportedDeps, tracePath } from './find-deps.js';
import { reportOf } from './job-report.js';
import type { JobReport } from './run-report.js';
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

export function resultRecorder(c: RecorderContext): JobRecorder<PlannedJob> {
  const { s, events, reports } = c;
  // Each job writes a fresh file of its own, moved to its result's name when it ends: a job killed with its
  // runner, or still writing as an orphan, never writes into a log a recorded result names (issue 12).
  const running = new Map<PlannedJob, string>();
  const runningLog = (p: PlannedJob): string => {
    let file = running.get(p);
    if (file === undefined) running.set(p, (file = runningLogPath(s.stateDir, process.pid, ++runningLogs)));
    return file;
  };
  return {
    commandFor: (p) => commandFor(c, p, runningLog(p)),
    started: (p) => events.emit({ type: 'job-started', tool: p.job.tool.config.name, path: p.job.path }),
    finished: (p, outcome) => {
      const status = statusOf(outcome.end);
      // A job that never started is runner's failure even when no fault was named.
      if (outcome.runnerFault !== null || outcome.end.kind === 'spawn-error') {
        // runner's failure, not the job's: reported, never recorded, so the job runs again next time.
        const fault = outcome.runnerFault ?? 'could not start it';
        events.emit({
          type: 'warning',
          message: `${p.job.tool.config.name} ${p.job.path}: ${fault}; not recorded, it runs again next time`,
        });
        // Its log stays where it was written, until the next runner takes the state directory.
        const r: JobReport = {
          ...reportOf(p, status === 'interrupted' ? 'interrupted' : 'failed', s),
          end: outcome.end,
          durationMs: outcome.durationMs,
          log: outcome.logBytes > 0 ? runningLog(p) : null,
        };
        reports.set(p, r);
        events.emit({ type: 'job-finished', job: r });
        return;
      }
      const kind = p.job.tool.config.deps;
      const now = Date.now();
      const reported = kind === 'depfile' || kind === 'trace' ? reportedDeps(s.stateDir, p, c.identify) : null;
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
          reported?.deps ??
          (p.job.deps === null || p.job.deps.entries.length === 0 ? '' : encodeDeps(p.job.deps.entries)),
      };
      // Its log gets the result's own name (a name no kept result has: two results of a job never share a log).
      while (result.hasLog && fs.existsSync(logPath(s, result))) result.finishedAt++;
      if (result.hasLog) fs.renameSync(runningLog(p), logPath(s, result));
      // A job that wrote nothing keeps no log: 100,000 empty files would cost every later run a readdir.
      else fs.rmSync(runningLog(p), { force: true });
      running.delete(p);
      // A graph kind keeps the graph's nodes the result reaches, so explain can later diff by content.
      const nodes = p.job.deps?.nodesToKeep?.((h) => s.manifest.merkleNode(h) !== undefined) ?? [];
      removeLogs(s, s.manifest.recordResult(result, nodes));
      const r = reportOf(p, status, s, result);
      reports.set(p, r);
      events.emit({ type: 'job-finished', job: r });
    },
  };
}

/** The job's command: its tool's, under strace when it traces, with the jobserver's MAKEFLAGS and descriptors. */
function commandFor(c: RecorderContext, p: PlannedJob, log: string): JobCommand {
  const { s, tree, jobserver, strace, terminal } = c;
  const tool = p.job.tool;
  const cmd = substituteFile(tool.config.command, tool.program, p.job.path);
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
