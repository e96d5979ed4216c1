// Public surface of config/: loading, validation, the latch.
export {
  loadConfig,
  resolveSourceTree,
  displayPath,
  SEARCH_PLACES,
  type LoadedConfig,
  type ConfigOverrides,
} from './load.js';
export { PACKAGE_NAME, SCHEMA_FILE, SCHEMA_REF } from './schema-file.js';
export { holdsGit } from './discover.js';
export { validateConfig } from './validate/index.js';
export {
  latchTools,
  askShimsAhead,
  findPrograms,
  latchFound,
  toolsAhead,
  AHEAD_LATCH_ID,
  latchIdOf,
  withInputs,
  buildToolEnvironment,
  NEVER_LATCHED,
  SOURCE_TREE_TOKEN,
  type LatchedTool,
} from './latch.js';
export { findExecutable, identifyProgram } from './executable.js';
export type { ExecutableIdentity, ExecutableWhere, ToolLatch } from '../tool-latch.js';
export { ProgramIds } from './program-ids.js';
export { InputCache } from './input-cache.js';
export { runsTestRunner, snapshotLayout, testRunnerInputs } from './test-runner-inputs.js';
export type { InputScope } from './inputs.js';
export { isGlobPattern } from './validate/globs.js';
export {
  documentedDefault,
  mostAtOnce,
  DEFAULTS,
  type Config,
  type ToolConfig,
  type DepsKind,
  type RemoteCacheConfig,
} from './schema.js';
export { checkUrl } from './validate/remote-cache.js';
export { MAX_JOBS, JOBS_EXPECTED, isJobsCount } from './validate/check.js';
export { secretLikeNames, secretWarning } from './secrets.js';
export { batchArgBudget, type ArgBudget } from './spawn-limits.js';
