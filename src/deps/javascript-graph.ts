// The javascript graph: like the python one, imports are read only for
// files whose content changed (cached by digest in the manifest), then
// resolved against the tree as it is now, and followed through the files
// runner does not track (javascript-follow.ts). What was resolved, and each
// job's digest, are kept between runs (graph-cache.ts): a run where nothing
// the resolution consulted or followed changed reuses them instead. No
// process is started.
import path from 'node:path';
import type { FileEntry } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { type DirectDeps, UNREADABLE_IMPORTS } from './direct-deps.js';
import { DepGraph } from './graph.js';
import { GraphCache, type GraphSnapshots, codeIdentity, deflateJson, inflateJson } from './graph-cache.js';
import { type FollowedJsFile, type GraphRow, followUntracked } from './javascript-follow.js';
import {
  JS_EXTENSIONS,
  type JsDep,
  type JsFileImports,
  type JsResolver,
  parseJsonc,
  resolveJsImport,
  scanJavaScriptImports,
} from './javascript.js';

/** Tracked files by the digest their imports were read from; followed files (absolute paths) by stat identity. */
export interface JsImportCache {
  files: Map<RelPath, { digest: string; found: JsFileImports }>;
  followed: Map<string, FollowedJsFile>;
}

type EncodedJsCache = {
  /** The code that read the imports (codeIdentity()). */
  code?: string;
  files: [RelPath, { digest: string; found: JsFileImports }][];
  followed: [string, FollowedJsFile][];
};

/**
 * The imports read by the runner that runs now, or none: a cache another
 * build wrote (older, newer, or from before the cache named its code) may
 * have read fewer imports from the same bytes, and trusting it would leave
 * their dependencies out until each file changed. So after an upgrade every
 * file is read once again, as the python kind's cache does.
 */
export function decodeJsCache(buf: Buffer | undefined, code: string = codeIdentity()): JsImportCache {
  if (buf === undefined) return { files: new Map(), followed: new Map() };
  const raw = JSON.parse(inflateJson(buf)) as EncodedJsCache | EncodedJsCache['files'];
  if (Array.isArray(raw) || raw.code !== code) return { files: new Map(), followed: new Map() };
  return { files: new Map(raw.files), followed: new Map(raw.followed) };
}

export function encodeJsCache(cache: JsImportCache, code: string = codeIdentity()): Buffer {
  return deflateJson(JSON.stringify({ code, files: [...cache.files], followed: [...cache.followed] }));
}

const isJs = (p: string): boolean => JS_EXTENSIONS.some((e) => p.endsWith(e));

export interface JsGraph {
  graph: DepGraph;
  /** The content digest of a followed file (a graph node by absolute path); undefined for anything else. */
  followedDigest: (abs: string) => string | undefined;
  /** A job's kept dependency digest, when it provably holds; otherwise compute it from `graph`. */
  keptDigest: (path: RelPath) => string | undefined;
  /** The import cache, when it changed. */
  imports: JsImportCache | null;
  /** The kept graph's snapshots to store, each null when unchanged (or when none is kept). */
  kept: { header: Buffer | null; direct: Buffer | null };
  /** Covered files; files whose imports were read; files whose imports were resolved this run; files followed. */
  files: number;
  scanned: number;
  resolved: number;
  followed: number;
}

