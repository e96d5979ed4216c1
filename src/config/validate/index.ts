// Turns whatever the config file held into a Config, or throws a ConfigError
// naming the first thing wrong. Pure: reads no files.
import { ConfigError } from '../../errors.js';
import { type Config, DEFAULTS, TOP_LEVEL_KEYS } from '../schema.js';
import {
  type Ctx,
  checkBoolean,
  checkJobs,
  checkNonEmptyString,
  fail,
  isPlainObject,
  rejectUnknownKeys,
} from './check.js';
import { checkDepth } from './depth.js';
import { checkEnv, checkPassEnv } from './env.js';
import { checkGlobs, checkRelPaths, checkSpecifierGlobs } from './globs.js';
import { checkRemoteCache } from './remote-cache.js';
import { checkTools } from './tools.js';

export function validateConfig(raw: unknown, file: string): Config {
  const ctx: Ctx = { file };
  checkDepth(ctx, raw);
  if (!isPlainObject(raw)) fail(ctx, '(top level)', raw, 'an object with a "tools" array');
  rejectUnknownKeys(ctx, raw, TOP_LEVEL_KEYS, '');
  const config: Config = { ...DEFAULTS, tools: [] };
  if (raw.$schema !== undefined) checkNonEmptyString(ctx, '$schema', raw.$schema, 'the path or URL of a JSON Schema');
  if (raw.include !== undefined) config.include = checkGlobs(ctx, 'include', raw.include);
  if (raw.exclude !== undefined) config.exclude = checkGlobs(ctx, 'exclude', raw.exclude);
  // null is each nullable key's default, as `runner config --dump` prints it.
  if (raw.whitelist !== undefined && raw.whitelist !== null) {
    config.whitelist =
      typeof raw.whitelist === 'string'
        ? checkRelPaths(ctx, 'whitelist', [raw.whitelist])[0]!
        : checkRelPaths(ctx, 'whitelist', raw.whitelist);
  }
  if (raw.gitignore !== undefined) config.gitignore = checkBoolean(ctx, 'gitignore', raw.gitignore);
  if (raw.watchman !== undefined) config.watchman = checkBoolean(ctx, 'watchman', raw.watchman);
  if (raw.stateDir !== undefined)
    config.stateDir = checkNonEmptyString(ctx, 'stateDir', raw.stateDir, 'a directory path, e.g. ".runner"');
  if (raw.env !== undefined) config.env = checkEnv(ctx, raw.env);
  if (raw.passEnv !== undefined) config.passEnv = checkPassEnv(ctx, raw.passEnv, config.env);
  if (raw.passThroughEnv !== undefined)
    config.passThroughEnv = checkPassEnv(ctx, raw.passThroughEnv, config.env, 'passThroughEnv');
  // A default name the config's env sets itself is the env's.
  else config.passThroughEnv = config.passThroughEnv.filter((name) => !Object.hasOwn(config.env, name));
  if (raw.mergeEnv !== undefined) config.mergeEnv = checkBoolean(ctx, 'mergeEnv', raw.mergeEnv);
  if (raw.addSourceTreeToPythonPath !== undefined) {
    config.addSourceTreeToPythonPath = checkBoolean(ctx, 'addSourceTreeToPythonPath', raw.addSourceTreeToPythonPath);
  }
  if (raw.jobs !== undefined && raw.jobs !== null) config.jobs = checkJobs(ctx, 'jobs', raw.jobs);
  if (raw.failFast !== undefined) config.failFast = checkBoolean(ctx, 'failFast', raw.failFast);
  if (raw.mergedLog !== undefined && raw.mergedLog !== null)
    config.mergedLog = checkNonEmptyString(ctx, 'mergedLog', raw.mergedLog, 'a file path');
  if (raw.quiet !== undefined) config.quiet = checkBoolean(ctx, 'quiet', raw.quiet);
  if (raw.ignoreUnresolved !== undefined)
    config.ignoreUnresolved = checkSpecifierGlobs(ctx, 'ignoreUnresolved', raw.ignoreUnresolved);
  if (raw.remoteCache !== undefined && raw.remoteCache !== null)
    config.remoteCache = checkRemoteCache(ctx, raw.remoteCache);
  if (raw.tools === undefined) {
    throw new ConfigError({
      file,
      key: 'tools',
      problem: 'missing',
      expected: 'a non-empty array of tools, e.g. [{"name": "lint", "command": ["flake8", "{file}"]}]',
    });
  }
  config.tools = checkTools(ctx, raw.tools);
  return config;
}
