// What the library's commands take: the session's options, the reporter and
// the abort signal (every command), and what `run` adds. Types only, so the
// commands that share them import them downward.
import type { CommandRunner } from '../build/index.js';
import type { TerminalSize } from '../exec/index.js';
import type { ServeStyle } from '../jobserver/index.js';
import type { Reporter } from '../reporter.js';
import type { SessionOptions } from '../session.js';

export interface ApiOptions extends SessionOptions {
  reporter: Reporter;
  /** Aborting it (reason 'SIGINT' / 'SIGTERM') stops the run: running jobs are killed, finished ones kept. */
  signal?: AbortSignal;
}

export interface RunOptions extends ApiOptions {
  files?: string[];
  tools?: string[];
  dryRun?: boolean;
  force?: boolean;
  rerunFailed?: boolean;
  /** Serve a jobserver to the jobs when runner runs alone (default 'pipe'); false: --no-jobserver. */
  serveJobserver?: ServeStyle | false;
  /**
   * Receives a synchronous function that gives back every jobserver token
   * still held, for the caller's exit paths (exit, uncaught errors, signals).
   */
  onTokensHeld?: (releaseAll: () => void) => void;
  /** The caller's terminal size, for terminal jobs (`"pty": true`); default 80x24. */
  terminalSize?: TerminalSize;
  /** Check what is staged for commit, in a copy of the git index (run-staged.ts). */
  staged?: boolean;
  /** Receives a synchronous function that removes the staged tree, for the caller's exit paths. */
  onStagedTree?: (remove: () => void) => void;
  /** How jobs start (default: spawnRunner, a process each); tests pass a fake that finishes jobs on command. */
  commandRunner?: CommandRunner;
}
