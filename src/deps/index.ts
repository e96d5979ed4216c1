// Public surface of deps/: dependency inference per tool's "deps" kind.
export { DepGraph, type Closure } from './graph.js';
export { UNREADABLE_IMPORTS, isEveryRunMarker, type DirectDeps } from './direct-deps.js';
export { parseDepfile } from './depfile.js';
export { parseJsonc } from './javascript-resolve.js';
// The import readers load when a tool declares their kind: a run without
// "deps": "javascript" never loads es-module-lexer, @babel/parser or the
// resolver, one without "deps": "python" never loads the python reader (issue 15).
export const loadJavaScriptGraph = (): Promise<typeof import('./javascript-graph.js')> =>
  import('./javascript-graph.js');
export const loadPythonGraph = (): Promise<typeof import('./python-graph.js')> => import('./python-graph.js');
export { GraphCache, type GraphSnapshots, codeIdentity } from './graph-cache.js';
export { RecordingFs, consultedUnchanged, type Consulted } from './consulted.js';
export { identifyPaths, recordedDeps, type Identify } from './dynamic.js';
export { parseTrace, traceArgs } from './trace.js';
export type { ImportCache, PythonGraph } from './python-graph.js';
export { everyRunDeps, externalIdentity, javascriptIdentity, jobDepsFrom } from './graph-deps.js';
export { pytestArguments, shlexSplit, uninterpretedPytestOption } from './pytest-options.js';
export { PYTEST_CONFIG_NAMES, optionList, readPytestSection } from './pytest-config.js';
export { decodeNode, type MerkleNode } from './merkle.js';
export { snapshotPathOf, withSnapshot } from './snapshot-deps.js';
export {
  groupUnresolved,
  reachedFrom,
  specifierMatcher,
  warnedKind,
  type UnresolvedImport,
  type UnresolvedKind,
} from './unresolved-imports.js';
