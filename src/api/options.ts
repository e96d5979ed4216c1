// What the library's commands take: the session's options, the sink of their
// events and the abort signal (every command), and what `run` adds. Types only, so the
// commands that share them import them downward.
import type { CommandRunner } from '../build/index.js';
import type { TerminalSize } from '../exec/index.js';
import type { ServeStyle } from '../jobserver/index.js';
import type { SessionOptions } from '../session.js';
import type { EventSink } from './events.js';

export interface ApiOptions extends SessionOptions {
  /** Receives everything the command tells its caller while it works (events.ts), in order. */
  events: EventSink;
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
  /** The caller's terminal size, for terminal jobs (`"pty": true`); default 80x24. */
  terminalSize?: TerminalSize;
  /** Check what is staged for commit, in a copy of the git index (run-staged.ts). */
  staged?: boolean;
  /**
   * Run as the pre-commit framework's hook, `files` being the files it passes: in a git commit, what
   * `staged` checks; otherwise the jobs of those files and of the files depending on them (hook/framework.ts).
   */
  framework?: boolean;
  /**
   * Run the jobs of the files changed since this git ref (merge base with HEAD, as `git diff REF...`, plus
   * uncommitted and untracked changes) and of the files that depend on them (api/affected.ts).
   */
  since?: string;
  /** `files` are changes: run their jobs and those of the files that depend on them (api/affected.ts). */
  dependents?: boolean;
  /** `I/N`: run only shard I of N of the selected jobs (plan/shard.ts), for CI machines that split a suite. */
  shard?: string;
  /**
   * How --shard balances its shards: by each job's last recorded duration (default), or by counting jobs,
   * which reads nothing machine-local, for shards that cannot start from one shared state (README, "CI sharding").
   */
  shardBy?: 'durations' | 'count';
  /**
   * Report the fresh jobs too, each as passed and `cached` (RunReport.jobs): for reports that list the whole
   * suite (--junit, --json). Off by default: a no-op then only counts them, which is what keeps it fast.
   */
  listFresh?: boolean;
  /** How jobs start (default: spawnRunner, a process each); tests pass a fake that finishes jobs on command. */
  commandRunner?: CommandRunner;
}
