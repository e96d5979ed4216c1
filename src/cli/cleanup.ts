// Last words on every way out of the process: jobserver tokens go back even
// when the event loop drains with one still held, or an error escapes
// (../shared/docs/jobserver.md §7). Each cleanup runs once.
import type { EventSink } from '../api.js';

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

/** `runner run`'s exit paths: the tokens a run holds and the staged tree it made go on every way out. */
export const undoAtExit: EventSink = {
  emit(e) {
    if (e.type === 'tokens-held') onExit(e.releaseAll);
    else if (e.type === 'staged-tree-made') onExit(e.remove);
  },
};

process.on('exit', runCleanups);
