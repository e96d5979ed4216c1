// The tree a run works on, as one value: where its files are, the files as
// this scan found them, the tools latched for it, and the manifest snapshots
// its dependency caches are kept under. The working tree, the staged tree and
// each watch cycle are three such values; the stages read the tree only from
// here, never from the manifest (which keeps results and snapshots).
import type { LatchedTool, ProgramIds } from '../config/index.js';
import { type Identify, externalIdentity } from '../deps/index.js';
import type { FileEntry } from '../manifest/index.js';
import { ownOutputMatcher } from '../outputs/index.js';
import { type Matcher, compileToolFilter } from '../scan/index.js';
import { JS_GRAPH, PYTHON_IMPORTS, STAGED_JS_GRAPH, STAGED_PYTHON_IMPORTS } from '../state-dir.js';
import type { RelPath } from '../types.js';

/**
 * The manifest snapshots a tree's dependency caches are kept under (names:
 * state-dir.ts); null keeps none (a temporary staged tree, a new path each
 * time). Two trees never share one: the staged tree's imports resolve in the
 * staged tree, and its python interpreter runs with the staged tree's PYTHONPATH.
 * (The javascript files' own imports, JS_IMPORTS, are shared: they are kept by
 * each file's content digest, whichever tree holds it.)
 */
export interface DepsCaches {
  pythonImports: string | null;
  jsGraph: string | null;
}

export const WORKING_CACHES: DepsCaches = { pythonImports: PYTHON_IMPORTS, jsGraph: JS_GRAPH };
export const STAGED_CACHES: DepsCaches = { pythonImports: STAGED_PYTHON_IMPORTS, jsGraph: STAGED_JS_GRAPH };
export const NO_CACHES: DepsCaches = { pythonImports: null, jsGraph: null };

export interface TreeView {
  /** Where the files are read, imports resolve, declared inputs are digested, and jobs run. */
  root: string;
  /**
   * The tree's files as this scan found them; nothing that reads the view changes them. The working tree's are the
   * manifest's map, which the next scan updates in place: a view lasts one run, or one watch cycle.
   */
  files: ReadonlyMap<RelPath, FileEntry>;
  /** The tools latched for this tree, and each one's file filter (same order). */
  tools: readonly LatchedTool[];
  filters: readonly Matcher[];
  caches: DepsCaches;
}

export function treeView(
  root: string,
  files: ReadonlyMap<RelPath, FileEntry>,
  tools: readonly LatchedTool[],
  caches: DepsCaches,
): TreeView {
  return {
    root,
    files,
    tools,
    filters: tools.map((t) => toolFilter(t, files)),
    caches,
  };
}

/** The files a tool takes: its include, less its exclude, less its own outputs (outputs/patterns.ts). */
function toolFilter(t: LatchedTool, files: ReadonlyMap<RelPath, FileEntry>): Matcher {
  const takes = compileToolFilter(t.config.include, t.config.exclude);
  const isOwnOutput = ownOutputMatcher(t.config.outputs, (f) => files.has(f as RelPath) && takes(f));
  return isOwnOutput === null ? takes : (rel) => takes(rel) && !isOwnOutput(rel);
}

/**
 * How recorded and reported dependencies are identified in this tree: a tracked file by its digest, any
 * other by its content, read only when its stat changed (`programs`, the session's cache).
 */
export function identifyOf(tree: TreeView, programs: ProgramIds): Identify {
  return { sourceTree: tree.root, files: tree.files, externalId: externalIdentity(programs) };
}