export async function inferJavaScript(opts: {
  sourceTree: string;
  /** The tools' HOME: the digests name files below it as `~/` (portable-path.ts). */
  home: string | undefined;
  files: ReadonlyMap<RelPath, FileEntry>;
  /** The stored import cache, read only when some file's imports must be resolved. */
  imports: () => Buffer | undefined;
  /** The stored graph, or null to keep none (a temporary tree). */
  stored: GraphSnapshots | null;
  externalId: (abs: string) => string;
  /** The paths whose job digests to keep, and how to compute one from the graph (followedDigest identifies its outside nodes). */
  jobs: () => ReadonlySet<RelPath>;
  digestOf: (graph: DepGraph, path: RelPath, followedDigest: (abs: string) => string | undefined) => string;
}): Promise<JsGraph> {
  const { sourceTree, files } = opts;
  const startedMs = Date.now();
  const kept = GraphCache.open(
    { key: 'javascript', sourceTree, home: opts.home, files, externalId: opts.externalId },
    opts.stored ?? { header: undefined, direct: () => undefined },
  );
  if (opts.stored !== null && kept.digestsHold && kept.unreadable.length === 0) {
    // Followed files' digests are needed only when a job runs or is explained (its graph nodes): the kept rows hold them.
    return {
      graph: kept.graph(),
      followedDigest: (abs) => (abs.startsWith('/') ? kept.rowDigest(abs as RelPath) : undefined),
      keptDigest: (p) => kept.digest(p),
      imports: null,
      kept: { header: null, direct: null },
      files: kept.covered,
      scanned: 0,
      resolved: 0,
      followed: 0,
    };
  }
  const jsFiles = [...files.keys()].filter(isJs);
  const imports = decodeJsCache(opts.imports());
  const cache = imports.files;
  // A file that could not be read is read again every time: an unreadable file
  // may be readable now (it was fixed in place, or a newer parser reads it).
  const stale = jsFiles.filter((p) => {
    const c = cache.get(p);
    return c === undefined || c.digest !== files.get(p)!.digest || c.found.error !== null;
  });
  let changed = false;
  if (stale.length > 0) {
    for (const [p, found] of await scanJavaScriptImports(sourceTree, stale)) {
      const before = cache.get(p);
      const digest = files.get(p)!.digest;
      if (before?.digest === digest && JSON.stringify(before.found) === JSON.stringify(found)) continue;
      cache.set(p, { digest, found });
      changed = true;
    }
  }
  for (const p of cache.keys()) {
    if (!files.has(p)) {
      cache.delete(p);
      changed = true;
    }
  }
  const recorder = kept.recorder();
  const json = new Map<string, unknown>();
  const resolver: JsResolver = {
    sourceTree,
    isTracked: (rel) => files.has(rel),
    exists: recorder.exists,
    realpath: (abs) => recorder.realpath(abs, sourceTree),
    subdirectories: recorder.subdirectories,
    readJson: (abs) => {
      if (!json.has(abs)) {
        const text = recorder.readText(abs);
        json.set(abs, text === null ? null : parseJsonc(text));
      }
      return json.get(abs) ?? null;
    },
  };
  const direct = new Map<RelPath, GraphRow>();
  const typesByDir = new Map<string, readonly JsDep[]>();
  const unreadable: RelPath[] = [];
  let resolved = 0;
  for (const p of jsFiles) {
    const c = cache.get(p);
    if (c === undefined) continue;
    if (c.found.error !== null) unreadable.push(p);
    const reuse = kept.reusable(p, c.digest);
    if (reuse !== undefined) {
      direct.set(p, { digest: c.digest, deps: reuse });
      continue;
    }
    resolved++;
    direct.set(p, { digest: c.digest, deps: resolveFile(p, c.found, resolver, typesByDir) });
  }
  const follow = await followUntracked({
    rows: direct,
    cached: imports.followed,
    startedMs,
    resolve: (abs, digest, found) => {
      const reuse = kept.reusable(abs as RelPath, digest);
      if (reuse !== undefined) return reuse;
      resolved++;
      return resolveFile(abs as RelPath, found, resolver);
    },
  });
  for (const [abs, f] of follow.followed) if (f.digest === null) unreadable.push(abs as RelPath);
  if (follow.read > 0 || follow.followed.size !== imports.followed.size) changed = true;
  imports.followed = follow.followed;
  const followedDigest = (abs: string): string | undefined => follow.followed.get(abs)?.digest ?? undefined;
  const graph = new DepGraph(new Map([...direct].map(([p, d]) => [p, d.deps])), { sourceTree, home: opts.home });
  const keep =
    opts.stored === null
      ? { header: null, direct: null }
      : kept.keep({
          graph,
          direct,
          unreadable,
          fs: recorder,
          followed: follow.stats,
          covered: jsFiles.length,
          jobs: opts.jobs(),
          digestOf: (p) => kept.digest(p) ?? opts.digestOf(graph, p, followedDigest),
        });
  return {
    // Kept digests hold here only when the sole reason to build was an unreadable file: they are the jobs that do not reach it.
    graph,
    followedDigest,
    keptDigest: (p) => kept.digest(p),
    imports: changed ? imports : null,
    kept: keep,
    files: jsFiles.length,
    scanned: stale.length + follow.read,
    resolved,
    followed: follow.followed.size,
  };
}

/**
 * One file's imports, resolved: tracked files, outside files, names that
 * resolve nowhere. A tracked TypeScript file also depends on the type
 * packages tsc loads with no import (`typesByDir`: see automaticTypes);
 * followed files (by absolute path) do not, as tsc loads those once.
 */
function resolveFile(
  p: RelPath,
  found: JsFileImports,
  resolver: JsResolver,
  typesByDir?: Map<string, readonly JsDep[]>,
): DirectDeps {
  const filesOut = new Set<RelPath>();
  const external = new Set<string>();
  const unresolved = new Set<string>();
  if (found.error !== null) unresolved.add(UNREADABLE_IMPORTS); // it may import anything
  const add = (dep: JsDep): void => {
    if (dep.kind === 'file') {
      if (dep.path !== p) filesOut.add(dep.path);
    } else if (dep.kind === 'external') external.add(dep.path);
    else unresolved.add(dep.name);
  };
  for (const imp of found.imports) for (const dep of resolveJsImport(imp, p, resolver)) add(dep);
  if (typesByDir !== undefined && TYPESCRIPT_SOURCE.test(p))
    for (const dep of automaticTypes(p, resolver, typesByDir)) add(dep);
  return { files: [...filesOut], external: [...external], unresolved: [...unresolved] };
}

const TYPESCRIPT_SOURCE = /\.(?:[mc]?ts|tsx)$/;

/**
 * The type packages tsc includes in every program with no import naming them:
 * each directory in `node_modules/@types` of the file's directory and every
 * directory above it (tsc's default typeRoots), resolved as `@types/NAME`
 * from the file, nearest first, as tsc does. Whether the tool's tsc is told
 * `types` (a tsconfig's or `--types`) is not known here, so all of them count:
 * upgrading an unused one re-runs for nothing, never the reverse. One that
 * does not resolve (no declarations in it) is left out: tsc reports it.
 * Files in one directory share the answer.
 */
function automaticTypes(p: RelPath, r: JsResolver, byDir: Map<string, readonly JsDep[]>): readonly JsDep[] {
  const start = path.dirname(path.resolve(r.sourceTree, p));
  const known = byDir.get(start);
  if (known !== undefined) return known;
  const names = new Set<string>();
  for (let dir = start; ; dir = path.dirname(dir)) {
    const types = path.join(dir, 'node_modules', '@types');
    if (r.exists(types) === 'dir') for (const name of r.subdirectories?.(types) ?? []) names.add(name);
    if (path.dirname(dir) === dir) break;
  }
  const deps: JsDep[] = [];
  for (const name of [...names].sort())
    for (const dep of resolveJsImport({ specifier: `@types/${name}`, kind: 'type', line: 0 }, p, r))
      if (dep.kind !== 'unresolved') deps.push(dep);
  byDir.set(start, deps);
  return deps;
}
