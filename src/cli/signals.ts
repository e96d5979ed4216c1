// Turns SIGINT/SIGTERM/SIGHUP into an abort of the run: running jobs are
// stopped, finished results stay recorded, and the exit code names the signal.
// Output that closes under a run (`runner run | head`) stops it the same way,
// as SIGPIPE would stop a program that does not catch it.
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

export function interruptOnSignals(io: Io): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const handler = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) {
      io.err.write(`\nrunner: ${sig} again: still stopping the running jobs (they get SIGKILL within a few seconds)\n`);
      return;
    }
    controller.abort(sig);
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
