// Builds the dependency graph a deps kind needs for this run: re-scans the
// imports only of files whose content changed (the rest come from the
// manifest's import cache), resolves every import against the tree as it is
// now, and hands the plan each job's dependencies with their identities.
import fs from 'node:fs';
import path from 'node:path';
import { resolveExecutable } from '../config/executable.js';
import { canonicalJson } from '../hash.js';
import { DepsError } from '../errors.js';
import type { FileEntry } from '../manifest/index.js';
import { hashString } from '../hash.js';
import type { JobDeps } from '../plan/index.js';
import type { RelPath } from '../types.js';
import { DepGraph, type DirectDeps } from './graph.js';
import { type PythonFileImports, type PythonResolver, resolvePythonImport, scanPythonImports } from './python.js';

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
  signal?: AbortSignal;
}): Promise<PythonGraph> {
  const { sourceTree, files } = opts;
  const python = resolveExecutable('python3', opts.env.PATH, sourceTree);
  if (python === null) {
    throw new DepsError(`"deps": "python" needs python3 on the tools' PATH (${opts.env.PATH ?? 'unset'}); install Python 3, or put its directory on PATH through "env" or "passEnv"`);
  }
  const key = hashString(canonicalJson({ python, env: opts.env }));
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
      scan = await scanPythonImports({ python: python.path, env: opts.env, sourceTree, files: stale, signal: opts.signal });
    } catch (err) {
      throw new DepsError(`cannot read python imports with ${python.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
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
  const kinds = new Map<string, 'file' | 'dir' | null>();
  const exists = (abs: string): 'file' | 'dir' | null => {
    let k = kinds.get(abs);
    if (k === undefined) {
      let st: fs.Stats | undefined;
      try {
        st = fs.statSync(abs, { throwIfNoEntry: false });
      } catch {
        st = undefined; // ENOTDIR: a path below a file
      }
      k = st === undefined ? null : st.isDirectory() ? 'dir' : 'file';
      kinds.set(abs, k);
    }
    return k;
  };
  const base: Omit<PythonResolver, 'searchPath'> = {
    sourceTree, extensionSuffixes: cache.extensionSuffixes, builtins: new Set(cache.builtins),
    isTracked: (rel) => files.has(rel), exists,
  };
  const direct = new Map<RelPath, DirectDeps>();
  const errors = new Map<RelPath, string>();
  for (const p of pyFiles) {
    const found = cache.files.get(p)?.found;
    if (found === undefined) continue;
    if (found.error !== null) errors.set(p, found.error);
    // `python3 -m` searches the source tree first, `python3 file.py` the file's own directory:
    // resolve both ways and keep the union, so no way of running it misses a dependency.
    const searchPaths = [
      [sourceTree, ...cache.sysPath],
      [path.join(sourceTree, path.dirname(p)), ...cache.sysPath],
    ];
    const filesOut = new Set<RelPath>();
    const external = new Set<string>();
    const unresolved = new Set<string>();
    for (const searchPath of searchPaths) {
      for (const imp of found.imports) {
        for (const dep of resolvePythonImport(imp, p, { ...base, searchPath })) {
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

/** A job's dependencies from a graph: tracked files by digest, others by size and mtime, unresolved names. */
export function jobDepsFrom(graph: DepGraph, path: RelPath, files: ReadonlyMap<RelPath, FileEntry>, externalId: (abs: string) => string): JobDeps {
  const c = graph.closure(path);
  const entries: [string, string][] = [];
  for (const f of c.files) if (f !== path) entries.push([f, files.get(f)?.digest ?? 'missing']);
  for (const e of c.external) entries.push([e, externalId(e)]);
  for (const n of c.unresolved) entries.push([`?${n}`, 'unresolved']);
  return {
    digest: digestEntries(entries),
    entries,
    via: (dep) => graph.chain(path, dep.startsWith('?') ? dep.slice(1) : dep),
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
