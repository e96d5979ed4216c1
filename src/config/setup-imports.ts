// What a test runner's config and setup files load, for their tools' inputs:
// a setup file runs before every test, and so do the modules it imports, yet
// no test imports them. Follows the imports of those files through the source
// tree (resolved as "deps": "javascript" resolves them); a package they load
// is known by its package.json (its version), not followed. Reads files, never
// runs them. The answer is kept in the inputs' cache with what proves it: each
// source's stat, and every directory and file resolution consulted.
import fs from 'node:fs';
import path from 'node:path';
// The modules themselves, not deps/index.ts: that would make config/ and plan/ import each other.
import { RecordingFs, consultedUnchanged, decodeConsulted, encodeConsulted } from '../deps/consulted.js';
import { JS_EXTENSIONS, lexJavaScriptImports } from '../deps/javascript.js';
import type { JsImport } from '../deps/javascript-imports.js';
import { parseJsonc, resolveJsImport } from '../deps/javascript-resolve.js';
import type { JsResolver } from '../deps/javascript-resolver.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import { type CachedClosure, type ClosureSource, type InputCache, sameStat } from './input-cache.js';

/** A file bigger than this is not read for imports (generated data, not setup code); it is still an input. */
const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

const isFollowed = (rel: string): boolean => JS_EXTENSIONS.some((e) => rel.endsWith(e)) && !/\.d\.[cm]?ts$/.test(rel);

/** `node_modules/pkg` or `node_modules/@scope/pkg` (the last such part of rel), or null when rel is not in one. */
function packageRoot(rel: string): string | null {
  const parts = rel.split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return null;
  const scoped = parts[at + 1]!.startsWith('@');
  if (scoped && at + 2 >= parts.length) return null;
  return parts.slice(0, at + (scoped ? 3 : 2)).join('/');
}

function resolverOver(sourceTree: string, fs_: RecordingFs): JsResolver {
  const json = new Map<string, unknown>();
  return {
    sourceTree,
    // Every file comes back by absolute path: this follower decides what each one is.
    isTracked: () => false,
    exists: fs_.exists,
    readJson: (abs) => {
      if (!json.has(abs)) {
        const text = fs_.readText(abs);
        json.set(abs, text === null ? null : parseJsonc(text));
      }
      return json.get(abs) ?? null;
    },
    // A workspace package linked into node_modules is the tree's file behind the link.
    realpath: (abs) => fs_.realpath(abs, sourceTree),
  };
}

/** A source file's imports: the cached ones while its stat proves it unchanged; null when it cannot be read. */
function sourceOf(abs: string, rel: string, before: ClosureSource | undefined): ClosureSource | null {
  const st = fs.statSync(abs, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return null;
  if (before !== undefined && before.size === st.size && sameStat(before, st)) return before;
  const at = Date.now();
  let imports: JsImport[] = [];
  try {
    if (st.size <= MAX_SOURCE_BYTES) imports = lexJavaScriptImports(fs.readFileSync(abs, 'utf8'), rel).imports;
  } catch {
    return null; // its digest as an input says it cannot be read
  }
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, at, imports };
}

/** Whether a kept closure still holds: every source as it was read, and every resolution's answer the same. */
function holds(sourceTree: string, c: CachedClosure): boolean {
  for (const [rel, src] of c.sources) {
    const st = fs.statSync(path.join(sourceTree, rel), { throwIfNoEntry: false });
    if (st === undefined || st.size !== src.size || !sameStat(src, st)) return false;
  }
  return consultedUnchanged(decodeConsulted(c.consulted));
}

/** The closure now; `whole` false when a source could not be read (nothing then proves the answer later). */
function follow(
  sourceTree: string,
  roots: readonly RelPath[],
  before: CachedClosure | undefined,
): { closure: CachedClosure; whole: boolean } {
  const recorder = new RecordingFs();
  const resolver = resolverOver(sourceTree, recorder);
  const known = new Map(before?.sources);
  const sources: [string, ClosureSource][] = [];
  const seen = new Set<string>(roots);
  const queue = roots.filter(isFollowed);
  const out: string[] = [];
  let whole = true;
  const add = (rel: string): void => {
    if (seen.has(rel)) return;
    seen.add(rel);
    out.push(rel);
    if (isFollowed(rel) && packageRoot(rel) === null) queue.push(rel as RelPath);
  };
  for (let i = 0; i < queue.length; i++) {
    const from = queue[i]!;
    const src = sourceOf(path.join(sourceTree, from), from, known.get(from));
    if (src === null) {
      whole = false;
      continue;
    }
    sources.push([from, src]);
    for (const imp of src.imports) {
      for (const dep of resolveJsImport(imp, from, resolver)) {
        if (dep.kind === 'unresolved') continue;
        const rel = treePath(sourceTree, dep.path);
        if (rel === null || rel === '') continue;
        const pkg = packageRoot(rel);
        if (pkg === null) add(rel);
        else if (recorder.exists(path.join(sourceTree, pkg, 'package.json')) === 'file') add(`${pkg}/package.json`);
      }
    }
  }
  return { closure: { sources, consulted: encodeConsulted(recorder.consulted), out }, whole };
}

/**
 * The source-tree files `roots` (tree-relative) load, roots excluded, in the
 * order first reached: the tree's files their imports resolve to, followed in
 * turn, and the package.json of each package in the tree's node_modules they
 * import. Imports that resolve nowhere (a bundler alias), and packages outside
 * the tree, are not followed: README says to declare those in `inputs`.
 * `cache` keeps the answer between runs.
 */
export function setupImports(sourceTree: string, roots: readonly RelPath[], cache?: InputCache): RelPath[] {
  const key = `setup\0${sourceTree}\0${roots.join('\0')}`;
  const before = cache?.closure(key);
  if (before !== undefined && holds(sourceTree, before)) return before.out as RelPath[];
  const { closure, whole } = follow(sourceTree, roots, before);
  if (whole) cache?.storeClosure(key, closure);
  return closure.out as RelPath[];
}
