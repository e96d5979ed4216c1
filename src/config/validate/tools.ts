// Validates the tool list: names, commands ({file} or {files}), per-tool globs, deps, timeout, pty, maxFiles, narrowing,
// outputs, and the per-tool controls serial, jobs and env.
import { ConfigError } from '../../errors.js';
import { FILES_MARK, isBatchCommand } from '../../exec/index.js';
import { type DepsKind, TOOL_DEFAULTS, TOOL_KEYS, type ToolConfig } from '../schema.js';
import {
  type Ctx,
  checkBoolean,
  checkJobs,
  checkNonEmptyString,
  fail,
  isPlainObject,
  rejectUnknownKeys,
} from './check.js';
import { checkEnv } from './env.js';
import { checkGlobs, checkInputs, checkOutputs } from './globs.js';

const DEPS: readonly DepsKind[] = ['none', 'python', 'javascript', 'depfile', 'trace'];
/** Dependency inference and terminal jobs land with their own issues (#4, #5). */
const DEPS_AVAILABLE: readonly DepsKind[] = ['none', 'python', 'javascript', 'depfile', 'trace'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** Node's timers hold at most 2^31-1 ms; a longer delay fires after 1 ms, which would kill every job at once. */
export const MAX_TIMEOUT_SECONDS = 2_147_483;

export function checkTools(ctx: Ctx, v: unknown): ToolConfig[] {
  if (v === undefined) {
    throw new ConfigError({
      file: ctx.file,
      key: 'tools',
      problem: 'missing',
      expected: 'a non-empty array of tools, e.g. [{"name": "lint", "command": ["flake8", "{file}"]}]',
    });
  }
  if (!Array.isArray(v) || v.length === 0) {
    fail(ctx, 'tools', v, 'a non-empty array of tools, e.g. [{"name": "lint", "command": ["flake8", "{file}"]}]');
  }
  const seen = new Map<string, number>();
  const tools = v.map((raw, i) => {
    const tool = checkTool(ctx, raw, `tools[${i}]`);
    const first = seen.get(tool.name);
    if (first !== undefined) {
      fail(ctx, `tools[${i}].name`, tool.name, `a name not already used (tools[${first}] is also "${tool.name}")`);
    }
    seen.set(tool.name, i);
    return tool;
  });
  checkPythonEnvs(ctx, tools);
  return tools;
}

/**
 * The python import graph is one per run, resolved under the first
 * `"deps": "python"` tool's environment (sys.path depends on it): another
 * such tool with an `env` of its own would get dependencies found on a path
 * it does not run with, and skip jobs it should run.
 */
function checkPythonEnvs(ctx: Ctx, tools: readonly ToolConfig[]): void {
  const python = tools.map((t, i) => ({ t, i })).filter(({ t }) => t.deps === 'python');
  const first = python[0];
  if (first === undefined) return;
  const envOf = (t: ToolConfig): string =>
    JSON.stringify(
      Object.entries(t.env)
        .map(([k, v]) => [k, Array.isArray(v) ? v.join(':') : v])
        .sort(),
    );
  for (const { t, i } of python.slice(1)) {
    if (envOf(t) === envOf(first.t)) continue;
    fail(
      ctx,
      `tools[${i}].env`,
      t.env,
      `the same "env" as tools[${first.i}] ("${first.t.name}"): "deps": "python" tools share one import graph, found under one environment; set what differs at the top level`,
    );
  }
}

function checkTool(ctx: Ctx, raw: unknown, key: string): ToolConfig {
  if (!isPlainObject(raw)) fail(ctx, key, raw, 'an object with at least "name" and "command"');
  rejectUnknownKeys(ctx, raw, TOOL_KEYS, `${key}.`);
  if (raw.name === undefined) {
    throw new ConfigError({
      file: ctx.file,
      key: `${key}.name`,
      problem: 'missing',
      expected: 'a tool name such as "lint"',
    });
  }
  const name = checkNonEmptyString(
    ctx,
    `${key}.name`,
    raw.name,
    'a tool name of letters, digits, ".", "_" and "-", e.g. "lint"',
  );
  if (!NAME.test(name)) fail(ctx, `${key}.name`, name, 'a tool name of letters, digits, ".", "_" and "-", e.g. "lint"');
  const tool: ToolConfig = { ...TOOL_DEFAULTS, name, command: checkCommand(ctx, `${key}.command`, raw.command) };
  if (raw.include !== undefined) tool.include = checkGlobs(ctx, `${key}.include`, raw.include);
  if (raw.exclude !== undefined) tool.exclude = checkGlobs(ctx, `${key}.exclude`, raw.exclude);
  if (raw.inputs !== undefined) tool.inputs = checkInputs(ctx, `${key}.inputs`, raw.inputs);
  if (raw.deps !== undefined) {
    if (typeof raw.deps !== 'string' || !DEPS.includes(raw.deps as DepsKind)) {
      fail(ctx, `${key}.deps`, raw.deps, `one of ${DEPS.map((d) => `"${d}"`).join(', ')}`);
    }
    if (!DEPS_AVAILABLE.includes(raw.deps as DepsKind)) {
      fail(
        ctx,
        `${key}.deps`,
        raw.deps,
        `one of ${DEPS_AVAILABLE.map((d) => `"${d}"`).join(', ')}: "${String(raw.deps)}" dependency inference is not available in this version yet (see TODO.rst)`,
      );
    }
    tool.deps = raw.deps as DepsKind;
  }
  if (raw.depfile !== undefined && raw.depfile !== null) {
    const depfile = checkNonEmptyString(
      ctx,
      `${key}.depfile`,
      raw.depfile,
      'where the tool writes its make-style depfile, relative to the source tree, e.g. "build/{file}.d"',
    );
    if (depfile.startsWith('/') || depfile.split('/').includes('..')) {
      fail(
        ctx,
        `${key}.depfile`,
        depfile,
        'a path relative to the source tree, without a leading "/" or "..", e.g. "build/{file}.d"',
      );
    }
    if (tool.deps !== 'depfile') fail(ctx, `${key}.depfile`, depfile, 'a depfile only with "deps": "depfile"');
    tool.depfile = depfile;
  } else if (tool.deps === 'depfile') {
    throw new ConfigError({
      file: ctx.file,
      key: `${key}.depfile`,
      problem: 'missing',
      expected: 'where the tool writes its depfile, e.g. "build/{file}.d" (with "deps": "depfile")',
    });
  }
  if (raw.timeout !== undefined && raw.timeout !== null) {
    if (typeof raw.timeout !== 'number' || !Number.isFinite(raw.timeout) || raw.timeout <= 0) {
      fail(ctx, `${key}.timeout`, raw.timeout, 'a positive number of seconds, e.g. 120');
    }
    if (raw.timeout > MAX_TIMEOUT_SECONDS) {
      fail(
        ctx,
        `${key}.timeout`,
        raw.timeout,
        `at most ${MAX_TIMEOUT_SECONDS} seconds (about 24.8 days, the longest timer Node can set); omit "timeout" or use null for no limit`,
      );
    }
    tool.timeout = raw.timeout;
  }
  if (raw.pty !== undefined) tool.pty = checkBoolean(ctx, `${key}.pty`, raw.pty);
  if (raw.outputs !== undefined) tool.outputs = checkOutputs(ctx, `${key}.outputs`, raw.outputs, tool.name);
  checkBatch(ctx, key, raw, tool);
  checkControls(ctx, key, raw, tool);
  return tool;
}

/**
 * `serial`, `jobs` and `env`. `serial` is `jobs` 1: both together are refused
 * rather than one silently winning (a `"jobs": 4` left beside `"serial": true`
 * is a mistake either way).
 */
function checkControls(ctx: Ctx, key: string, raw: Record<string, unknown>, tool: ToolConfig): void {
  if (raw.serial !== undefined) tool.serial = checkBoolean(ctx, `${key}.serial`, raw.serial);
  if (raw.jobs !== undefined && raw.jobs !== null) {
    tool.jobs = checkJobs(ctx, `${key}.jobs`, raw.jobs);
    if (tool.serial) {
      fail(
        ctx,
        `${key}.jobs`,
        raw.jobs,
        `either "serial": true or "jobs", not both ("serial": true is "jobs": 1; tool "${tool.name}")`,
      );
    }
  }
  if (raw.env !== undefined) tool.env = checkEnv(ctx, raw.env, `${key}.env`);
}

function checkCommand(ctx: Ctx, key: string, v: unknown): string | string[] {
  const expected = 'an argv array such as ["flake8", "{file}"], or a shell command string';
  if (v === undefined) throw new ConfigError({ file: ctx.file, key, problem: 'missing', expected });
  // A NUL ends the string the kernel is given: the tool would get another command than the config says.
  const noNul = (k: string, s: string): void => {
    if (s.includes('\0'))
      fail(
        ctx,
        k,
        s,
        `a string without a NUL byte (one is at character ${s.indexOf('\0') + 1}; a program's arguments cannot hold one)`,
      );
  };
  if (typeof v === 'string') {
    if (v.trim() === '') fail(ctx, key, v, expected);
    noNul(key, v);
    return v;
  }
  if (!Array.isArray(v) || v.length === 0) fail(ctx, key, v, expected);
  v.forEach((arg, i) => {
    if (typeof arg !== 'string') fail(ctx, `${key}[${i}]`, arg, 'a string');
    noNul(`${key}[${i}]`, arg);
  });
  if ((v[0] as string).length === 0) fail(ctx, `${key}[0]`, v[0], 'the program to run, e.g. "flake8"');
  return v as string[];
}

/**
 * A batch tool (`{files}`): never `{file}` beside it (which file would it be?),
 * no dependencies a process reports (a depfile or a trace is per process, not
 * per file: not attributed yet), and `maxFiles`, `narrowing` and `failurePattern` only for one.
 */
function checkBatch(ctx: Ctx, key: string, raw: Record<string, unknown>, tool: ToolConfig): void {
  const batch = isBatchCommand(tool.command);
  if (batch) {
    const words = typeof tool.command === 'string' ? [tool.command] : tool.command;
    if (words.some((w) => w.includes('{file}'))) {
      fail(
        ctx,
        `${key}.command`,
        tool.command,
        `a command with either "{file}" (one file per process) or "${FILES_MARK}" (many), not both (tool "${tool.name}")`,
      );
    }
    if (tool.deps === 'depfile' || tool.deps === 'trace') {
      fail(
        ctx,
        `${key}.deps`,
        tool.deps,
        `"none", "python" or "javascript" for a batch tool ("${FILES_MARK}" in tool "${tool.name}"'s command): a ${tool.deps} is not attributed per file yet`,
      );
    }
  }
  if (raw.failurePattern !== undefined && raw.failurePattern !== null)
    tool.failurePattern = checkFailurePattern(ctx, `${key}.failurePattern`, raw.failurePattern, tool, batch);
  if (raw.narrowing !== undefined && raw.narrowing !== null)
    tool.narrowing = checkNarrowing(ctx, `${key}.narrowing`, raw.narrowing, tool, batch);
  if (raw.maxFiles === undefined || raw.maxFiles === null) return;
  if (typeof raw.maxFiles !== 'number' || !Number.isInteger(raw.maxFiles) || raw.maxFiles < 1) {
    fail(ctx, `${key}.maxFiles`, raw.maxFiles, 'a positive whole number of files, e.g. 100');
  }
  if (!batch) {
    fail(
      ctx,
      `${key}.maxFiles`,
      raw.maxFiles,
      `"maxFiles" only for a batch tool, one with "${FILES_MARK}" in its command (tool "${tool.name}" runs one file per process)`,
    );
  }
  tool.maxFiles = raw.maxFiles;
}

/** A batch tool's narrowing budget: the most processes that narrow one failed chunk; 0: none. */
function checkNarrowing(ctx: Ctx, key: string, v: unknown, tool: ToolConfig, batch: boolean): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_NARROWING) {
    fail(
      ctx,
      key,
      v,
      `a whole number of processes from 0 (do not narrow: a failed chunk's files fail, unjudged) to ${MAX_NARROWING}, e.g. 24, or null for the default (tool "${tool.name}")`,
    );
  }
  onlyForBatch(ctx, key, v, 'narrowing', tool, batch);
  return v;
}

