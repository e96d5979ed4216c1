// Computes each tool's latch: everything outside the job's file that can
// change its result. Every field here reaches the fingerprint; a field left
// out would let a job be skipped that should have run.
import { ToolNotFoundError } from '../errors.js';
import { SOURCE_TREE_TOKEN } from '../portable-path.js';
import { canonicalJson, hashString } from '../hash.js';
import type { ToolLatch } from '../tool-latch.js';
import type { LatchId } from '../types.js';
import { findExecutable, identifyProgram, shellPrograms, shimAt, unrunnableCandidate } from './executable.js';
import { type InputScope, describeInputProblem, digestInputs } from './inputs.js';
import { testRunnerInputs } from './test-runner-inputs.js';
import { ProgramIds } from './program-ids.js';
import { askAhead } from './shims.js';
import { checkSpawnLimits } from './spawn-limits.js';
import type { Config, ToolConfig } from './schema.js';

/** Variables that change from build to build without changing a result (jobserver plumbing). */
export const NEVER_LATCHED = new Set(['MAKEFLAGS', 'MFLAGS', 'MAKELEVEL']);

export interface LatchedTool {
  config: ToolConfig;
  latch: ToolLatch;
  latchId: LatchId;
  /** The environment the tool's jobs are spawned with, exactly. */
  env: Record<string, string>;
  /** argv form: the resolved program and its arguments; shell form: ['/bin/sh', '-c']. */
  program: string;
  shell: boolean;
  /** Absolute paths the declared inputs cover now (watch mode watches them). */
  inputPaths: string[];
  /** Declared inputs that are missing, match nothing or cannot be read, as warnings to report. */
  inputWarnings: string[];
  /** The source tree it was latched in: what in its latch names this checkout (cache/shareable.ts). */
  sourceTree?: string;
  /**
   * Why the tool cannot run: its program was not found, and the session was told the run does not need the
   * tool (SessionOptions.neededTools). Its jobs are never planned (plan.ts throws this if one is asked for).
   */
  unavailable?: ToolNotFoundError;
}

export interface ToolEnvironment {
  env: Record<string, string>;
  latch: Record<string, string>;
}

export { SOURCE_TREE_TOKEN };

/**
 * The environment a tool sees, and its latch: the top-level one, with the
 * tool's own `env` (`own`) laid over it. A name the tool sets is the tool's,
 * whatever the top level says of it (`env`, `passEnv`, `passThroughEnv`,
 * `mergeEnv`), and is latched by value in this tool's latch alone.
 */
export function buildToolEnvironment(
  config: Config,
  callerEnv: NodeJS.ProcessEnv,
  sourceTree: string,
  own: ToolConfig['env'] = {},
): ToolEnvironment {
  const isOwn = (name: string): boolean => Object.hasOwn(own, name);
  const env: Record<string, string> = {};
  const latch: Record<string, string> = {};
  if (config.mergeEnv) {
    // Laid under the config; only the config's and passEnv's variables are latched (README: mergeEnv).
    for (const [k, v] of Object.entries(callerEnv)) if (v !== undefined && !NEVER_LATCHED.has(k)) env[k] = v;
  }
  for (const [name, value] of Object.entries({ ...config.env, ...own })) {
    const joined = Array.isArray(value) ? value.join(':') : value;
    env[name] = joined;
    latch[name] = '=' + joined;
  }
  // Pass-through first, so that a name also in passEnv is latched (passEnv keeps its meaning).
  for (const name of config.passThroughEnv) {
    if (isOwn(name)) continue;
    const value = callerEnv[name];
    if (value !== undefined) env[name] = value;
  }
  for (const name of config.passEnv) {
    if (isOwn(name)) continue;
    const value = callerEnv[name];
    if (value === undefined) {
      delete env[name];
      latch[name] = 'unset';
    } else {
      env[name] = value;
      latch[name] = '#' + hashString(value);
    }
  }
  if (config.addSourceTreeToPythonPath) {
    const prior = env.PYTHONPATH;
    env.PYTHONPATH = prior === undefined || prior === '' ? sourceTree : `${sourceTree}:${prior}`;
    // The tree's absolute path stays out of the latch, so a result holds in another checkout.
    const priorLatch = latch.PYTHONPATH;
    latch.PYTHONPATH = SOURCE_TREE_TOKEN + (priorLatch === undefined || priorLatch === 'unset' ? '' : `:${priorLatch}`);
  }
  return { env, latch };
}

/**
 * The tools with their declared inputs digested in `scope` (the working tree,
 * or the staged tree), and their latch ids to match.
 */
