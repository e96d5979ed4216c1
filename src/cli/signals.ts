// Turns SIGINT/SIGTERM/SIGHUP into an abort of the run: running jobs are
// stopped, finished results stay recorded, and the exit code names the signal.
import type { Io } from './io.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

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
  return {
    signal: controller.signal,
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}
