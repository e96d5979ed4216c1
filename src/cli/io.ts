// What the CLI knows of its process: streams, environment, colour, global options.
import type { Command } from 'commander';
import type { ApiOptions, EventSink, TerminalSize } from '../api.js';
import type { ConfigOverrides } from '../config/index.js';
import { type Stream, type Style, TextReporter } from '../report/index.js';
import { onExit } from './cleanup.js';
import { colorOf } from './color.js';

export interface GlobalOptions {
  sourceTree?: string;
  config?: string;
  stateDir?: string;
  jobs?: number;
  quiet?: boolean;
  verbose?: boolean;
  json?: boolean;
  color?: boolean;
}

export interface Io extends Style {
  out: Stream;
  err: Stream;
  env: NodeJS.ProcessEnv;
  globals: GlobalOptions;
}

export function makeIo(cmd: Command): Io {
  const globals = cmd.optsWithGlobals<GlobalOptions>();
  const env = process.env;
  const color = colorOf(globals.color, env, process.stdout.isTTY === true);
  return { out: process.stdout, err: process.stderr, env, globals, color, cwd: process.cwd() };
}

/** CLI values that override the config file's. */
export function overridesOf(g: GlobalOptions, extra: ConfigOverrides = {}): ConfigOverrides {
  const o: ConfigOverrides = { ...extra };
  if (g.jobs !== undefined) o.jobs = g.jobs;
  if (g.quiet === true) o.quiet = true;
  return o;
}

export function apiOptions(io: Io, events: EventSink, extra: ConfigOverrides = {}): ApiOptions {
  const g = io.globals;
  return {
    cwd: io.cwd,
    env: io.env,
    events,
    sourceTree: g.sourceTree,
    configFile: g.config,
    stateDir: g.stateDir,
    overrides: overridesOf(g, extra),
  };
}

/** closeAtExit false: the caller closes it at exit (runner watch registers one handler for all its cycles' reporters). */
export function textReporter(io: Io, quiet = io.globals.quiet === true, closeAtExit = true): TextReporter {
  const json = io.globals.json === true;
  // A bar needs a terminal that understands carriage return and erase-line; TERM=dumb does not.
  const progress = process.stderr.isTTY === true && io.env.TERM !== 'dumb' && !quiet && !json;
  const verbose = io.globals.verbose === true;
  // Without the bar, plain lines say what finished.
  const everyJob = verbose || process.stdout.isTTY !== true || !progress;
  // Under GitHub Actions each failure is also an annotation, its log a foldable group (report/github.ts).
  const github = io.env.GITHUB_ACTIONS === 'true';
  const githubWorkspace = io.env.GITHUB_WORKSPACE;
  const reporter = new TextReporter({ ...io, progress, everyJob, quiet, verbose, json, github, githubWorkspace });
  if (closeAtExit) onExit(() => reporter.close()); // the cursor comes back even when runner crashes
  return reporter;
}

/** One sink that hands each event to every given one, in order (null: an output not asked for). */
export function allOf(...sinks: (EventSink | null)[]): EventSink {
  const each = sinks.filter((s) => s !== null);
  return {
    emit: (e) => {
      for (const s of each) s.emit(e);
    },
  };
}

/** The size of the terminal runner writes to (stdout, else stderr), for terminal jobs; none when neither is one. */
export function terminalSizeOf(): TerminalSize | undefined {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.isTTY === true && stream.columns > 0 && stream.rows > 0)
      return { cols: stream.columns, rows: stream.rows };
  }
  return undefined;
}
