// Public surface of scan/: matching, the walk, the targeted update, digests, the watcher.
export {
  compileGlobs,
  compileSpec,
  compileTemplate,
  compileToolFilter,
  globBase,
  type CompiledSpec,
  type Matcher,
  type WalkSpec,
} from './match.js';
export { updatePaths } from './update.js';
export { type StoredTree, type TreeCheck, checkStoredTree } from './settled.js';
export {
  scanTree,
  type PriorState,
  type ScanIssue,
  type ScanIssueKind,
  type ScanResult,
  isReadProblem,
} from './walk.js';
export { digestFile } from './digest.js';
export { type IgnoreBase, type IgnoreHome, IGNORE_FILE, loadIgnoreBase } from './ignore-files.js';
export { askWatchman, findWatchman, type WatchAsk, type WatchOutcome } from './watchman.js';
export {
  type WatchDecision,
  type WatchState,
  decodeWatchState,
  decideFromQuery,
  encodeWatchState,
} from './watchman-answer.js';
export { TreeWatcher, depfileMatcher, watchFilter, type WatchBatch } from './watch.js';
