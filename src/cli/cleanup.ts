// Last words on every way out of the process: jobserver tokens go back even
// when the event loop drains with one still held, or an error escapes
// (../shared/docs/jobserver.md §7). Each cleanup runs once.
const cleanups: (() => void)[] = [];

export function onExit(fn: () => void): void {
  cleanups.push(fn);
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
