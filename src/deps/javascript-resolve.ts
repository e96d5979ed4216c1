// JavaScript and TypeScript imports, resolved as Node and TypeScript do:
// resolveJsImport() turns one import into the files it depends on through a
// given view of the file system (pure).
import { builtinModules } from 'node:module';
import path from 'node:path';
import { type ImportDep, fileDep } from './import-dep.js';
import type { JsImport } from './javascript.js';
import type { RelPath } from '../types.js';

/** One thing an import depends on. */
export type JsDep = ImportDep;

/** The file system as resolution sees it; tests pass in-memory sets. */
export interface JsResolver {
  sourceTree: string;
  isTracked(rel: RelPath): boolean;
  exists(abs: string): 'file' | 'dir' | null;
  /**
   * A package.json or tsconfig.json, parsed; null when missing or not JSON.
   * tsconfig.json allows comments and trailing commas: parse with parseJsonc().
   * Called once per import for the root tsconfig.json, so cache it.
   */
  readJson(abs: string): unknown | null;
}

// TypeScript's order for a specifier without a known extension
// (moduleResolution "bundler"/"node16": tryAddingExtensions), then the rest
// Node loads; .json last as in both.
const EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];

// TypeScript lets a specifier name the emitted file: `./a.js` finds ./a.ts
// (TypeScript handbook, "Modules - Reference", "File extension substitution").
const SOURCES_OF_OUTPUT: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx', '.d.ts'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

const TYPESCRIPT_FILE = /\.(?:ts|tsx|mts|cts)$/;

/** A declaration file: only tsc reads it, so its imports are type references whatever their syntax. */
const DECLARATION_FILE = /\.d\.[mc]?ts$|\.d\.[^/]*\.ts$/;

/** 'fs', 'fs/promises', …: compiled into Node, so nothing to track. */
const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

/**
 * The files `imp`, written in `from`, loads: one per condition set (see
 * conditionSets), deduplicated. A Node builtin gives []; nothing found gives
 * one 'unresolved' naming the specifier.
 */
export function resolveJsImport(imp: JsImport, from: RelPath, r: JsResolver): JsDep[] {
  const spec = imp.specifier;
  if (spec.startsWith('node:') || BUILTINS.has(spec)) return [];
  // resolve, not join: a followed file (one runner does not track) comes by absolute path.
  const fromDir = path.dirname(path.resolve(r.sourceTree, from));
  const deps = new Map<string, JsDep>();
  for (const conditions of conditionSets(imp, from)) {
    const abs = resolveSpecifier(spec, fromDir, conditions, r);
    if (abs !== null) deps.set(abs, fileDep(abs, r));
  }
  return deps.size > 0 ? [...deps.values()] : [{ kind: 'unresolved', name: spec }];
}

/**
 * Package "exports" conditions, each set active at once. An object's keys are
 * tried in their own order and the first active one wins, as Node and
 * TypeScript do, so these sets are not a priority order. A runtime import
 * loads the "import" (or, for require(), "require") target under Node; a
 * TypeScript file or a type import is also type-checked, and tsc reads the
 * "types" target: both are dependencies.
 */
function conditionSets(imp: JsImport, from: RelPath): (readonly string[])[] {
  const runtime = [imp.kind === 'require' ? 'require' : 'import', 'node', 'default'];
  const types = ['types', ...runtime];
  if (imp.kind === 'type' || DECLARATION_FILE.test(from)) return [types];
  return TYPESCRIPT_FILE.test(from) ? [runtime, types] : [runtime];
}

function resolveSpecifier(spec: string, fromDir: string, conditions: readonly string[], r: JsResolver): string | null {
  if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../')) {
    return resolvePath(path.resolve(fromDir, spec), conditions, r);
  }
  if (spec.startsWith('#')) return resolveSubpathImport(spec, fromDir, conditions, r);
  if (path.isAbsolute(spec)) return resolvePath(spec, conditions, r);
  // TypeScript tries "paths", then baseUrl, before node_modules.
  const tsconfig = readTsconfig(r);
  if (tsconfig !== null) {
    for (const target of pathsTargets(spec, tsconfig)) {
      const found = resolvePath(path.resolve(tsconfig.pathsBase, target), conditions, r);
      if (found !== null) return found;
    }
    if (tsconfig.baseUrl !== null) {
      const found = resolvePath(path.resolve(tsconfig.baseUrl, spec), conditions, r);
      if (found !== null) return found;
    }
  }
  return resolveInNodeModules(spec, fromDir, conditions, r);
}

/**
 * A file path the way Node and TypeScript accept it: the exact file, a
 * TypeScript source for an emitted name, the name plus an extension, or a
 * directory (its package.json, then index). `withPackageJson` false for a
 * package.json's own "main", so `"main": "."` cannot loop.
 */
