// What one file depends on directly, as every deps kind's graph records it:
// tracked files, files outside the tree, names that resolve nowhere. Types
// and one marker only: the graph, its Merkle nodes and each kind's resolver
// all build on it, so it imports none of them.
import type { RelPath } from '../types.js';

export interface DirectDeps {
  /** Tracked files in the source tree. */
  files: readonly RelPath[];
  /** Absolute paths outside the source tree (the standard library, site-packages). */
  external: readonly string[];
  /** Names that resolve nowhere yet: creating one later must re-run the importer. */
  unresolved: readonly string[];
}

/**
 * An unresolved "name" for a file whose imports could not be read: it may
 * import anything, so the name's identity differs every run and whatever
 * depends on the file is never fresh.
 */
export const UNREADABLE_IMPORTS = '<imports could not be read>';

const PYTEST_CONFIG_MARKER = '<pytest configuration runner cannot use: ';

/**
 * An unresolved "name" for a job whose pytest configuration runner cannot
 * read or interpret (pytest-pythonpath.ts), saying which and why (`pytest.ini:
 * addopts has -p x`): its search path or plugins are unknown, so, like
 * UNREADABLE_IMPORTS, its identity differs every run and the job re-runs.
 */
export function unusablePytestConfig(why: string): string {
  return `${PYTEST_CONFIG_MARKER}${why}>`;
}

/**
 * An unresolved "name" for a file that sets pytest_plugins to something other
 * than literal module names: pytest imports modules runner cannot name, so,
 * like UNREADABLE_IMPORTS, the jobs that load the file re-run every time.
 */
export const UNREADABLE_PYTEST_PLUGINS = '<pytest_plugins that runner cannot read>';

/** Whether an unresolved name is one of the markers whose identity differs every run. */
export function isEveryRunMarker(name: string): boolean {
  return name === UNREADABLE_IMPORTS || name === UNREADABLE_PYTEST_PLUGINS || name.startsWith(PYTEST_CONFIG_MARKER);
}
