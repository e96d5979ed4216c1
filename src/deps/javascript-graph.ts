// The javascript graph: like the python one, imports are read only for
// files whose content changed (cached by digest in the manifest), then
// resolved against the tree as it is now. No process is started.
import fs from 'node:fs';
import type { FileEntry } from '../manifest/index.js';
import type { RelPath } from '../types.js';
import { DepGraph, type DirectDeps, UNREADABLE_IMPORTS } from './graph.js';
import { directoryListings } from './infer.js';
import { JS_EXTENSIONS, type JsFileImports, type JsResolver, parseJsonc, resolveJsImport, scanJavaScriptImports } from './javascript.js';

/** Per file: the digest its imports were read from, and the imports. */
export type JsImportCache = Map<RelPath, { digest: string; found: JsFileImports }>;

export function decodeJsCache(buf: Buffer | undefined): JsImportCache {
  return buf === undefined ? new Map() : new Map(JSON.parse(buf.toString('utf8')) as [RelPath, { digest: string; found: JsFileImports }][]);
}

export function encodeJsCache(cache: JsImportCache): Buffer {
  return Buffer.from(JSON.stringify([...cache]), 'utf8');
}

const isJs = (p: string): boolean => JS_EXTENSIONS.some((e) => p.endsWith(e));

export async function inferJavaScript(opts: {
  sourceTree: string;
  files: ReadonlyMap<RelPath, FileEntry>;
  cache: JsImportCache;
}): Promise<{ graph: DepGraph; changed: boolean; files: number; scanned: number }> {
  const { sourceTree, files, cache } = opts;
  const jsFiles = [...files.keys()].filter(isJs);
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
  const json = new Map<string, unknown>();
  const resolver: JsResolver = {
    sourceTree,
    isTracked: (rel) => files.has(rel),
    exists: directoryListings(),
    readJson: (abs) => {
      if (!json.has(abs)) {
        let value: unknown = null;
        try {
          value = parseJsonc(fs.readFileSync(abs, 'utf8'));
        } catch {
          value = null;
        }
        json.set(abs, value);
      }
      return json.get(abs) ?? null;
    },
  };
  const direct = new Map<RelPath, DirectDeps>();
  for (const p of jsFiles) {
    const found = cache.get(p)?.found;
    if (found === undefined) continue;
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
    direct.set(p, { files: [...filesOut], external: [...external], unresolved: [...unresolved] });
  }
  return { graph: new DepGraph(direct), changed, files: jsFiles.length, scanned: stale.length };
}