function resolvePath(abs: string, conditions: readonly string[], r: JsResolver, withPackageJson = true): string | null {
  if (r.exists(abs) === 'file') return abs;
  const ext = path.extname(abs);
  for (const source of SOURCES_OF_OUTPUT[ext] ?? []) {
    const file = abs.slice(0, -ext.length) + source;
    if (r.exists(file) === 'file') return file;
  }
  const withExtension = findWithExtension(abs, r);
  if (withExtension !== null) return withExtension;
  if (r.exists(abs) !== 'dir') return null;
  return withPackageJson ? resolvePackage(abs, '', conditions, r) : findWithExtension(path.join(abs, 'index'), r);
}

function findWithExtension(base: string, r: JsResolver): string | null {
  for (const ext of EXTENSIONS) {
    if (r.exists(base + ext) === 'file') return base + ext;
  }
  return null;
}

/**
 * `subpath` ('' for the package itself, else 'a/b') of the package in
 * `pkgDir`: "exports" when it names an existing file, else (more lenient than
 * Node, which stops there) the subpath as a file path, or for the package
 * itself "types"/"typings" (type-checking only), "main", then index.
 */
function resolvePackage(pkgDir: string, subpath: string, conditions: readonly string[], r: JsResolver): string | null {
  const pkg = r.readJson(path.join(pkgDir, 'package.json'));
  const manifest = isRecord(pkg) ? pkg : {};
  if (manifest.exports !== undefined) {
    const found = resolveExports(pkgDir, manifest.exports, subpath === '' ? '.' : `./${subpath}`, conditions, r);
    if (found !== null) return found;
  }
  if (subpath !== '') return resolvePath(path.join(pkgDir, subpath), conditions, r);
  const fields = conditions.includes('types') ? ['types', 'typings', 'main'] : ['main'];
  for (const field of fields) {
    const entry = manifest[field];
    if (typeof entry !== 'string' || entry === '') continue;
    const found = resolvePath(path.resolve(pkgDir, entry), conditions, r, false);
    if (found !== null) return found;
  }
  return findWithExtension(path.join(pkgDir, 'index'), r);
}

/**
 * Node's PACKAGE_EXPORTS_RESOLVE (Node docs, "Modules: Packages", "Subpath
 * exports" and "Subpath patterns"): an exact subpath key, else the pattern
 * key with one `*` and the longest prefix; a string, array or conditions
 * object as a whole means `{ ".": it }`.
 */
function resolveExports(
  pkgDir: string, exports: unknown, subpath: string, conditions: readonly string[], r: JsResolver,
): string | null {
  const isSubpathMap = isRecord(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  const map: Record<string, unknown> = isSubpathMap ? exports : { '.': exports };
  return resolveSubpathMap(pkgDir, map, subpath, conditions, r);
}

/**
 * `#name` specifiers: the "imports" field of the nearest package.json above
 * the importing file, matched like "exports" (Node, "Subpath imports"); a
 * target may also name a package, looked up in node_modules.
 */
function resolveSubpathImport(spec: string, fromDir: string, conditions: readonly string[], r: JsResolver): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const pkg = r.readJson(path.join(dir, 'package.json'));
    if (pkg !== null) {
      const imports = isRecord(pkg) ? pkg.imports : undefined;
      return isRecord(imports) ? resolveSubpathMap(dir, imports, spec, conditions, r, true) : null;
    }
    if (dir === path.dirname(dir)) return null;
  }
}

/** An exact key, else the longest-prefix pattern with one `*`, as Node matches "exports" and "imports". */
function resolveSubpathMap(
  pkgDir: string, map: Record<string, unknown>, subpath: string, conditions: readonly string[], r: JsResolver, bareTargets = false,
): string | null {
  const target = (value: unknown, star: string | null): string | null => {
    if (bareTargets && typeof value === 'string' && !value.startsWith('./') && !value.startsWith('/')) {
      return resolveInNodeModules(star === null ? value : value.split('*').join(star), pkgDir, conditions, r);
    }
    return resolveExportsTarget(pkgDir, value, star, conditions, r);
  };
  if (Object.hasOwn(map, subpath)) return target(map[subpath], null);
  let best: { key: string; star: string } | null = null;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star === -1 || key.indexOf('*', star + 1) !== -1) continue;
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.length < key.length || !subpath.startsWith(prefix) || !subpath.endsWith(suffix)) continue;
    if (best === null || prefix.length > best.key.indexOf('*')) {
      best = { key, star: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  return best === null ? null : target(map[best.key], best.star);
}

/**
 * One target: './file' (with `*` replaced), the first alternative of an array
 * that resolves, or the first key of a conditions object that is active and
 * resolves. Unlike Node, a target whose file is missing falls through to the
 * next alternative, so an odd package still yields a file to track.
 */
function resolveExportsTarget(
  pkgDir: string, target: unknown, star: string | null, conditions: readonly string[], r: JsResolver,
): string | null {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return null;
    const file = path.join(pkgDir, star === null ? target : target.split('*').join(star));
    // A target outside its package is invalid (ERR_INVALID_PACKAGE_TARGET).
    if (file !== pkgDir && !file.startsWith(pkgDir + path.sep)) return null;
    return r.exists(file) === 'file' ? file : null;
  }
  if (Array.isArray(target)) {
    for (const alternative of target) {
      const found = resolveExportsTarget(pkgDir, alternative, star, conditions, r);
      if (found !== null) return found;
    }
    return null;
  }
  if (isRecord(target)) {
    for (const [condition, value] of Object.entries(target)) {
      if (!conditions.includes(condition)) continue;
      const found = resolveExportsTarget(pkgDir, value, star, conditions, r);
      if (found !== null) return found;
    }
  }
  // null excludes the subpath on purpose; anything else is invalid.
  return null;
}

