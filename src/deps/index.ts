// Public surface of deps/: dependency inference per tool's "deps" kind.
export { DepGraph, type Closure } from './graph.js';
export { UNREADABLE_IMPORTS, type DirectDeps } from './direct-deps.js';
export { parseDepfile } from './depfile.js';
export { parseJsonc } from './javascript-resolve.js';
export { decodeJsCache, encodeJsCache, inferJavaScript } from './javascript-graph.js';
export { GraphCache, type GraphSnapshots } from './graph-cache.js';
export { RecordingFs, consultedUnchanged, type Consulted } from './consulted.js';
export { identifyPaths, recordedDeps, type Identify } from './dynamic.js';
export { parseTrace, traceArgs } from './trace.js';
export {
  decodeImportCache,
  encodeImportCache,
  inferPython,
  type ImportCache,
  type PythonGraph,
} from './python-graph.js';
export { externalIdentity, javascriptIdentity, jobDepsFrom } from './graph-deps.js';
export { decodeNode, type MerkleNode } from './merkle.js';
export {
  groupUnresolved,
  reachedFrom,
  specifierMatcher,
  warnedKind,
  type UnresolvedImport,
  type UnresolvedKind,
} from './unresolved-imports.js';
