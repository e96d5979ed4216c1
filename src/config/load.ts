// Finds and reads the config file (the only importer of cosmiconfig, which it
// loads when a config is read), then validates it and applies CLI overrides.
// Never touches the state directory. Which directories are searched, and
// where the search stops, is discover.ts's.
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, SourceTreeError, UsageError } from '../errors.js';
import { describeKind, nonRegularKind } from '../regular-file.js';
import type { Config } from './schema.js';
import { type ParseProblem, jsonProblem, yamlProblem } from './parse-error.js';
import { JOBS_EXPECTED, isJobsCount } from './validate/check.js';
import { MAX_CONFIG_DEPTH } from './validate/depth.js';
import { validateConfig } from './validate/index.js';
import { type SearchStop, searchUpward } from './discover.js';

const MODULE = 'runner';
export const SEARCH_PLACES = [
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
  /** The found config's directory; with -c, the directory runner works from (-C DIR, else the cwd). */
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

/** Any entry by that name, a dangling or looping link included (cosmiconfig then says what it is). */
function hasEntry(file: string): boolean {
  try {
    return fs.lstatSync(file, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return true; // cannot be looked at: cosmiconfig's read says why
  }
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

type Found = { config: unknown; filepath: string; isEmpty?: boolean };

let explorerMade: Promise<{
  load: (file: string) => Promise<Found | null>;
  search: (dir: string) => Promise<Found | null>;
}> | null = null;

/** cosmiconfig, for the formats runner does not read itself (readJsonConfig); loaded on first use. */
function explorer(): NonNullable<typeof explorerMade> {
  explorerMade ??= import('cosmiconfig').then(({ cosmiconfig }) =>
    // An empty file is found (and said to be empty), not skipped for "no config" (a package.json without "runner" still is).
    cosmiconfig(MODULE, {
      searchPlaces: SEARCH_PLACES,
      searchStrategy: 'none',
      cache: false,
      ignoreEmptySearchPlaces: false,
      loaders: { '.json': loadJson },
    }),
  );
  return explorerMade;
}

/**
 * A JSON config (a package.json, .runnerrc.json or any *.json) read as
 * cosmiconfig 9 would read it, without loading cosmiconfig (about 10 ms of a
 * run). null where cosmiconfig finds no config (a package.json without
 * "runner", a file holding `null`): the search goes on to the next place.
 * undefined when cosmiconfig must read it: another format, an empty file, a
 * file it cannot read (its messages say why), `$import` (cosmiconfig merges).
 */
function readJsonConfig(file: string): Found | null | undefined {
  if (path.extname(file) !== '.json') return undefined;
  let content: string;
  try {
    content = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  if (content.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = loadJson(file, content);
  } catch (err) {
    throw Object.assign(err as Error, { filepath: file }); // as cosmiconfig throws a loader's error
  }
  if (path.basename(file) === 'package.json') {
    if (parsed === null) return undefined;
    parsed = (parsed as Record<string, unknown>)[MODULE] ?? null;
  }
  if (parsed === null) return null;
  if (typeof parsed === 'object' && Object.hasOwn(parsed, '$import')) return undefined;
  return { config: parsed, filepath: file };
}

/** The config cosmiconfig's search would find among `present` (in search order), when runner reads them all itself; else null. */
function searchJson(present: readonly string[]): Found | null {
  for (const file of present) {
    const found = readJsonConfig(file);
    if (found === undefined) return null;
    if (found !== null) return found;
  }
  return null;
}

export async function loadConfig(opts: {
  cwd: string;
  /** Where runner works from (-C DIR, else the cwd): the search starts there. */
  startDir: string;
  configFile?: string;
  overrides?: ConfigOverrides;
}): Promise<LoadedConfig> {
  let result: Found | null;
  let sourceTree = opts.startDir;
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
      const json = readJsonConfig(wanted);
      result = json !== undefined ? json : await (await explorer()).load(wanted);
    } else {
      const searched = await searchUpward(opts.startDir, async (dir) => {
        const present = SEARCH_PLACES.map((place) => path.join(dir, place)).filter(hasEntry);
        // Nothing there: cosmiconfig's reads are spared (a directory searched from deep below costs a stat per place).
        if (present.length === 0) return null;
        for (const file of present) refuseNonRegular(file, shown(file), 'a regular config file');
        return searchJson(present) ?? (await explorer()).search(dir);
      });
      if (searched.found === null) throw missingConfig(path.resolve(opts.startDir), searched.stop, shown);
      result = searched.found;
      sourceTree = searched.dir;
    }
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const file = wanted ?? (err as { filepath?: string }).filepath ?? opts.startDir;
    throw parseFailure(shown(file), file, err);
  }
  if (result === null) {
    // Only a package.json without "runner", given with -c.
    throw new ConfigError({
      file: shown(wanted ?? opts.startDir),
      key: '"runner"',
      problem: 'missing',
      expected: 'a "runner" key holding the config (given with -c)',
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
  return { config, file: result.filepath, displayFile, sourceTree, fileJobs: validated.jobs };
}

const CONFIG_NAMES =
  '.runnerrc (or .runnerrc.json, .yaml, .yml, .js, .cjs, .mjs), runner.config.js (.cjs, .mjs, .ts) or "runner" in package.json';

/** No config from the start directory up to where the search stopped: the message names both ends. */
function missingConfig(start: string, stop: SearchStop, shown: (f: string) => string): ConfigError {
  const where =
    stop.kind === 'filesystem-root'
      ? 'there or in a directory above it, up to the filesystem root (no .git above it: not in a git repository)'
      : stop.dir === start
        ? 'there, the repository root (it holds .git; the search goes no higher)'
        : `there or in a directory above it, up to the repository root ${shown(stop.dir)} (the first directory holding .git)`;
  return new ConfigError({
    file: shown(start),
    key: 'config',
    problem: 'missing',
    expected: `a runner config ${where}: ${CONFIG_NAMES} (\`runner config --dump\` prints a template; -c FILE names one)`,
  });
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