export function withInputs(tools: readonly LatchedTool[], scope: InputScope): LatchedTool[] {
  return tools.map((t, i) => {
    // Per-user inputs (`~/...`) are found under the HOME the tools see. A test runner's config and
    // setup files join the declared inputs (test-runner-inputs.ts).
    const implied = testRunnerInputs(t.config.command, scope.sourceTree, scope.cache).filter(
      (f) => !t.config.inputs.includes(f),
    );
    const found = digestInputs(
      scope,
      implied.length === 0 ? t.config.inputs : [...t.config.inputs, ...implied],
      t.env.HOME,
    );
    const latch: ToolLatch = { ...t.latch, inputs: found.digests };
    return {
      ...t,
      latch,
      latchId: latchIdOf(latch),
      inputPaths: [...new Set(found.paths)],
      inputWarnings: found.problems.map((p) => describeInputProblem(i, t.config.name, p)),
    };
  });
}

/** The tools' programs, found on the tools' PATH; the first step of latching, so a missing one stops before any state is opened. */
export interface FoundPrograms {
  config: Config;
  sourceTree: string;
  /** Per tool: the environment it sees and its latch (one shared object for the tools without an `env` of their own). */
  toolEnvs: ToolEnvironment[];
  /** Per tool: the programs its command runs, [name, where found]. */
  found: [string, string][][];
  /** Per tool: whether PATH decides programs that cannot be told (a shell command's), so PATH itself is latched. */
  opaque: boolean[];
  /** Per tool: its program not found, for a tool the run does not need (else findPrograms throws); null when found. */
  missing: (ToolNotFoundError | null)[];
}

export function findPrograms(opts: {
  config: Config;
  callerEnv: NodeJS.ProcessEnv;
  sourceTree: string;
  configDisplayFile: string;
  /** Whether the run needs the named tool; a program that is missing stops the run only for one it needs. Default: all. */
  needed?: (tool: string) => boolean;
}): FoundPrograms {
  const { config, sourceTree } = opts;
  const shared = buildToolEnvironment(config, opts.callerEnv, sourceTree);
  const toolEnvs = config.tools.map((tool) =>
    Object.keys(tool.env).length === 0 ? shared : buildToolEnvironment(config, opts.callerEnv, sourceTree, tool.env),
  );
  config.tools.forEach((tool, i) =>
    checkSpawnLimits({ file: opts.configDisplayFile, tools: [tool], env: toolEnvs[i]!.env }),
  );
  const opaque: boolean[] = [];
  const missing: (ToolNotFoundError | null)[] = [];
  const found = config.tools.map((tool, t) => {
    const toolEnv = toolEnvs[t]!;
    // A shell command may start several programs; each is found on PATH (the first must be there).
    const inShell = typeof tool.command === 'string' ? shellPrograms(tool.command) : null;
    const wanted = inShell !== null ? ['/bin/sh', ...inShell.programs] : [(tool.command as string[])[0]!];
    let unknown = inShell?.opaque ?? false;
    // "deps": "python" reads imports with python3 from the tools' PATH, and does not walk the standard
    // library: that interpreter's identity covers it, so a tool that runs `pytest` still re-runs when it changes.
    if (tool.deps === 'python' && !wanted.includes('python3')) wanted.push('python3');
    const programs: [string, string][] = [];
    let notFound: ToolNotFoundError | null = null;
    wanted.forEach((name, i) => {
      if (name.includes('{') || notFound !== null) return;
      const where = findExecutable(name, toolEnv.env.PATH, sourceTree);
      if (where !== null) programs.push([name, where]);
      else if (i <= 1) {
        const unrunnable = unrunnableCandidate(name, toolEnv.env.PATH, sourceTree);
        notFound = new ToolNotFoundError({
          file: opts.configDisplayFile,
          tool: tool.name,
          executable: name,
          searched: toolEnv.env.PATH ?? '',
          ...(unrunnable === null ? {} : { found: unrunnable }),
        });
        if (opts.needed?.(tool.name) ?? true) throw notFound;
      } else unknown = true; // a later command may be guarded (`which x && x`): then PATH decides, and is latched
    });
    opaque.push(unknown);
    missing.push(notFound);
    return programs;
  });
  return { config, sourceTree, toolEnvs, found, opaque, missing };
}

/**
 * Starts asking the version managers behind the found programs' shims, when
 * their answers are not cached, so that latchFound() finds them (pyenv's
 * answer takes 40 ms and more: a cold run walks its tree meanwhile). Null when
 * there is nothing to ask; otherwise await it before latchFound().
 */
