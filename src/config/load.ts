// Finds and reads the config file (the only importer of cosmiconfig, which it
// loads when a config is read), then validates it and applies CLI overrides.
// Never touches the state directory.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, SourceTreeError, UsageError } from '../errors.js';
import { describeKind, nonRegularKind } from '../regular-file.js';
import type { Config } from './schema.js';
import { type ParseProblem, jsonProblem, yamlProblem } from './parse-error.js';
import { JOBS_EXPECTED, isJobsCount } from './validate/check.js';
import { MAX_CONFIG_DEPTH } from './validate/depth.js';
import { validateConfig } from './validate/index.js';

const MODULE = 'runner';
const SEARCH_PLACES = [
  'package.json',
  `.${MODULE}rc`,
  `.${MODULE}rc.json`,
  `.${MODULE}rc.yaml`,
  `.${MODULE}rc.yml`,
  `.${MODULE}rc.js`,
  `.${MODULE}rc.cjs`,
  `.${MODULE}rc.mjs`,
  `${MODULE}.config.js`,
  `${MODULE}.config.cjs`,
  `${MODULE}.config.mjs`,
  `${MODULE}.config.ts`,
];

/**
 * JSON config files (package.json too) read with JSON.parse: cosmiconfig's
 * own loader loads parse-json and @babel/code-frame (about 20 files) for an
 * error message runner words itself (parseFailure, jsonProblem). The message
 * starts as cosmiconfig's does, which parseFailure looks for.
 */
function loadJson(filepath: string, content: string): unknown {
  try {
    return JSON.parse(content) as unknown;
  } catch (err) {
    throw new Error(`JSON Error in ${filepath}:\n${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

/** Values from the command line that take precedence over the file. */
export interface ConfigOverrides {
  jobs?: number;
  failFast?: boolean;
  mergedLog?: string;
  quiet?: boolean;
  stateDir?: string;
}

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file the config came from. */
  file: string;
  /** The file as the user would name it in messages (relative to cwd when inside it). */
  displayFile: string;
  sourceTree: string;
  /** The file's own `jobs`, before -j: a cap under make's jobserver, where -j means something else. */
  fileJobs: number | null;
}

export function resolveSourceTree(cwd: string, dir: string | undefined): string {
  const sourceTree = path.resolve(cwd, dir ?? '.');
  let st: fs.Stats;
  try {
    st = fs.statSync(sourceTree);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SourceTreeError(
      { path: sourceTree, problem: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})` },
      { cause: err },
    );
  }
  if (!st.isDirectory()) throw new SourceTreeError({ path: sourceTree, problem: 'is not a directory' });
  try {
    fs.accessSync(sourceTree, fs.constants.R_OK | fs.constants.X_OK);
  } catch (err) {
    throw new SourceTreeError({ path: sourceTree, problem: 'cannot be read (permission denied)' }, { cause: err });
  }
  return sourceTree;
}

export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
}

/**
 * A config that is a fifo, socket or device: cosmiconfig would wait for ever
 * reading it, deaf to SIGTERM (issue 12). A directory is left to cosmiconfig,
 * which passes over one at a searched place.
 */
function refuseNonRegular(file: string, shownFile: string, expected: string): void {
  const kind = nonRegularKind(file);
  if (kind === null || kind === 'directory') return;
  throw new ConfigError({
    file: shownFile,
    key: '(file)',
    value: describeKind(kind),
    expected: `${expected}; runner never reads ${describeKind(kind)}, which could make it wait for ever`,
  });
}

