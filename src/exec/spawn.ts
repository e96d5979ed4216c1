// Spawns one job in its own process group, its stdout and stderr each on a
// pipe that runner copies into the job's log as the output arrives (so the
// log keeps both in arrival order, and its stream index says which wrote
// what), and settles when it exits, times out, or the run is interrupted. A
// terminal job (`"pty": true`) starts in pty.ts instead; a plain one through
// runner's addon (native-spawn.ts) when it is built, else child_process. Its
// supervision is the same either way.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { type JobEnd, type ProcessEnd, SPAWN_ERROR, statusOf } from '../job-end.js';
import type { LogStream } from '../log-streams.js';
import { JobLog, logWriteFault } from './job-log.js';
import { killGroup, runningGroups } from './kill.js';
import { describeSpawnError } from './spawn-error.js';
import type { EndListeners, JobCommand } from './job-command.js';
import { startInTerminal } from './pty.js';
import { type JobStart, spawnNative } from './native-spawn.js';
import { announceJob, JOB_MARK, jobNotStarted, unwatchGroup, watchGroup } from './watchdog.js';

type Stdio = 'ignore' | 'pipe' | number;

/** stdin closed, stdout and stderr on pipes of their own, the jobserver at its numbers, 'ignore' in any gap. */
function stdioFor(fds: JobCommand['fds']): Stdio[] {
  const stdio: Stdio[] = ['ignore', 'pipe', 'pipe'];
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

/** Most bytes read from each pipe once the job has exited: only a process it left running that keeps writing is cut off. */
const FINAL_BYTES = 16 << 20;

/**
 * One buffer for every drain: each read is written to the log before the next.
 * A 64 KB buffer per pipe per job cost more CPU in paired cold runs, though it
 * kept the heap smaller (TODO.rst, "Issue 17, point 4").
 */
const drainBuffer = Buffer.allocUnsafe(65536);

/**
 * After the job's exit: copies what its pipe still holds (libuv reads a pipe
 * only when the loop gets to it; the kernel hands over all it holds before
 * EAGAIN), then closes it. A process the job left running that writes later
 * gets EPIPE, as from a terminal job's closed terminal (pty.ts).
 */
function drainPipe(pipe: Readable | null, stream: LogStream, log: JobLog): void {
  if (pipe === null) return;
  // The pipe's descriptor, while open: Node's stream handle has it on POSIX (not part of its documented API).
  const fd = (pipe as unknown as { _handle?: { fd?: number } | null })._handle?.fd;
  if (typeof fd === 'number' && fd >= 0) {
    const buf = drainBuffer;
    for (let got = 0; got < FINAL_BYTES;) {
      let n: number;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch {
        break; // EAGAIN: nothing more now
      }
      if (n === 0) break;
      log.write(stream, buf.subarray(0, n));
      got += n;
    }
  }
  pipe.destroy();
}

/** Copies each pipe's output into the log as it arrives; at the exit, drains what is left and reports the end. */
function follow(
  stdout: Readable | null,
  stderr: Readable | null,
  log: JobLog,
  ends: EndListeners,
): (code: number | null, signal: string | null) => void {
  // Each chunk goes to the log in the order the loop reads it, which is the order the pipes filled.
  stdout?.on('data', (data: Buffer) => log.write('stdout', data));
  stderr?.on('data', (data: Buffer) => log.write('stderr', data));
  return (code, sig) => {
    drainPipe(stdout, 'stdout', log);
    drainPipe(stderr, 'stderr', log);
    ends.exit(processEnd(code, sig));
  };
}

/** Starts a plain job; returns its pid, the leader of its own process group. */
function startPlain(cmd: JobCommand, log: JobLog, ends: EndListeners, how: JobStart): number | undefined {
  if (how === 'native') {
    let onExit: ((code: number | null, signal: string | null) => void) | undefined;
    const child = spawnNative(cmd, (code, sig) => onExit?.(code, sig));
    if (child instanceof Error) {
      setImmediate(() => ends.error(child)); // as child_process reports it: after the start returned
      return undefined;
    }
    if (child !== null) {
      // The exit is reported from a later turn of the loop (a pidfd's readiness), never during the start.
      onExit = follow(child.stdout, child.stderr, log, ends);
      return child.pid;
    }
  }
  let child;
  try {
    child = spawn(cmd.program, cmd.args, {
      cwd: cmd.cwd,
      env: cmd.env,
      stdio: stdioFor(cmd.fds),
      detached: true, // its own process group, so a kill reaches everything it started
    });
  } catch (err) {
    // Node throws, rather than emits, what it refuses itself and some errnos (E2BIG): the same "never started" end.
    setImmediate(() => ends.error(err instanceof Error ? err : new Error(String(err))));
    return undefined;
  }
  const { stdout, stderr } = child;
  const onExit = follow(stdout, stderr, log, ends);
  child.once('error', (err) => {
    stdout?.destroy();
    stderr?.destroy();
    ends.error(err);
  });
  child.once('exit', onExit);
  return child.pid;
}

/**
 * When the job's log file is created: 'now', before the job starts (a log
 * runner cannot create then stops the run: the promise rejects), or at the
 * job's first byte (a silent job costs no file; a log that cannot be created
 * then is runner's fault, as a write that fails is). The build asks for 'now'
 * for its first job only (spawn-runner.ts), so a state directory that takes
 * no log still stops a run before it records anything.
 */
export type LogCreation = 'now' | 'at-first-byte';

export function spawnJob(
  cmd: JobCommand,
  signal: AbortSignal,
  logCreation: LogCreation = 'now',
  how: JobStart = 'native',
): Promise<JobOutcome> {
  const started = performance.now();
  return new Promise<JobOutcome>((resolve) => {
    let timedOut = false;
    let interrupted = false;
    let graceTimer: NodeJS.Timeout | undefined;
    let timeoutTimer: NodeJS.Timeout | undefined;
    // A start reports the end asynchronously, once everything below is in place.
    const ends: EndListeners = { error: onError, exit: onExit };
    const mark = announceJob(how);
    const marked = { ...cmd, env: { ...cmd.env, [JOB_MARK]: mark } };
    const log = logCreation === 'now' ? JobLog.open(cmd.logPath) : JobLog.atFirstByte(cmd.logPath);
    const pid =
      cmd.terminal === undefined
        ? startPlain(marked, log, ends, how)
        : startInTerminal(marked, cmd.terminal, log, ends);
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
      const closeFault = log.close();
      resolve({
        end,
        durationMs: performance.now() - started,
        logBytes: log.bytes,
        runnerFault: runnerFault ?? closeFault,
      });
    };

    function onError(err: Error): void {
      // The job never ran: what stopped it (a missing interpreter, too many processes) is no result of its inputs.
      const fault = describeSpawnError(err, cmd);
      log.note(`runner: ${fault}\n`);
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
        log.fault ??
        (timedOut ? log.note(`\nrunner: timed out after ${(cmd.timeoutMs! / 1000).toFixed(1)}s; killed\n`) : null) ??
        // A job whose output could not be written (disk full) may fail for that alone: no result of its inputs.
        (statusOf(end) === 'failed' ? logWriteFault(cmd.logPath) : null);
      settle(end, fault);
    }
  });
}