export function askShimsAhead(f: FoundPrograms, ids: ProgramIds): Promise<void> | null {
  const wanted = f.found.flatMap((programs, i) =>
    programs.flatMap(([name, where]) => {
      const shim = shimAt(where, ids);
      return shim === null ? [] : [{ shim, name, env: f.toolEnvs[i]!.env, cwd: f.sourceTree }];
    }),
  );
  return wanted.length === 0 ? null : askAhead(wanted, ids);
}

/** The environment's latch with PATH in it (as passEnv would latch it), for a tool whose programs PATH decides unseen. */
function withPathLatched(toolEnv: ToolEnvironment): Record<string, string> {
  if (toolEnv.latch.PATH !== undefined) return toolEnv.latch;
  const value = toolEnv.env.PATH;
  return { ...toolEnv.latch, PATH: value === undefined ? 'unset' : '#' + hashString(value) };
}

/** The latch id: everything in the latch but where the programs are on this machine. */
export function latchIdOf(latch: ToolLatch): LatchId {
  return hashString(
    canonicalJson({ ...latch, executables: latch.executables.map(({ where: _where, ...id }) => id) }),
  ) as LatchId;
}

/**
 * Latches tools whose programs were found: identifies the programs (cached in
 * `ids`). With `inputs` null the declared inputs are left out; withInputs()
 * must then add them before the latch is used.
 */
export function latchFound(f: FoundPrograms, ids: ProgramIds, inputs: InputScope | null): LatchedTool[] {
  const tools = f.config.tools.map((tool, i): LatchedTool => {
    const toolEnv = f.toolEnvs[i]!;
    const executables = f.found[i]!.map(([name, where]) =>
      identifyProgram(name, where, toolEnv.env, f.sourceTree, ids),
    );
    // The path as found, not the program behind a shim: the shim also sets up what that program expects.
    return toolOf(f, i, executables, executables[0]?.where.path ?? '');
  });
  return inputs === null ? tools : withInputs(tools, inputs);
}

/** The latch id of the tools toolsAhead() gives: no latch has it (a real one is a digest). */
export const AHEAD_LATCH_ID = 'ahead of its latch' as LatchId;

/**
 * The tools as their jobs are spawned, before their programs are identified (a version manager's answer
 * may still be on its way): the config, the environment, the program as found. Their latch names no
 * program and their latch id is AHEAD_LATCH_ID: a job started with one must get its tool's real latch
 * before any result of it is recorded (api/early-start.ts). Declared inputs are left out.
 */
export function toolsAhead(f: FoundPrograms): LatchedTool[] {
  return f.config.tools.map((_, i) => ({
    ...toolOf(f, i, [], f.found[i]![0]?.[1] ?? ''),
    latchId: AHEAD_LATCH_ID,
  }));
}

/** Tool i latched with `executables` identified; `program`: what its argv form spawns. */
function toolOf(f: FoundPrograms, i: number, executables: ToolLatch['executables'], program: string): LatchedTool {
  const tool = f.config.tools[i]!;
  const { config, sourceTree } = f;
  const toolEnv = f.toolEnvs[i]!;
  const shell = typeof tool.command === 'string';
  const missing = f.missing[i] ?? null;
  const latch: ToolLatch = {
    tool: {
      command: tool.command,
      deps: tool.deps,
      depfile: tool.depfile,
      timeout: tool.timeout,
      pty: tool.pty,
      inputs: tool.inputs,
      mergeEnv: config.mergeEnv,
      passThroughEnv: config.passThroughEnv,
      ...(tool.failurePattern === null ? {} : { failurePattern: tool.failurePattern }),
      ...(tool.outputs.length === 0 ? {} : { outputs: tool.outputs }),
    },
    env: f.opaque[i]! ? withPathLatched(toolEnv) : toolEnv.latch,
    ...(missing === null ? {} : { unavailable: missing.fields.executable }),
    executables,
    inputs: {}, // withInputs() fills them
  };
  return {
    config: tool,
    latch,
    latchId: latchIdOf(latch),
    env: toolEnv.env,
    // A tool whose program is missing is never spawned (plan.ts): it has no path to give.
    program: shell ? '/bin/sh' : program,
    shell,
    inputPaths: [],
    inputWarnings: [],
    sourceTree,
    ...(missing === null ? {} : { unavailable: missing }),
  };
}

export function latchTools(opts: {
  config: Config;
  callerEnv: NodeJS.ProcessEnv;
  sourceTree: string;
  configDisplayFile: string;
  inputs: InputScope | null;
  /** The session's cache; without one, every program is read (and every shim's manager asked) again. */
  programs?: ProgramIds;
  needed?: (tool: string) => boolean;
}): LatchedTool[] {
  return latchFound(findPrograms(opts), opts.programs ?? new ProgramIds(), opts.inputs);
}