/** A budget above this is a typo (a chunk of the argument-length limit's files, narrowed file by file, needs fewer). */
const MAX_NARROWING = 1_000_000;

/** A batch tool's failure pattern: a JavaScript regular expression (no flags) with a named group `file`. */
function checkFailurePattern(ctx: Ctx, key: string, v: unknown, tool: ToolConfig, batch: boolean): string {
  const example = 'a regular expression with a group named "file", e.g. "^(?<file>[^:]+):\\d+: error"';
  if (typeof v !== 'string' || v === '') fail(ctx, key, v, `${example} (tool "${tool.name}")`);
  let groups: Record<string, string> | undefined;
  try {
    new RegExp(v, 'g'); // as it is used: alone, it must compile
    // Then with an empty alternative, which matches "": the match lists every named group, matched or not.
    groups = new RegExp(`(?:${v})|`).exec('')?.groups;
  } catch (err) {
    fail(ctx, key, v, `${example}; this one does not compile (${(err as Error).message}) (tool "${tool.name}")`);
  }
  if (groups === undefined || !('file' in groups)) {
    fail(ctx, key, v, `${example}; this one has no group named "file" (tool "${tool.name}")`);
  }
  onlyForBatch(ctx, key, v, 'failurePattern', tool, batch);
  return v;
}

/** A key that says how a batch tool's processes are judged: refused on a tool that runs one file per process. */
function onlyForBatch(ctx: Ctx, key: string, v: unknown, name: string, tool: ToolConfig, batch: boolean): void {
  if (batch) return;
  fail(
    ctx,
    key,
    v,
    `"${name}" only for a batch tool, one with "${FILES_MARK}" in its command (tool "${tool.name}" runs one file per process)`,
  );
}
