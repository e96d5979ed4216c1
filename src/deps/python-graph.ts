// The python graph: re-scans the imports only of files whose content changed
// (the rest come from the manifest's import cache), resolves every import
// against the tree as it is now (or keeps the last run's graph when nothing it
// was built from changed), and identifies each dependency for the plan.
import fs from 'node:fs';
import path from 'node:path';
import { findExecutable, identifyProgram } from '../config/executable.js';
import { ProgramIds } from '../config/program-ids.js';
import { canonicalJson } from '../hash.js';
import { DepsError } from '../errors.js';
import type { FileEntry } from '../manifest/index.js';
import { hashString } from '../hash.js';
import type { RelPath } from '../types.js';
import { type DirectDeps, isEveryRunMarker, unusablePytestConfig } from './direct-deps.js';
import { DepGraph } from './graph.js';
import { codeIdentity } from './graph-cache.js';
import { type Identity, THIS_RUN, contentIdentity } from './graph-deps.js';
import { type FollowedFile, type ImportCache, decodeImportCache } from './python-cache.js';
import { followOutside } from './python-follow.js';
import { fileResolver } from './python-file-deps.js';
import { type PytestPythonpath, pytestPythonpath } from './pytest-pythonpath.js';
import { type Digests, encodeResolved, treeKeyOf, validResolved } from './python-snapshot.js';
import {
  type Exists,
  type PythonFileImports,
  type PythonResolver,
  type PythonScan,
  scanPythonImports,
} from './python.js';
import { type SeenStats, listKinds, listingIdentity, statIdentity } from './stat-identity.js';

export { type ImportCache, decodeImportCache, encodeImportCache } from './python-cache.js';

/**
 * Answers "is there a file or directory at abs" from one readdir per directory, not one stat per name.
 * With `seen`, records each directory's stat identity, taken before it is listed (and each symlinked
 * entry's), so that a later run can prove the answers unchanged.
 */
