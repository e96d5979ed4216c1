// Stopping problems, as typed errors whose fields build the message, so the
// terminal and --json say the same thing. A RunnerError always exits 2.
import { type IoFault, describeFault, remedyFor } from './io-fault.js';
import { assertNever } from './types.js';

/** Every kind of stopping problem: a closed list, so a switch over them cannot miss one. */
export type RunnerErrorKind =
  | 'config'
  | 'usage'
  | 'source-tree'
  | 'state-dir'
  | 'interrupted'
  | 'store'
  | 'state-write'
  | 'tool-not-found'
  | 'spawn-limit'
  | 'jobserver'
  | 'deps'
  | 'git'
  | 'hook'
  | 'hook-manager'
  | 'report-file'
  | 'init'
  | 'terminal'
  | 'log';

export abstract class RunnerError extends Error {
  readonly exitCode = 2;
  abstract readonly kind: RunnerErrorKind;
}

export interface ConfigProblem {
  file: string;
  key: string;
  /** The offending value; omitted when the key is missing or unknown. */
  value?: unknown;
  expected: string;
  /**
   * syntax: the file does not parse (reason in `value`, where in line/column);
   * empty: the file holds nothing; too-deep and self-reference: the key where
   * the config nests past what runner reads, or holds itself (a JavaScript config).
   */
  problem?: 'missing' | 'unknown' | 'invalid' | 'syntax' | 'empty' | 'too-deep' | 'self-reference';
  /** 1-based, for a syntax error. */
  line?: number;
  column?: number;
}

/** A value as a message shows it: JSON, cut short (a 200 KB env value or a 10,000-deep array is named, not printed). */
function show(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 80
      ? `${JSON.stringify(value.slice(0, 60))}... (${value.length} characters)`
      : JSON.stringify(value);
  }
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch {
    // Nested past the stack, or (a JavaScript config) an object that holds itself.
    return Array.isArray(value) ? '[...]' : '{...}';
  }
  return s === undefined ? String(value) : s.length > 80 ? s.slice(0, 77) + '...' : s;
}

export class ConfigError extends RunnerError {
  readonly kind = 'config';
  constructor(
    readonly fields: ConfigProblem,
    options?: ErrorOptions,
  ) {
    const { file, key, expected } = fields;
    const problem = fields.problem ?? 'invalid';
    const at = fields.line === undefined ? '' : `:${fields.line}:${fields.column ?? 1}`;
    const what =
      problem === 'unknown'
        ? `unknown key "${key}"`
        : problem === 'missing'
          ? `${key} is missing`
          : problem === 'syntax'
            ? `${String(fields.value)}${fields.line === undefined ? '' : ` at line ${fields.line}, column ${fields.column ?? 1}`}`
            : problem === 'empty'
              ? 'the file is empty'
              : problem === 'too-deep'
                ? `${key} is nested too deeply (${String(fields.value)})`
                : problem === 'self-reference'
                  ? `${key} holds itself (the object it is in, or one above)`
                  : `${key} is ${show(fields.value)}`;
    super(`${file}${at}: ${what}; expected ${expected}`, options);
  }
}

