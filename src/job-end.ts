// How a job ended, one case per way (house style "Outcomes as tagged unions"):
// spawnJob's outcome, a recorded result and a job's report all carry this one
// value. report/ renders it; the store and --json keep the older flat fields
// (flatEnd, endFromFlat), converted only at those two boundaries.
import { assertNever } from './types.js';

/** How a process went away: the OS gives its exit code, or the signal that killed it. */
export type ProcessEnd =
  { readonly kind: 'exit'; readonly code: number } | { readonly kind: 'signal'; readonly signal: string };

export type JobEnd =
  // It exited by itself (code 0: it passed), or a signal runner did not send killed it.
  | ProcessEnd
  // runner stopped it at its tool's timeout; `stopped`: how the process then went.
  | { readonly kind: 'timeout'; readonly stopped: ProcessEnd }
  // It never started. That is runner's failure, not the job's: the outcome's runnerFault says why.
  | { readonly kind: 'spawn-error' }
  // The run was interrupted while it ran; `stopped`: how it went then, null when it never started.
  | { readonly kind: 'interrupted'; readonly stopped: ProcessEnd | null };

/** A result's verdict: only an exit with code 0 passes; an interrupted job has none. */
export type ResultStatus = 'passed' | 'failed' | 'interrupted';

const PASSED: JobEnd = { kind: 'exit', code: 0 };
export const SPAWN_ERROR: JobEnd = { kind: 'spawn-error' };

export function statusOf(end: JobEnd): ResultStatus {
  switch (end.kind) {
    case 'exit':
      return end.code === 0 ? 'passed' : 'failed';
    case 'signal':
    case 'timeout':
    case 'spawn-error':
      return 'failed';
    case 'interrupted':
      return 'interrupted';
    default:
      return assertNever(end);
  }
}

/**
 * The flat form: results' columns in the store (snapshot and journal) and a
 * job's fields in --json, as they were before the union. Exit code and signal
 * are how the process went, also when runner stopped it; both null when it
 * never ran.
 */
export interface FlatEnd {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
}

const NOT_RUN: FlatEnd = { exitCode: null, signal: null, timedOut: false };

function flatProcess(p: ProcessEnd | null, timedOut: boolean): FlatEnd {
  if (p === null) return { ...NOT_RUN, timedOut };
  return p.kind === 'exit'
    ? { exitCode: p.code, signal: null, timedOut }
    : { exitCode: null, signal: p.signal, timedOut };
}

/** A report without an end (the job did not run now) has the fields of one that never started. */
export function flatEnd(end: JobEnd | null): FlatEnd {
  if (end === null) return NOT_RUN;
  switch (end.kind) {
    case 'exit':
    case 'signal':
      return flatProcess(end, false);
    case 'timeout':
      return flatProcess(end.stopped, true);
    case 'spawn-error':
      return NOT_RUN;
    case 'interrupted':
      return flatProcess(end.stopped, false);
    default:
      return assertNever(end);
  }
}

/**
 * Reads the flat fields back (flatEnd's inverse for every end). The stored
 * status decides first, so no row reads as a pass it was not. A failure with
 * neither code nor signal is a program that never started (recorded so before
 * issue 10); rows runner never wrote read as the nearest case.
 */
export function endFromFlat(
  status: ResultStatus,
  exitCode: number | null,
  signal: string | null,
  timedOut: boolean,
): JobEnd {
  if (status === 'passed') return PASSED; // one shared value: most of 100,000 loaded results passed
  const stopped: ProcessEnd | null =
    exitCode !== null ? { kind: 'exit', code: exitCode } : signal !== null ? { kind: 'signal', signal } : null;
  if (status === 'interrupted') return { kind: 'interrupted', stopped };
  if (stopped === null) return SPAWN_ERROR;
  return timedOut ? { kind: 'timeout', stopped } : stopped;
}
