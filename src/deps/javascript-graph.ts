// The javascript graph: like the python one, imports are read only for
// files whose content changed (cached by digest in the manifest), then
// resolved against the tree as it is now. What was resolved, and each job's
// digest, are kept between runs (graph-cache.ts): a run where nothing the
// resolution consulted changed reuses them instead. No process is started.
import type { FileEntry } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { DepGraph, type DirectDeps, UNREADABLE_IMPORTS } from './graph.js';
import { GraphCache, type GraphSnapshots, deflateJson, inflateJson } from './graph-cache.js';
import { JS_EXTENSIONS, type JsFileImports, type JsResolver, parseJsonc, resolveJsImport, scanJavaScriptImports } from './javascript.js';

/** Per file: the digest its imports were read from, and the imports. */
export type JsImportCache = Map<RelPath, { digest: string; found: JsFileImports }>;

export function decodeJsCache(buf: Buffer | undefined): JsImportCache {
  return buf === undefined ? new Map() : new Map(JSON.parse(inflateJson(buf)) as [RelPath, { digest: string; found: JsFileImports }][]);
}

export function encodeJsCache(cache: JsImportCache): Buffer {
  return deflateJson(JSON.stringify([...cache]));
}

const isJs = (p: string): boolean => JS_EXTENSIONS.some((e) => p.endsWith(e));

export interface JsGraph {
  graph: DepGraph;
  /** A job's kept dependency digest, when it provably holds; otherwise compute it from `graph`. */
  keptDigest: (path: RelPath) => string | undefined;
  /** The import cache, when it changed. */
  imports: JsImportCache | null;
  /** The kept graph's snapshots to store, each null when unchanged (or when none is kept). */
  kept: { header: Buffer | null; direct: Buffer | null };
  /** Covered files; files whose imports were read; files whose imports were resolved this run. */
  files: number;
  scanned: number;
  resolved: number;
}

export async function inferJavaScript(opts: {
  sourceTree: string;
  files: ReadonlyMap<RelPath, FileEntry>;
  /** The stored import cache, read only when some file's imports must be resolved. */
  imports: () => Buffer | undefined;
  /** The stored graph, or null to keep none (a temporary tree). */
  stored: GraphSnapshots | null;
  externalId: (abs: string) => string;
  /** The paths whose job digests to keep, and how to compute one from the graph. */
  jobs: () => ReadonlySet<RelPath>;
  digestOf: (graph: DepGraph, path: RelPath) => string;
}): Promise<JsGraph> {
  const { sourceTree, files } = opts;
  const kept = GraphCache.open({ key: 'javascript', sourceTree, files, externalId: opts.externalId }, opts.stored ?? { header: undefined, direct: () => undefined });
  if (opts.stored !== null && kept.digestsHold && kept.unreadable.length === 0) {
    return {
      graph: kept.graph(), keptDigest: (p) => kept.digest(p), imports: null, kept: { header: null, direct: null },
      files: kept.covered, scanned: 0, resolved: 0,
    };
  }
  const jsFiles = [...files.keys()].filter(isJs);
  const cache = decodeJsCache(opts.imports());
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
    readJson: (abs) => {
      if (!json.has(abs)) {
        const text = recorder.readText(abs);
        json.set(abs, text === null ? null : parseJsonc(text));
      }
      return json.get(abs) ?? null;
    },
  };
  const direct = new Map<RelPath, { digest: string; deps: DirectDeps }>();
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
    direct.set(p, { digest: c.digest, deps: resolveFile(p, c.found, resolver) });
  }
  const graph = new DepGraph(new Map([...direct].map(([p, d]) => [p, d.deps])));
  const keep = opts.stored === null ? { header: null, direct: null }
    : kept.keep({ graph, direct, unreadable, fs: recorder, jobs: opts.jobs(), digestOf: (p) => kept.digest(p) ?? opts.digestOf(graph, p) });
  return {
    // Kept digests hold here only when the sole reason to build was an unreadable file: they are the jobs that do not reach it.
    graph, keptDigest: (p) => kept.digest(p), imports: changed ? cache : null, kept: keep,
    files: jsFiles.length, scanned: stale.length, resolved,
  };
}

/** One file's imports, resolved: tracked files, outside files, names that resolve nowhere. */
function resolveFile(p: RelPath, found: JsFileImports, resolver: JsResolver): DirectDeps {
  const filesOut = new Set<RelPath>();
  const external = new Set<string>();
  const unresolved = new Set<string>();
  if (found.error !== null) unresolved.add(UNREADABLE_IMPORTS); // it may import anything
  for (const imp of found.imports) {
    for (const dep of resolveJsImport(imp, p, resolver)) {
      if (dep.kind === 'file') {
        if (dep.path !== p) filesOut.add(dep.path);
      } else if (dep.kind === 'external') external.add(dep.path);
      else unresolved.add(dep.name);
    }
  }
  return { files: [...filesOut], external: [...external], unresolved: [...unresolved] };
}
