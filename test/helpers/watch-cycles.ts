// Reading `runner watch --json` as it runs: one JSON line per cycle, and a
// wait for cycle N that fails early when the watcher has exited.
import type { RunningRunner } from './cli.js';
import { waitFor } from './sandbox.js';

/** Every cycle the watcher has printed so far. */
export function cyclesOf<C extends { cycle: number }>(w: RunningRunner): C[] {
  return w
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as C);
}

/** Waits for cycle `n` (up to `deadlineMs`), failing at once if the watcher exits first. */
export async function waitForCycle<C extends { cycle: number }>(
  w: RunningRunner,
  n: number,
  deadlineMs: number,
): Promise<C> {
  return waitFor(
    `watch cycle ${n}\n--- stdout\n${w.stdout()}--- stderr\n${w.stderr()}`,
    () => {
      if (w.child.exitCode !== null)
        throw new Error(`runner watch exited (${w.child.exitCode}) before cycle ${n}:\n${w.stdout()}\n${w.stderr()}`);
      return cyclesOf<C>(w).find((c) => c.cycle === n);
    },
    deadlineMs,
  );
}
