// Turns SIGINT/SIGTERM/SIGHUP into an abort of the run: running jobs are
// stopped, finished results stay recorded, and the exit code names the signal.
// Output that closes under a run (`runner run | head`) stops it the same way,
// as SIGPIPE would stop a program that does not catch it.
// Not through api.js: main.ts holds this file, and must not load the library before a command needs it.
import { killRunningJobs } from '../exec/kill.js';
import { runCleanups } from './cleanup.js';
import type { Io } from './io.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** The run that output closing would stop, if one is going. */
let current: AbortController | null = null;

/** Stops the current run as SIGPIPE would; false when no run is going. */
export function interruptOnClosedOutput(): boolean {
  if (current === null) return false;
  if (!current.signal.aborted) current.abort('SIGPIPE');
  return true;
}

/**
 * How long a stopping run may take before runner exits anyway: jobs get
 * SIGKILL 3 s after the signal (exec's KILL_GRACE_MS), and recording the
 * finished results takes well under a second. Past that, runner is stuck in
 * something the abort does not reach (a read that waits in the thread pool),
 * and SIGINT/SIGTERM must still stop it (issue 12).
 */
export const STOP_PATIENCE_MS = 10_000;

/** Exits after STOP_PATIENCE_MS unless the process has ended by then (the timer keeps nothing alive). */
function stopAnyway(io: Io, sig: NodeJS.Signals): void {
  setTimeout(() => {
    io.err.write(
      `\nrunner: ${sig}: still not stopped after ${STOP_PATIENCE_MS / 1000} s; exiting now (results recorded so far are kept)\n`,
    );
    killRunningJobs();
    runCleanups();
    // process.exit() would wait for that read too (libuv joins its threads at exit): the signal itself
    // is the way out. Its default action ends runner as killed by it, the shell's 128+n (130, 143).
    for (const s of SIGNALS) process.removeAllListeners(s);
    process.kill(process.pid, sig);
  }, STOP_PATIENCE_MS).unref();
}

export function interruptOnSignals(io: Io): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.err.write(`\nrunner: ${sig} again: still stopping the running jobs (they get SIGKILL within a few seconds)\n`);
      return;
    }
    controller.abort(sig);
    stopAnyway(io, sig);
  };
  for (const s of SIGNALS) process.on(s, handler);
  current = controller;
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
      if (current === controller) current = null;
    },
  };
}
