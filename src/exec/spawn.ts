// Spawns one job in its own process group, its stdout and stderr both on one
// log file descriptor (so the log interleaves them in the order written),
// and settles when it exits, times out, or the run is interrupted. A terminal
// job (`"pty": true`) starts in pty.ts instead; its supervision is the same.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { type JobEnd, type ProcessEnd, SPAWN_ERROR, statusOf } from '../job-end.js';
import { logWriteFault, noteInLog, openLog } from './job-log.js';
import { killGroup, runningGroups } from './kill.js';
import { describeSpawnError } from './spawn-error.js';
import type { EndListeners, JobCommand } from './job-command.js';
import { startInTerminal } from './pty.js';
import { announceJob, JOB_MARK, jobNotStarted, unwatchGroup, watchGroup } from './watchdog.js';

type Stdio = 'ignore' | number;

/** stdin closed, stdout and stderr on the log, the jobserver at its numbers, 'ignore' in any gap. */
function stdioFor(logFd: number, fds: JobCommand['fds']): Stdio[] {
  const stdio: Stdio[] = ['ignore', logFd, logFd];
  for (const [child, parent] of fds) {
    while (stdio.length <= child) stdio.push('ignore');
    stdio[child] = parent;
  }
  return stdio;
}

export interface JobOutcome {
  end: JobEnd;
  durationMs: number;
  /** Size of the log the job wrote. */
  logBytes: number;
  /**
   * What runner itself failed at, when it did: starting the program (always
   * set for a 'spawn-error' end, and for a job the run was interrupted
   * before it could start) or writing the job's log (any end). Kept apart
   * from the end: it is about what runner may record, not how the job went.
   * Such an outcome is reported but is no result of the job: never recorded.
   */
  runnerFault: string | null;
}

/** Node's 'exit' event: one of code and signal is always non-null (Node's child_process documentation). */
function processEnd(code: number | null, signal: string | null): ProcessEnd {
  return code !== null ? { kind: 'exit', code } : { kind: 'signal', signal: signal ?? 'unknown' };
}

/** How long a job has to exit after SIGTERM/SIGINT before its group gets SIGKILL. */
export const KILL_GRACE_MS = 3000;

/** The signal a job gets when the run is interrupted: the abort reason when it names one. */
function interruptSignal(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  return reason === 'SIGINT' || reason === 'SIGTERM' || reason === 'SIGHUP' ? reason : 'SIGTERM';
}

/** Starts a plain job; returns its pid, the leader of its own process group. */
function startPlain(cmd: JobCommand, ends: EndListeners): number | undefined {
  const fd = openLog(cmd.logPath);
  let child;
  try {
    child = spawn(cmd.program, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env,
      stdio: stdioFor(fd, cmd.fds),
      detached: true, // its own process group, so a kill reaches everything it started
    });
  } catch (err) {
    // Node throws, rather than emits, what it refuses itself and some errnos (E2BIG): the same "never started" end.
    fs.closeSync(fd);
    setImmediate(() => ends.error(err instanceof Error ? err : new Error(String(err))));
    return undefined;
  }
  fs.closeSync(fd);
  child.once('error', ends.error);
  child.once('exit', (code, sig) => ends.exit(processEnd(code, sig)));
  return child.pid;
}

export function spawnJob(cmd: JobCommand, signal: AbortSignal): Promise<JobOutcome> {
  const started = performance.now();
  return new Promise<JobOutcome>((resolve) => {
    let timedOut = false;
    let interrupted = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    // A start reports the end asynchronously, once everything below is in place.
    const ends: EndListeners = { error: onError, exit: onExit };
    const mark = announceJob();
    const marked = { ...cmd, env: { ...cmd.env, [JOB_MARK]: mark } };
    const pid = cmd.terminal === undefined ? startPlain(marked, ends) : startInTerminal(marked, cmd.terminal, ends);
    if (pid !== undefined) {
      runningGroups.add(pid);
      watchGroup(pid, mark);
    } else {
      jobNotStarted(mark);
    }

    const stop = (sig: NodeJS.Signals): void => {
      if (pid === undefined) return;
      killGroup(pid, sig);
      graceTimer ??= setTimeout(() => killGroup(pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const onAbort = (): void => {
      interrupted = true;
      stop(interruptSignal(signal));
    };
    if (cmd.timeoutMs !== null) {
      timeoutTimer = setTimeout(() => {
        timedOut = true;
        stop('SIGTERM');
      }, cmd.timeoutMs);
    }
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();

    let settled = false;
    const settle = (end: JobEnd, runnerFault: string | null = null): void => {
      if (settled) return;
      settled = true;
      if (pid !== undefined) runningGroups.delete(pid);
      clearTimeout(timeoutTimer);
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      // Whatever the job left running in its group after being stopped goes too.
      if (pid !== undefined && (timedOut || interrupted)) killGroup(pid, 'SIGKILL');
      if (pid !== undefined) unwatchGroup(pid);
      const logBytes = fs.statSync(cmd.logPath, { throwIfNoEntry: false })?.size ?? 0;
      resolve({ end, durationMs: performance.now() - started, logBytes, runnerFault });
    };

    function onError(err: Error): void {
      // The job never ran: what stopped it (a missing interpreter, too many processes) is no result of its inputs.
      const fault = describeSpawnError(err, cmd);
      noteInLog(cmd.logPath, `runner: ${fault}\n`);
      settle(interrupted ? { kind: 'interrupted', stopped: null } : SPAWN_ERROR, fault);
    }
    function onExit(exit: ProcessEnd, logFault: string | null = null): void {
      // Stopped by the run alone. A job that also timed out (before the interrupt or after) ended by its timeout, a failure of its own.
      if (interrupted && !timedOut) {
        settle({ kind: 'interrupted', stopped: exit }, logFault);
        return;
      }
      const end: JobEnd = timedOut ? { kind: 'timeout', stopped: exit } : exit;
      const fault =
        logFault ??
        (timedOut
          ? noteInLog(cmd.logPath, `\nrunner: timed out after ${(cmd.timeoutMs! / 1000).toFixed(1)}s; killed\n`)
          : null) ??
        // A job whose output could not be written (disk full) may fail for that alone: no result of its inputs.
        (statusOf(end) === 'failed' ? logWriteFault(cmd.logPath) : null);
      settle(end, fault);
    }
  });
}