export class UsageError extends RunnerError {
  readonly kind = 'usage';
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** A `--shard` value that is not I/N with 1 <= I <= N (run --shard, CI sharding). */
export class ShardError extends RunnerError {
  readonly kind = 'usage';
  constructor(readonly fields: { value: string; expected: string }) {
    super(`--shard ${JSON.stringify(fields.value)}: expected ${fields.expected}`);
  }
}

export class SourceTreeError extends RunnerError {
  readonly kind = 'source-tree';
  constructor(
    readonly fields: { path: string; problem: string },
    options?: ErrorOptions,
  ) {
    super(`source tree ${fields.path}: ${fields.problem}; expected a readable directory (set it with -C DIR)`, options);
  }
}

export class StateDirError extends RunnerError {
  readonly kind = 'state-dir';
  /** expected: what would do instead, when more than "a writable directory" (a place of runner's own). */
  constructor(
    readonly fields: { path: string; problem: string; expected?: string },
    options?: ErrorOptions,
  ) {
    super(
      `state directory ${fields.path}: ${fields.problem}; expected ${fields.expected ?? 'a writable directory'} (set it with --state-dir DIR or "stateDir")`,
      options,
    );
  }
}

/** A signal came while runner waited for another runner's lock on the state directory: nothing was read or written. */
export class LockWaitInterruptedError extends RunnerError {
  readonly kind = 'interrupted';
  constructor(readonly fields: { stateDir: string; signal: string }) {
    super(`${fields.signal} while waiting for another runner using ${fields.stateDir}; nothing was run`);
  }
}

export type StoreProblem = 'corrupt' | 'newer-version' | 'cannot-open' | 'busy';

export class StoreError extends RunnerError {
  readonly kind = 'store';
  constructor(
    readonly fields: { path: string; problem: StoreProblem; detail: string },
    options?: ErrorOptions,
  ) {
    const hint =
      fields.problem === 'corrupt' || fields.problem === 'newer-version'
        ? '; runner will not rebuild over it: move it away, or run `runner clean` to start afresh'
        : fields.problem === 'busy'
          ? '; another runner is writing this state directory: wait for it, or use --state-dir'
          : '';
    super(`${fields.path}: ${fields.detail}${hint}`, options);
  }
}

/**
 * runner cannot write its own state (disk full, read-only, permission denied):
 * not corruption. Every result recorded before stays; the message never says
 * to clean, which would throw them away.
 */
export class StateWriteError extends RunnerError {
  readonly kind = 'state-write';
  constructor(
    readonly fields: { path: string; fault: IoFault },
    options?: ErrorOptions,
  ) {
    super(
      `${fields.path}: ${describeFault(fields.fault)}; every recorded result is kept; ${remedyFor(fields.fault)}`,
      options,
    );
  }
}

/**
 * A tool's program cannot be started: not found on PATH, or found (by its
 * path, or as the only match on PATH) but not executable or a directory.
 */
export class ToolNotFoundError extends RunnerError {
  readonly kind = 'tool-not-found';
  constructor(
    readonly fields: {
      file: string;
      tool: string;
      executable: string;
      searched: string;
      /** A file by that name that cannot be run; absent when nothing was found. */
      found?: { path: string; problem: 'not executable' | 'a directory' };
    },
  ) {
    const found = fields.found;
    super(
      found === undefined
        ? `${fields.file}: tool "${fields.tool}": executable "${fields.executable}" not found ` +
            `(searched PATH=${fields.searched || '(empty)'}, the PATH tools see); ` +
            'expected an installed program: give its full path, or put its directory on PATH through "env" or "passEnv"'
        : `${fields.file}: tool "${fields.tool}": "${fields.executable}" (${found.path}) is ${found.problem}; ` +
            (found.problem === 'not executable'
              ? `expected a program runner may run: \`chmod +x ${found.path}\`, or run it through its interpreter, e.g. ["sh", "${fields.executable}", "{file}"]`
              : 'expected a program, not a directory'),
    );
  }
}

/**
 * A tool's environment and command together exceed what Linux passes to a
 * program (ARG_MAX): every job of it would fail to start with E2BIG.
 */
export class SpawnLimitError extends RunnerError {
  readonly kind = 'spawn-limit';
  /** largest: the biggest variables, [name, bytes], biggest first. */
  constructor(
    readonly fields: { file: string; tool: string; bytes: number; limit: number; largest: [string, number][] },
  ) {
    const largest = fields.largest.map(([name, bytes]) => `${name} ${bytes} bytes`).join(', ');
    super(
      `${fields.file}: tool "${fields.tool}": its environment and command take about ${fields.bytes} bytes` +
        (largest === '' ? '' : ` (the largest variables: ${largest})`) +
        `; expected at most ${fields.limit} bytes, what Linux passes to a program (a quarter of the stack limit, \`ulimit -s\`): every job would fail to start with E2BIG`,
    );
  }
}

export type JobserverProblem = 'cannot-parse' | 'not-a-pipe' | 'closed-fd' | 'cannot-open';

/**
 * An unparseable MAKEFLAGS stops the run (exit 2); the other kinds become a
 * warning and a run of one job at a time, as make itself does.
 */
export class JobserverError extends RunnerError {
  readonly kind = 'jobserver';
  constructor(
    readonly fields: { kind: JobserverProblem; makeflags: string; detail: string },
    options?: ErrorOptions,
  ) {
    super(`MAKEFLAGS ${JSON.stringify(fields.makeflags)}: ${fields.detail}`, options);
  }
}

/** Dependency inference cannot run (its interpreter is missing): exit 2 with what to install. */
export class DepsError extends RunnerError {
  readonly kind = 'deps';
  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

/** git is missing, the source tree is not in a git work tree, or a git command failed. */
export class GitError extends RunnerError {
  readonly kind = 'git';
  /** what: the git command, or what runner needed git for; said: git's own last words, when it ran. */
  constructor(
    readonly fields: { what: string; detail: string; said?: string },
    options?: ErrorOptions,
  ) {
    super(`${fields.what}: ${fields.detail}`, options);
  }
}

/** A pre-commit hook that runner will not overwrite, chain or remove without --force. */
export class HookError extends RunnerError {
  readonly kind = 'hook';
  constructor(readonly fields: { hook: string; problem: string; hint: string }) {
    super(`${fields.hook}: ${fields.problem}; ${fields.hint}`);
  }
}

/**
 * Git hooks here belong to lefthook or simple-git-hooks, which rewrite
 * `pre-commit` whenever they install: runner does not edit their config (a
 * YAML, TOML or JS file of the user's) and says what to add instead.
 */
export class HookManagerError extends RunnerError {
  readonly kind = 'hook-manager';
  constructor(readonly fields: { manager: string; config: string; rewrites: string; snippet: string; then: string }) {
    super(
      `${fields.config}: git hooks here are managed by ${fields.manager} (${fields.rewrites}); runner does not edit its config. ` +
        `Add this to it, then ${fields.then} (or pass --force to write git's pre-commit hook anyway):\n\n${fields.snippet}`,
    );
  }
}

/** A report file (--junit) cannot be written where the user asked: exit 2, the run's results stay recorded. */
export class ReportFileError extends RunnerError {
  readonly kind = 'report-file';
  constructor(
    readonly fields: { option: string; path: string; problem: string },
    options?: ErrorOptions,
  ) {
    super(`${fields.option} ${fields.path}: ${fields.problem}; expected a file path in a writable directory`, options);
  }
}

/** `runner init` will not write a config: one exists already, or the tree holds nothing it knows how to check. */
export class InitError extends RunnerError {
  readonly kind = 'init';
  constructor(readonly fields: { path: string; problem: string; hint: string }) {
    super(`${fields.path}: ${fields.problem}; ${fields.hint}`);
  }
}

/**
 * A terminal tool (`"pty": true`) is to run a job, and the terminal support,
 * an optional dependency, cannot be loaded: installed with --omit=optional,
 * or no binary for this platform. Said before any job runs.
 */
export class TerminalSupportError extends RunnerError {
  readonly kind = 'terminal';
  /** problem: 'missing' (not installed) or 'no-binary' (installed, no binary for this platform); detail: the loader's words. */
  constructor(
    readonly fields: {
      tools: string[];
      package: string;
      version: string;
      problem: 'missing' | 'no-binary';
      detail: string;
      /** platform-arch, as the binary packages are named. */
      platform: string;
    },
    options?: ErrorOptions,
  ) {
    const who =
      fields.tools.length === 1
        ? `tool "${fields.tools[0]}" needs`
        : `tools ${fields.tools.map((t) => `"${t}"`).join(', ')} need`;
    const what = `${who} ${fields.package} ${fields.version}, the terminal support of "pty": true`;
    super(
      (fields.problem === 'missing'
        ? `${what}, which is not installed (${fields.detail}); ` +
          `expected it installed beside runner: \`npm install ${fields.package}@${fields.version}\` ` +
          '(with -g for a global runner), or runner installed without --omit=optional'
        : `${what}, which has no binary for ${fields.platform} (${fields.detail}); ` +
          'expected Linux, macOS or Windows on x64 or arm64, or the tool without "pty": true') + '; nothing was run',
      options,
    );
  }
}

/**
 * `runner log` cannot say which log to print: FILE is outside the source tree,
 * has no recorded job (of `tool`, when given), `tool` is no tool of the
 * config, both streams were asked for, or the log a result names is gone.
 */
export type LogProblem =
  | { kind: 'outside-tree'; file: string; sourceTree: string }
  | { kind: 'no-result'; file: string; tool: string | null }
  | { kind: 'unknown-tool'; tool: string; tools: string[] }
  | { kind: 'both-streams' }
  | { kind: 'log-missing'; file: string; tool: string; log: string };

export class LogError extends RunnerError {
  readonly kind = 'log';
  constructor(readonly fields: LogProblem) {
    super(logProblemMessage(fields));
  }
}

function logProblemMessage(p: LogProblem): string {
  switch (p.kind) {
    case 'outside-tree':
      return `log: ${p.file} is not a file in the source tree ${p.sourceTree}`;
    case 'no-result':
      return p.tool === null
        ? `log: no job of ${p.file} has run yet (see \`runner explain ${p.file}\`)`
        : `log: the ${p.tool} job of ${p.file} has not run yet (see \`runner explain ${p.file}\`)`;
    case 'unknown-tool':
      return `log: --tool ${JSON.stringify(p.tool)} is not a tool of the config; expected one of ${p.tools.join(', ')}`;
    case 'both-streams':
      return 'log: --stdout and --stderr together; expected one of them, or neither for the merged log';
    case 'log-missing':
      return `log: the last log of ${p.tool} on ${p.file} is gone (${p.log}); it runs again at the next \`runner run\``;
    default:
      return assertNever(p);
  }
}