/**
 * `pkg`, `pkg/sub`, `@scope/pkg/sub` in node_modules of `fromDir` and every
 * directory above it up to the file system root, past the source tree as Node
 * goes. A package here that cannot provide the subpath does not stop the
 * search (CommonJS behaviour; ESM would fail instead).
 */
function resolveInNodeModules(spec: string, fromDir: string, conditions: readonly string[], r: JsResolver): string | null {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  if (parts.length < nameLength || parts.slice(0, nameLength).some((p) => p === '' || p === '.' || p === '..')) {
    return null;
  }
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.slice(nameLength).join('/');
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const pkgDir = path.join(dir, 'node_modules', name);
      if (r.exists(pkgDir) === 'dir') {
        const found = resolvePackage(pkgDir, subpath, conditions, r);
        if (found !== null) return found;
      }
    }
    if (path.dirname(dir) === dir) return null;
  }
}

interface Tsconfig {
  /** compilerOptions.baseUrl, absolute; null when unset. */
  baseUrl: string | null;
  /** Where "paths" targets start: baseUrl, else the tsconfig's directory. */
  pathsBase: string;
  paths: [pattern: string, targets: string[]][];
}

/**
 * compilerOptions.baseUrl and .paths of the source tree's tsconfig.json; null
 * without one. "extends" is not followed, nor are other tsconfig files.
 */
function readTsconfig(r: JsResolver): Tsconfig | null {
  const config = r.readJson(path.join(r.sourceTree, 'tsconfig.json'));
  if (!isRecord(config) || !isRecord(config.compilerOptions)) return null;
  const { baseUrl: rawBaseUrl, paths: rawPaths } = config.compilerOptions;
  const baseUrl = typeof rawBaseUrl === 'string' ? path.resolve(r.sourceTree, rawBaseUrl) : null;
  const paths: [string, string[]][] = [];
  if (isRecord(rawPaths)) {
    for (const [pattern, targets] of Object.entries(rawPaths)) {
      if (Array.isArray(targets)) paths.push([pattern, targets.filter((t): t is string => typeof t === 'string')]);
    }
  }
  if (baseUrl === null && paths.length === 0) return null;
  return { baseUrl, pathsBase: baseUrl ?? r.sourceTree, paths };
}

/**
 * The "paths" targets for `spec`, `*` replaced: TypeScript takes an exact
 * pattern, else the matching pattern with one `*` and the longest prefix
 * (matchPatternOrExact), then tries its targets in order.
 */
function pathsTargets(spec: string, tsconfig: Tsconfig): string[] {
  const exact = tsconfig.paths.find(([pattern]) => pattern === spec);
  if (exact !== undefined) return exact[1];
  let best: { prefix: string; star: string; targets: string[] } | null = null;
  for (const [pattern, targets] of tsconfig.paths) {
    const star = pattern.indexOf('*');
    if (star === -1 || pattern.indexOf('*', star + 1) !== -1) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (spec.length < prefix.length + suffix.length || !spec.startsWith(prefix) || !spec.endsWith(suffix)) continue;
    if (best === null || prefix.length > best.prefix.length) {
      best = { prefix, star: spec.slice(prefix.length, spec.length - suffix.length), targets };
    }
  }
  if (best === null) return [];
  const { star } = best;
  return best.targets.map((t) => t.split('*').join(star));
}

/**
 * JSON with // and /* *\/ comments and trailing commas (tsconfig.json), or
 * null. Comments and commas are blanked outside strings only, so "a//b" and
 * "*\/" inside strings survive.
 */
export function parseJsonc(text: string): unknown | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
      out += ' ';
    } else {
      out += c;
      i += 1;
    }
  }
  // Trailing commas: a comma whose next non-space character closes; strings
  // are skipped again, since blanking comments may have joined tokens.
  let cleaned = '';
  for (let k = 0; k < out.length; k += 1) {
    const c = out[k] as string;
    if (c === '"') {
      let j = k + 1;
      while (j < out.length && out[j] !== '"') j += out[j] === '\\' ? 2 : 1;
      cleaned += out.slice(k, j + 1);
      k = j;
      continue;
    }
    if (c === ',') {
      let j = k + 1;
      while (j < out.length && /\s/.test(out[j] as string)) j += 1;
      if (out[j] === '}' || out[j] === ']') continue;
    }
    cleaned += c;
  }
  try {
    return JSON.parse(cleaned) as unknown;
  } catch {
    return null;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A tracked file of the source tree by its RelPath; anything else by absolute path. */
