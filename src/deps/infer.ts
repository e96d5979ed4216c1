// Builds the dependency graph a deps kind needs for this run: re-scans the
// imports only of files whose content changed (the rest come from the
// manifest's import cache), resolves every import against the tree as it is
// now, and hands the plan each job's dependencies with their identities.
import fs from 'node:fs';
import path from 'node:path';
import { findExecutable, identifyProgram } from '../config/executable.js';
import { ProgramIds } from '../config/program-ids.js';
import { canonicalJson } from '../hash.js';
import { DepsError } from '../errors.js';
import type { FileEntry } from '../manifest/index.js';
import { hashString } from '../hash.js';
import type { JobDeps } from '../plan/index.js';
import type { RelPath } from '../types.js';
import { DepGraph, type DirectDeps, UNREADABLE_IMPORTS } from './graph.js';
import { GraphNodes, type MerkleNode } from './merkle.js';
import { TreeDiffer } from './merkle-diff.js';

/** Differs every run: the identity of imports that could not be read. */
const THIS_RUN = `run ${process.pid} ${Date.now()}`;
import { type PythonDep, type PythonFileImports, type PythonImport, type PythonResolver, resolvePythonImport, scanPythonImports } from './python.js';

type Exists = (abs: string) => 'file' | 'dir' | null;

/** Answers "is there a file or directory at abs" from one readdir per directory, not one stat per name. */
export function directoryListings(): Exists {
  const listings = new Map<string, Map<string, 'file' | 'dir'> | null>();
  const list = (dir: string): Map<string, 'file' | 'dir'> | null => {
    let l = listings.get(dir);
    if (l === undefined) {
      try {
        l = new Map();
        for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
          const isDir = e.isDirectory() || (e.isSymbolicLink() && fs.statSync(`${dir}/${e.name}`, { throwIfNoEntry: false })?.isDirectory() === true);
          l.set(e.name, isDir ? 'dir' : 'file');
        }
      } catch {
        l = null; // missing, or not a directory
      }
      listings.set(dir, l);
    }
    return l;
  };
  return (abs) => {
    const slash = abs.lastIndexOf('/');
    if (slash < 0 || slash === abs.length - 1) return null;
    return list(slash === 0 ? '/' : abs.slice(0, slash))?.get(abs.slice(slash + 1)) ?? null;
  };
}

/** Whether dir holds something an import of `top` could load: a package, a module, an extension. */
function hasTopName(exists: Exists, dir: string, top: string, suffixes: readonly string[]): boolean {
  const base = `${dir}/${top}`;
  return exists(base) !== null || exists(`${base}.py`) !== null || exists(`${base}.pyc`) !== null
    || suffixes.some((s) => exists(base + s) !== null);
}

/**
 * What one interpreter under one environment made of the tree: its search
 * path, and per file the digest its imports were read from. Valid only for
 * that interpreter and environment (a parse depends on the Python version,
 * the search path on PYTHONPATH), so a new key discards it.
 */
export interface ImportCache {
  key: string;
  sysPath: string[];
  extensionSuffixes: string[];
  builtins: string[];
  files: Map<RelPath, { digest: string; found: PythonFileImports }>;
}

export function decodeImportCache(buf: Buffer | undefined): ImportCache | null {
  if (buf === undefined) return null;
  const raw = JSON.parse(buf.toString('utf8')) as Omit<ImportCache, 'files'> & { files: [RelPath, { digest: string; found: PythonFileImports }][] };
  return { ...raw, files: new Map(raw.files) };
}

export function encodeImportCache(cache: ImportCache): Buffer {
  return Buffer.from(JSON.stringify({ ...cache, files: [...cache.files] }), 'utf8');
}

export interface PythonGraph {
  graph: DepGraph;
  /** Files whose imports could not be read: their jobs run (a parse error is the tool's to report). */
  errors: Map<RelPath, string>;
  /** The cache to keep, when it changed. */
  cache: ImportCache | null;
  /** How many files' imports were read this time (the rest came from the cache). */
  scanned: number;
  /** How many .py files the graph covers. */
  files: number;
}