export async function loadConfig(opts: {
  cwd: string;
  sourceTree: string;
  configFile?: string;
  overrides?: ConfigOverrides;
}): Promise<LoadedConfig> {
  // Loaded here, not at the top: a command that reads no config (--help) goes without it.
  const { cosmiconfig } = await import('cosmiconfig');
  // An empty file is found (and said to be empty), not skipped for "no config" (a package.json without "runner" still is).
  const explorer = cosmiconfig(MODULE, {
    searchPlaces: SEARCH_PLACES,
    searchStrategy: 'none',
    cache: false,
    ignoreEmptySearchPlaces: false,
    loaders: { '.json': loadJson },
  });
  let result: Awaited<ReturnType<typeof explorer.search>>;
  const wanted = opts.configFile === undefined ? undefined : path.resolve(opts.cwd, opts.configFile);
  const shown = (f: string): string => displayPath(opts.cwd, f);
  try {
    if (wanted !== undefined) {
      if (!fs.existsSync(wanted)) {
        throw new ConfigError({
          file: shown(wanted),
          key: '(file)',
          problem: 'missing',
          expected: 'an existing config file (given with -c)',
        });
      }
      refuseNonRegular(wanted, shown(wanted), 'a regular config file (given with -c)');
      result = await explorer.load(wanted);
    } else {
      for (const place of SEARCH_PLACES)
        refuseNonRegular(
          path.join(opts.sourceTree, place),
          shown(path.join(opts.sourceTree, place)),
          'a regular config file',
        );
      result = await explorer.search(opts.sourceTree);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const file = wanted ?? (err as { filepath?: string }).filepath ?? opts.sourceTree;
    throw parseFailure(shown(file), file, err);
  }
  if (result === null) {
    throw new ConfigError({
      file: shown(opts.sourceTree),
      key: 'config',
      problem: 'missing',
      expected:
        'a runner config in the source tree: .runnerrc (or .runnerrc.json, .yaml, .yml, .js, .cjs, .mjs), runner.config.js (.cjs, .mjs, .ts) or "runner" in package.json (`runner config --dump` prints a template)',
    });
  }
  const displayFile = shown(result.filepath);
  if (result.isEmpty === true || result.config === undefined || result.config === null) {
    throw new ConfigError({
      file: displayFile,
      key: '(top level)',
      problem: 'empty',
      expected: 'an object with a "tools" array (`runner config --dump` prints a template)',
    });
  }
  const validated = validateConfig(result.config, displayFile);
  const config = applyOverrides(validated, opts.overrides ?? {});
  return { config, file: result.filepath, displayFile, sourceTree: opts.sourceTree, fileJobs: validated.jobs };
}

/** Why a config file did not load, with the line and column of a JSON or YAML syntax error. */
function parseFailure(displayFile: string, file: string, err: unknown): ConfigError {
  const expected = 'a file that parses as JSON, YAML or JavaScript';
  // A parser that recurses (js-yaml) runs out of stack on a deeply nested file.
  if (err instanceof RangeError) {
    return new ConfigError(
      {
        file: displayFile,
        key: '(file)',
        problem: 'too-deep',
        value: 'past what the parser can read',
        expected: `a config nested at most ${MAX_CONFIG_DEPTH} levels`,
      },
      { cause: err },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  let found: ParseProblem | null = yamlProblem(err);
  if (found === null && message.startsWith('JSON Error')) {
    try {
      found = jsonProblem(fs.readFileSync(file, 'utf8'));
    } catch {
      found = null; // gone or unreadable since: the parser's own words below
    }
  }
  if (found === null) {
    return new ConfigError(
      { file: displayFile, key: '(file)', value: message.split('\n')[0], expected },
      { cause: err },
    );
  }
  return new ConfigError(
    {
      file: displayFile,
      key: '(file)',
      problem: 'syntax',
      value: `${found.language} syntax error: ${found.reason}`,
      ...(found.line === undefined ? {} : { line: found.line, column: found.column }),
      expected: `valid ${found.language}`,
    },
    { cause: err },
  );
}

function applyOverrides(config: Config, o: ConfigOverrides): Config {
  const out = { ...config };
  if (o.jobs !== undefined) {
    if (!isJobsCount(o.jobs)) throw new UsageError(`-j/--jobs is ${String(o.jobs)}; expected ${JOBS_EXPECTED}`);
    out.jobs = o.jobs;
  }
  if (o.failFast !== undefined) out.failFast = o.failFast;
  if (o.mergedLog !== undefined) out.mergedLog = o.mergedLog;
  if (o.quiet !== undefined) out.quiet = o.quiet;
  if (o.stateDir !== undefined) out.stateDir = o.stateDir;
  return out;
}
