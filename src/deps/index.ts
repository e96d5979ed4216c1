// Public surface of deps/: dependency inference per tool's "deps" kind.
export { DepGraph, type DirectDeps, type Closure } from './graph.js';
export { decodeImportCache, encodeImportCache, externalIdentity, inferPython, jobDepsFrom, type ImportCache, type PythonGraph } from './infer.js';
