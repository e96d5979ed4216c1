// What starting a job takes (its command) and how a started process reports
// its end: shared by the plain and the terminal start, and by the message
// naming a start that failed. Types only.
import type { ProcessEnd } from '../job-end.js';

export interface TerminalSize {
  cols: number;
  rows: number;
}

export interface JobCommand {
  program: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Milliseconds; null for none. */
  timeoutMs: number | null;
  logPath: string;
  /** Jobserver descriptors the job gets, as [number in the job, descriptor in runner]. */
  fds: readonly (readonly [number, number])[];
  /** Run in a pseudo-terminal of this size (the tool's `"pty": true`); absent: plain pipes. */
  terminal?: TerminalSize;
}

/** How a started process reports its end to the supervision in spawnJob; each is called at most once. */
export interface EndListeners {
  /** fault: runner could not copy all the job's output into its log. */
  exit(end: ProcessEnd, fault?: string | null): void;
  error(err: Error): void;
}
