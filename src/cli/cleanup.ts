// Last words on every way out of the process: jobserver tokens go back even
// when the event loop drains with one still held, or an error escapes
// (../shared/docs/jobserver.md §7). Each cleanup runs once.
const cleanups: (() => void)[] = [];

export function onExit(fn: () => void): void {
  cleanups.push(fn);
}

/** How many cleanups wait for the exit; a long-running command must not add one per cycle. */
export function pendingCleanups(): number {
  return cleanups.length;
}

export function runCleanups(): void {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch {
      // a cleanup that fails must not stop the others
    }
  }
}

process.on('exit', runCleanups);
