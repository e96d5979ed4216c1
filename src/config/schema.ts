// The resolved config's shape and its documented defaults. Pure data: no I/O.

export type DepsKind = 'none' | 'python' | 'javascript' | 'depfile' | 'trace';

export interface ToolConfig {
  name: string;
  /** argv (no shell) or a string run by `sh -c`; `{file}` (one file) or `{files}` (a batch tool: many) is substituted. */
  command: string | string[];
  include: string[];
  exclude: string[];
  /** Files outside the job's own file that change its result (e.g. `.flake8`). */
  inputs: string[];
  deps: DepsKind;
  depfile: string | null;
  /** Seconds; null means no limit. */
  timeout: number | null;
  pty: boolean;
  /** A batch tool's most files in one process; null: no limit but the argument-length one. */
  maxFiles: number | null;
  /**
   * The most processes that narrow one failed chunk of a batch tool (0: none,
   * its files fail unjudged and run again next time); null: the default,
   * narrowingBudget (api/narrowing.ts), 2 (ceil(log2 files) + 2).
   */
  narrowing: number | null;
  /** Its processes never run two at once (pre-commit's require_serial): `jobs` 1. Never with `jobs`. */
  serial: boolean;
  /** The most of its processes at once; null: as many as the tokens allow. */
  jobs: number | null;
  /** Variables laid over the top-level environment for this tool only, latched in its latch alone. */
  env: Record<string, string | string[]>;
  /**
   * A batch tool's failure pattern: a regular expression whose `file` group
   * names a failing file in the output of a process that failed; null: a
   * failed process is narrowed by running parts of it again.
   */
  failurePattern: string | null;
  /**
   * Files the tool writes, as globs relative to the source tree (`{file}`
   * substituted): captured after a job passes, restored on a hit.
   */
  outputs: string[];
}

export interface Config {
  include: string[];
  exclude: string[];
  /** Paths to track, or the path of a file listing one path per line; null: no whitelist. */
  whitelist: string[] | string | null;
  /** Whether the walk leaves out what git ignores (.gitignore files, .git/info/exclude, the user's excludes file). */
  gitignore: boolean;
  /** Whether a scan may ask watchman what changed instead of walking (README, "With watchman"); RUNNER_WATCHMAN wins. */
  watchman: boolean;
  stateDir: string;
  env: Record<string, string | string[]>;
  /** Taken from the caller and latched (as hashes): a change in one re-runs the jobs. */
  passEnv: string[];
  /** Taken from the caller and not latched: they locate things (programs, the home directory), and what they locate is latched itself. */
  passThroughEnv: string[];
  mergeEnv: boolean;
  addSourceTreeToPythonPath: boolean;
  /** null: the CPU count. */
  jobs: number | null;
  failFast: boolean;
  mergedLog: string | null;
  quiet: boolean;
  /**
   * Import specifiers (globs, `*` any characters) that `"deps": "javascript"`
   * may leave unresolved without a warning; they change no fingerprint.
   */
  ignoreUnresolved: string[];
  /** A shared result cache over the Turborepo Remote Cache API (README, "Remote cache"); absent: none. */
  remoteCache?: RemoteCacheConfig;
  tools: ToolConfig[];
}

/**
 * Where the remote cache is and how to use it. The token and the signature key are never here:
 * only the names of files holding them (or RUNNER_REMOTE_CACHE_TOKEN / _SIGNATURE_KEY), so a
 * config that is committed, printed or latched never carries a secret.
 */
export interface RemoteCacheConfig {
  /** The server's base URL (http or https), the API's /v8/artifacts below it. */
  url: string | null;
  /** The `teamId` every request names (the server keeps each team's artifacts apart). */
  team: string | null;
  /** Look up, never upload: for untrusted CI such as forks' pull requests. */
  readOnly: boolean;
  /** A file holding the bearer token, relative to the config's directory. */
  tokenFile: string | null;
  /** A file holding the key that signs and verifies artifacts (x-artifact-tag), relative to the config's directory. */
  signatureKeyFile: string | null;
}

export const REMOTE_CACHE_KEYS = ['url', 'team', 'readOnly', 'tokenFile', 'signatureKeyFile'] as const;

export const TOP_LEVEL_KEYS = [
  'include',
  'exclude',
  'whitelist',
  'gitignore',
  'watchman',
  'stateDir',
  'env',
  'passEnv',
  'passThroughEnv',
  'mergeEnv',
  'addSourceTreeToPythonPath',
  'jobs',
  'failFast',
  'mergedLog',
  'quiet',
  'ignoreUnresolved',
  'remoteCache',
  'tools',
  // Read by editors only (the JSON Schema of this file, schema/config.schema.json): no meaning to runner.
  '$schema',
] as const;

export const TOOL_KEYS = [
  'name',
  'command',
  'include',
  'exclude',
  'inputs',
  'deps',
  'depfile',
  'timeout',
  'pty',
  'maxFiles',
  'narrowing',
  'serial',
  'jobs',
  'env',
  'failurePattern',
  'outputs',
] as const;

export const DEFAULT_EXCLUDE = ['**/node_modules/**', '**/.git/**', '**/__pycache__/**'];

/** Defaults for every top-level key but `tools`, which has none. */
export const DEFAULTS: Omit<Config, 'tools'> = {
  include: ['**/*'],
  exclude: DEFAULT_EXCLUDE,
  whitelist: null,
  gitignore: true,
  watchman: true,
  stateDir: '.runner',
  env: {},
  passEnv: [],
  passThroughEnv: ['PATH', 'HOME'],
  mergeEnv: false,
  addSourceTreeToPythonPath: false,
  jobs: null,
  failFast: false,
  mergedLog: null,
  quiet: false,
  ignoreUnresolved: [],
};

export const TOOL_DEFAULTS: Omit<ToolConfig, 'name' | 'command'> = {
  include: ['**/*'],
  exclude: [],
  inputs: [],
  deps: 'none',
  depfile: null,
  timeout: null,
  pty: false,
  maxFiles: null,
  narrowing: null,
  serial: false,
  jobs: null,
  env: {},
  failurePattern: null,
  outputs: [],
};

/** The most processes of `tool` the build runs at once; null: no limit of its own. */
export function mostAtOnce(tool: Pick<ToolConfig, 'serial' | 'jobs'>): number | null {
  return tool.serial ? 1 : tool.jobs;
}

/** What `runner config --dump` prints: every default, and one example tool. */
export function documentedDefault(): Config {
  return {
    ...DEFAULTS,
    tools: [{ ...TOOL_DEFAULTS, name: 'example', command: ['echo', '{file}'] }],
  };
}