export function directoryListings(seen?: SeenStats): Exists {
  const listings = new Map<string, Map<string, 'file' | 'dir'> | null>();
  const list = (dir: string): Map<string, 'file' | 'dir'> | null => {
    let l = listings.get(dir);
    if (l === undefined) {
      const stat = seen === undefined ? undefined : statIdentity(dir, Date.now());
      l = listKinds(dir, (abs) => {
        const target = statIdentity(abs, Date.now());
        seen?.set(abs, target);
        return target.id.startsWith('d:');
      });
      if (seen !== undefined) seen.set(dir, listingIdentity(stat!, l));
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

export interface PythonGraph {
  graph: DepGraph;
  /** Each tracked .py file's dependency digest (what the job's fingerprint holds). */
  digests: Digests;
  /** How those digests identify each dependency (explain's graph nodes use it too). */
  identity: Identity;
  /** Files whose imports could not be read: their jobs run (a parse error is the tool's to report). */
  errors: Map<RelPath, string>;
  /** The import cache to keep, when it changed. */
  cache: ImportCache | null;
  /** The resolved graph to keep for the next run (empty: drop the kept one), or null: keep what is kept. */
  resolved: Buffer | null;
  /** How many files' imports were read this time (the rest came from the caches). */
  scanned: number;
  /** How many .py files the graph covers. */
  files: number;
  /** Whether the last run's resolved graph was kept (nothing it was built from changed). */
  kept: boolean;
}

/** The stored import cache: given, or read when first needed. */
const cacheOf = (c: Buffer | undefined | (() => Buffer | undefined)): Buffer | undefined =>
  typeof c === 'function' ? c() : c;

/**
 * The python graph of every tracked .py file and of every file outside the
 * tracked set its imports reach (followed transitively; see python-follow.ts).
 * A run in which nothing it was built from changed takes the graph and
 * digests the last run kept (python-snapshot.ts), reading and resolving nothing.
 */
export async function inferPython(opts: {
  sourceTree: string;
  files: ReadonlyMap<RelPath, FileEntry>;
  env: Record<string, string>;
  /** The stored import cache (read only when needed: MBs at 10,000 files) and resolved graph (manifest blobs). */
  cache: Buffer | undefined | (() => Buffer | undefined);
  resolved?: Buffer | undefined;
  /** The session's program cache, so a no-op neither reads the interpreter nor asks its version manager. */
  programs?: ProgramIds;
  signal?: AbortSignal;
}): Promise<PythonGraph> {
  const { sourceTree, files } = opts;
  const found = findExecutable('python3', opts.env.PATH, sourceTree);
  if (found === null) {
    throw new DepsError(
      `"deps": "python" needs python3 on the tools' PATH (${opts.env.PATH ?? 'unset'}); install Python 3, or put its directory on PATH through "env" or "passEnv"`,
    );
  }
  // The session's stat cache of content digests: the interpreter's, and the leaves' (pythonIdentity).
  const programs = opts.programs ?? new ProgramIds();
  // The interpreter that really runs (behind a pyenv shim): its version decides the parse and sys.path.
  const interpreter = identifyProgram('python3', found, opts.env, sourceTree, programs);
  const python = interpreter.where.program;
  // PATH only located the interpreter, which is identified above; it passes through unlatched.
  const { PATH: _path, ...keyEnv } = opts.env;
  // The tree's own path too: the kept graph and followed files are absolute paths into it.
  const key = hashString(
    canonicalJson({ python, digest: interpreter.digest, env: keyEnv, sourceTree, code: codeIdentity() }),
  );
  const startedMs = Date.now();
  // Files outside the tracked set are hashed by names another checkout gives them too (portable-path.ts).
  const roots = { sourceTree, home: opts.env.HOME };
  const pyFiles = [...files.keys()].filter((p) => p.endsWith('.py'));
  const kept = validResolved(opts.resolved, key, files, startedMs);
  if (kept !== null) {
    // The followed files' digests are needed only when a job runs or is explained (its graph nodes).
    let followedDigests: ReadonlyMap<string, FollowedFile> | undefined;
    const followedOf = (abs: string): string | undefined =>
      (followedDigests ??= decodeImportCache(cacheOf(opts.cache))?.followed ?? new Map()).get(abs)?.digest ?? undefined;
    const identity = pythonIdentity(files, followedOf, new Map(), startedMs, programs);
    return {
      graph: new DepGraph(kept.direct, roots),
      digests: kept.digests,
      identity,
      errors: new Map(),
      cache: null,
      resolved: kept.settled === undefined ? null : encodeResolved({ ...kept, checks: kept.settled }, files),
      scanned: 0,
      files: pyFiles.length,
      kept: true,
    };
  }
  const known = decodeImportCache(cacheOf(opts.cache));
  const cache: ImportCache =
    known !== null && known.key === key
      ? known
      : {
          key,
          sysPath: [],
          extensionSuffixes: [],
          builtins: [],
          stdlib: [],
          siteDirs: [],
          siteFiles: [],
          files: new Map(),
          followed: new Map(),
        };
  let changed = cache !== known;
  const stale = pyFiles.filter((p) => cache.files.get(p)?.digest !== files.get(p)!.digest);
  // sys.path is made at start-up, also from .pth files (editable installs): when they change, ask again.
  const siteChanged = cache.siteFiles.some(([p, id]) => statIdentity(p, startedMs).id !== id);
  let scanned = 0;
  const read = async (list: readonly string[]): Promise<Map<RelPath, PythonFileImports>> => {
    const scan = await readImports(python, opts.env, sourceTree, list as RelPath[], opts.signal);
    Object.assign(cache, {
      sysPath: scan.sysPath,
      extensionSuffixes: scan.extensionSuffixes,
      builtins: scan.builtins,
      stdlib: scan.stdlib,
      siteDirs: scan.siteDirs,
    });
    cache.siteFiles = [...new Set([...scan.siteDirs, ...scan.siteFiles])].map((p) => {
      const st = statIdentity(p, Date.now());
      return [p, st.racy ? '?' : st.id];
    });
    scanned += list.length;
    changed = true;
    return scan.files;
  };
  if (changed || stale.length > 0 || siteChanged) {
    for (const [p, found] of await read(stale)) cache.files.set(p, { digest: files.get(p)!.digest, found });
  }
  for (const p of cache.files.keys()) {
    if (!files.has(p)) {
      cache.files.delete(p);
      changed = true;
    }
  }
  const seen: SeenStats = new Map();
  const exists = directoryListings(seen);
  const base: Omit<PythonResolver, 'searchPath'> = {
    sourceTree,
    extensionSuffixes: cache.extensionSuffixes,
    builtins: new Set(cache.builtins),
    isTracked: (rel) => files.has(rel),
    exists,
    isSearchDir: (d) => {
      let st = seen.get(d);
      if (st === undefined) seen.set(d, (st = statIdentity(d, startedMs)));
      // A directory listed already has its listing's identity: `d:…|HASH`, or `L:HASH` when its times were recent.
      return st.id.startsWith('d:') || st.id.startsWith('L:');
    },
  };
  const pytest = pytestConfigs(sourceTree, pyFiles, exists, seen, startedMs);
  const resolveFile = fileResolver(base, cache.sysPath, pytest.fronts);
  const direct = new Map<RelPath, DirectDeps>();
  const errors = new Map<RelPath, string>();
  for (const p of pyFiles) {
    const found = cache.files.get(p)?.found;
    if (found === undefined) continue;
    if (found.error !== null) errors.set(p, found.error);
    const d = resolveFile(p, found, true);
    const why = pytest.uncertain.get(path.join(sourceTree, path.dirname(p)));
    // The configuration named from the tree's root, as explain names files.
    const named = why?.startsWith(sourceTree + '/') ? why.slice(sourceTree.length + 1) : why;
    direct.set(p, named !== undefined ? { ...d, unresolved: [...d.unresolved, unusablePytestConfig(named)] } : d);
  }
  const followed = await followOutside({ direct, cache, startedMs, seen, resolveFile, read: (list) => read(list) });
  if (followed.changed) changed = true;
  const graph = new DepGraph(direct, roots);
  const identity = pythonIdentity(
    files,
    (abs) => cache.followed.get(abs)?.digest ?? undefined,
    seen,
    startedMs,
    programs,
  );
  const digests = new Map<RelPath, string>();
  for (const p of pyFiles) if (graph.covers(p)) digests.set(p, graph.deepHash(p, identity));
  const unreadable = [...direct.values()].some((d) => d.unresolved.some(isEveryRunMarker));
  const racy = unreadable || [...seen.values()].some((s) => s.racy) || cache.siteFiles.some(([, id]) => id === '?');
  const checks = [...seen].map(([p, s]): [string, string] => [p, s.id]).concat(cache.siteFiles);
  const resolved = racy
    ? opts.resolved === undefined || opts.resolved.length === 0
      ? null
      : Buffer.alloc(0)
    : encodeResolved({ key, tree: treeKeyOf(files), direct, digests, checks }, files);
  return {
    graph,
    digests,
    identity,
    errors,
    cache: changed ? cache : null,
    resolved,
    scanned,
    files: pyFiles.length,
    kept: false,
  };
}

/**
 * pytest's `pythonpath` for the tree's python files (pytest-pythonpath.ts),
 * each configuration file found or read made an input of the graph: below the
 * source tree through the directory listings (whose stats are kept), above it
 * by a stat of each name pytest looks for, and each file read by its own stat.
 */
function pytestConfigs(
  sourceTree: string,
  pyFiles: readonly RelPath[],
  exists: Exists,
  seen: SeenStats,
  startedMs: number,
): PytestPythonpath {
  const stat = (abs: string): string => {
    let st = seen.get(abs);
    if (st === undefined) seen.set(abs, (st = statIdentity(abs, startedMs)));
    return st.id;
  };
  const dirs = new Set(pyFiles.map((p) => path.join(sourceTree, path.dirname(p))));
  return pytestPythonpath(dirs, {
    isFile: (abs) => (abs.startsWith(sourceTree + '/') ? exists(abs) === 'file' : stat(abs).startsWith('f:')),
    readText: (abs) => {
      stat(abs);
      try {
        return fs.readFileSync(abs, 'utf8');
      } catch {
        return null;
      }
    },
  });
}

async function readImports(
  python: string,
  env: Record<string, string>,
  sourceTree: string,
  list: RelPath[],
  signal?: AbortSignal,
): Promise<PythonScan> {
  try {
    // One interpreter for every file to read; it also reports sys.path as the tools see it.
    return await scanPythonImports({ python, env, sourceTree, files: list, signal });
  } catch (err) {
    throw new DepsError(
      `cannot read python imports with ${python}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

/**
 * How the python graph identifies what a file depends on: tracked files and
 * followed files by content digest, other leaves (the standard library,
 * extension modules) by content digest too (read only when their stat
 * changed, through `programs`), so that another machine's copy of the same
 * files gives the same key (issue 16); their stat, which a later run checks
 * to keep the graph, is taken first. The interpreter, which covers what the standard library imports,
 * is in the latch of every "deps": "python" tool (config/latch.ts), as is the
 * environment: here they would only add a second reason to every change.
 */
function pythonIdentity(
  files: ReadonlyMap<RelPath, FileEntry>,
  followed: (abs: string) => string | undefined,
  seen: SeenStats,
  startedMs: number,
  programs: ProgramIds,
): Identity {
  const ids = new Map<string, string>(); // one stat (and read, when it changed) per leaf, however many import it
  const leaf = (abs: string): string => {
    let id = ids.get(abs);
    if (id === undefined) {
      if (!seen.has(abs)) seen.set(abs, statIdentity(abs, startedMs));
      ids.set(abs, (id = contentIdentity(abs, programs)));
    }
    return id;
  };
  return (dep, isNode) => {
    if (isNode)
      return dep.startsWith('/') ? (followed(dep) ?? THIS_RUN) : (files.get(dep as RelPath)?.digest ?? 'missing');
    return isEveryRunMarker(dep) ? THIS_RUN : leaf(dep);
  };
}