/** The python graph of every tracked .py file. */
export async function inferPython(opts: {
  sourceTree: string;
  files: ReadonlyMap<RelPath, FileEntry>;
  env: Record<string, string>;
  cache: ImportCache | null;
  /** The session's program cache, so a no-op neither reads the interpreter nor asks its version manager. */
  programs?: ProgramIds;
  signal?: AbortSignal;
}): Promise<PythonGraph> {
  const { sourceTree, files } = opts;
  const found = findExecutable('python3', opts.env.PATH, sourceTree);
  if (found === null) {
    throw new DepsError(`"deps": "python" needs python3 on the tools' PATH (${opts.env.PATH ?? 'unset'}); install Python 3, or put its directory on PATH through "env" or "passEnv"`);
  }
  // The interpreter that really runs (behind a pyenv shim): its version decides the parse and sys.path.
  const interpreter = identifyProgram('python3', found, opts.env, sourceTree, opts.programs ?? new ProgramIds());
  const python = interpreter.where.program;
  const key = hashString(canonicalJson({ python, digest: interpreter.digest, env: opts.env }));
  const known = opts.cache !== null && opts.cache.key === key ? opts.cache : null;
  const cache: ImportCache = known ?? { key, sysPath: [], extensionSuffixes: [], builtins: [], files: new Map() };
  const pyFiles = [...files.keys()].filter((p) => p.endsWith('.py'));
  const stale = pyFiles.filter((p) => cache.files.get(p)?.digest !== files.get(p)!.digest);
  let changed = known === null || stale.length > 0;
  const scanned = stale.length;
  if (changed) {
    // One interpreter for every file that changed; it also reports sys.path as the tools see it.
    let scan;
    try {
      scan = await scanPythonImports({ python, env: opts.env, sourceTree, files: stale, signal: opts.signal });
    } catch (err) {
      throw new DepsError(`cannot read python imports with ${python}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    cache.sysPath = scan.sysPath;
    cache.extensionSuffixes = scan.extensionSuffixes;
    cache.builtins = scan.builtins;
    for (const [p, found] of scan.files) cache.files.set(p, { digest: files.get(p)!.digest, found });
  }
  for (const p of cache.files.keys()) {
    if (!files.has(p)) {
      cache.files.delete(p);
      changed = true;
    }
  }
  const exists = directoryListings();
  const base: Omit<PythonResolver, 'searchPath'> = {
    sourceTree, extensionSuffixes: cache.extensionSuffixes, builtins: new Set(cache.builtins),
    isTracked: (rel) => files.has(rel), exists,
  };
  const direct = new Map<RelPath, DirectDeps>();
  const errors = new Map<RelPath, string>();
  const fromTree = { ...base, searchPath: [sourceTree, ...cache.sysPath] };
  const fromSysPath = { ...base, searchPath: cache.sysPath };
  // An absolute import resolves alike from every file: remember each answer.
  const memo = new Map<string, PythonDep[]>();
  const resolve = (imp: PythonImport, from: RelPath, r: PythonResolver, key: string | null): PythonDep[] => {
    if (key === null) return resolvePythonImport(imp, from, r);
    let deps = memo.get(key);
    if (deps === undefined) memo.set(key, (deps = resolvePythonImport(imp, from, r)));
    return deps;
  };
  for (const p of pyFiles) {
    const found = cache.files.get(p)?.found;
    if (found === undefined) continue;
    if (found.error !== null) errors.set(p, found.error);
    const fileDir = path.join(sourceTree, path.dirname(p));
    const filesOut = new Set<RelPath>();
    const external = new Set<string>();
    const unresolved = new Set<string>();
    for (const imp of found.imports) {
      const absolute = imp.level === 0;
      const name = `${imp.module}\0${imp.names.join(',')}`;
      // `python3 -m` searches the source tree first, `python3 file.py` the file's own directory:
      // resolve both ways and keep the union, so no way of running it misses a dependency.
      // The second way differs from the sys.path alone only when the file's directory holds the top name.
      const top = imp.module.split('.')[0]!;
      const nearby = absolute && top !== '' && fileDir !== sourceTree && hasTopName(exists, fileDir, top, base.extensionSuffixes);
      const ways: [PythonResolver, string | null][] = [
        [fromTree, absolute ? `t\0${name}` : null],
        nearby ? [{ ...base, searchPath: [fileDir, ...cache.sysPath] }, null] : [fromSysPath, absolute ? `s\0${name}` : null],
      ];
      for (const [r, key] of ways) {
        for (const dep of resolve(imp, p, r, key)) {
          if (dep.kind === 'file') {
            if (dep.path !== p) filesOut.add(dep.path);
          } else if (dep.kind === 'external') external.add(dep.path);
          else unresolved.add(dep.name);
        }
      }
    }
    direct.set(p, { files: [...filesOut], external: [...external], unresolved: [...unresolved] });
  }
  return { graph: new DepGraph(direct), errors, cache: changed ? cache : null, scanned, files: pyFiles.length };
}

/** Per graph (one per plan): today's nodes, and the differ that shares node pairs between its jobs. */
const graphNodes = new WeakMap<DepGraph, { nodes: GraphNodes; differ: TreeDiffer }>();

/**
 * A job's dependencies from a graph, as the graph's deep hash (tracked files
 * by digest, others by size and mtime, unresolved names), and, for explain,
 * what differs by content from the tree a result recorded: `kept` looks up
 * the graph nodes stored with results (merkle.ts).
 */
export function jobDepsFrom(
  graph: DepGraph, path: RelPath, files: ReadonlyMap<RelPath, FileEntry>, externalId: (abs: string) => string,
  kept: (hash: string) => MerkleNode | undefined = () => undefined,
): JobDeps {
  const identity = (dep: string, tracked: boolean): string =>
    tracked ? files.get(dep as RelPath)?.digest ?? 'missing' : dep === UNREADABLE_IMPORTS ? THIS_RUN : externalId(dep);
  // Built only when a job runs or is explained, and shared by the graph's jobs: identities are the plan's.
  const shared = (): { nodes: GraphNodes; differ: TreeDiffer } => {
    let g = graphNodes.get(graph);
    if (g === undefined) {
      const nodes = new GraphNodes(graph, identity);
      graphNodes.set(graph, (g = { nodes, differ: new TreeDiffer(kept, (h) => nodes.node(h)) }));
    }
    return g;
  };
  return {
    digest: graph.deepHash(path, identity),
    entries: [],
    via: (dep) => graph.chain(path, dep),
    changesFrom: (before) => {
      const { nodes, differ } = shared();
      const changes = differ.diff(before, nodes.hashAt(path));
      return changes === null ? null : changes.filter((c) => c.path !== path); // the file itself: a content reason
    },
    nodesToKeep: (isKept) => shared().nodes.unkept(path, isKept),
  };
}

/** Sorts [path, identity] pairs in place and hashes them: the same at record time and at plan time. */
export function digestEntries(entries: [string, string][]): string {
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return hashString(entries.map((e) => `${e[0]}\0${e[1]}`).join('\n'));
}

/** Size and mtime of a file outside the tree: a cheap identity, so upgrading a package re-runs its users. */
export function externalIdentity(): (abs: string) => string {
  const seen = new Map<string, string>();
  return (abs) => {
    let id = seen.get(abs);
    if (id === undefined) {
      const st = fs.statSync(abs, { throwIfNoEntry: false });
      id = st === undefined ? 'missing' : `${st.size}:${st.mtimeMs}`;
      seen.set(abs, id);
    }
    return id;
  };
}
