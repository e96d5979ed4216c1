// JavaScript and TypeScript imports, resolved as Node and TypeScript do:
// resolveJsImport() turns one import into the files it depends on through a
// given view of the file system (pure).
import { builtinModules } from 'node:module';
import path from 'node:path';
import { type ImportDep, fileDep } from './import-dep.js';
import type { JsImport } from './javascript-imports.js';
import type { JsResolver } from './javascript-resolver.js';
import type { RelPath } from '../types.js';
import { SOURCES_OF_OUTPUT, resolveExports, resolveSubpathMap } from './package-exports.js';
import { pathsTargets, tsPathsFor } from './tsconfig.js';

/** One thing an import depends on. */
export type JsDep = ImportDep;

// TypeScript's order for a specifier without a known extension
// (moduleResolution "bundler"/"node16": tryAddingExtensions), then the rest
// Node loads; .json last as in both.
const TYPES_EXTENSIONS = ['.ts', '.tsx', '.d.ts', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts', '.json'];
// What runs: Node's require() order (.js, .json), then what bundlers and TS
// runners (Vite, tsx) also try; .d.ts last, though nothing runs it, so that a
// JavaScript importer of a declaration-only module still depends on it.
const RUNTIME_EXTENSIONS = ['.js', '.json', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts', '.d.ts'];

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
    const found = resolveSpecifier(spec, fromDir, conditions, r, path.resolve(r.sourceTree, from));
    // The real path, as tsc (preserveSymlinks false) and Node take it.
    const abs = found === null || r.realpath === undefined ? found : r.realpath(found);
    if (abs !== null) deps.set(abs, fileDep(abs, r));
  }
  return deps.size > 0 ? [...deps.values()] : [{ kind: 'unresolved', name: spec }];
}

/**
 * Package "exports" conditions, each set active at once. An object's keys are
 * tried in their own order and the first active one wins, as Node and
 * TypeScript do, so these sets are not a priority order. A runtime import
 * loads the "import" (or, for require(), "require") target under Node; the
 * file is also type-checked, and tsc reads the "types" target: both are
 * dependencies. The "types" set also picks files as
 * tsc does (`./a.js` is a.ts or a.d.ts when there is one), the others as Node
 * does (a.js itself): a job depends on the code that runs and on the types
 * tsc checks.
 */
function conditionSets(imp: JsImport, from: RelPath): (readonly string[])[] {
  const runtime = [imp.kind === 'require' ? 'require' : 'import', 'node', 'default'];
  const types = ['types', ...runtime];
  // A JavaScript file too: tsc checks it under allowJs/checkJs, or a JSDoc
  // `@type {import('x')}` names the types; a type import or a declaration
  // file loads no code.
  if (imp.kind === 'type' || DECLARATION_FILE.test(from)) return [types];
  return [runtime, types];
}

function resolveSpecifier(
  spec: string,
  fromDir: string,
  conditions: readonly string[],
  r: JsResolver,
  fromFile: string,
): string | null {
  if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../')) {
    return resolvePath(path.resolve(fromDir, spec), conditions, r);
  }
  if (path.isAbsolute(spec)) return resolvePath(spec, conditions, r);
  // TypeScript tries "paths", then baseUrl, of the tsconfig the importing file
  // is compiled under, before package.json "imports" (#name) and node_modules.
  const tsPaths = tsPathsFor(fromFile, r);
  if (tsPaths !== null) {
    for (const target of pathsTargets(spec, tsPaths)) {
      const found = resolvePath(path.resolve(tsPaths.pathsBase, target), conditions, r);
      if (found !== null) return found;
    }
    if (tsPaths.baseUrl !== null) {
      const found = resolvePath(path.resolve(tsPaths.baseUrl, spec), conditions, r);
      if (found !== null) return found;
    }
  }
  if (spec.startsWith('#')) return resolveSubpathImport(spec, fromDir, conditions, r);
  return resolveSelf(spec, fromDir, conditions, r) ?? resolveInNodeModules(spec, fromDir, conditions, r);
}

/**
 * A package importing itself by its own name: the nearest package.json above
 * the importing file (not past a node_modules directory), when its "name"
 * is the specifier's package and it has "exports", resolves the subpath
 * through them (Node's PACKAGE_SELF_RESOLVE; tsc does the same under
 * node16/nodenext/bundler). Unlike Node, a subpath its exports miss falls
 * through to node_modules rather than failing.
 */
function resolveSelf(spec: string, fromDir: string, conditions: readonly string[], r: JsResolver): string | null {
  const scope = packageScope(fromDir, r);
  if (scope === null) return null;
  const { dir, pkg } = scope;
  if (!isRecord(pkg) || typeof pkg.name !== 'string' || pkg.exports === undefined || pkg.exports === null) return null;
  const { name } = pkg;
  if (spec !== name && !spec.startsWith(name + '/')) return null;
  return resolveExports(dir, pkg.exports, spec === name ? '.' : `.${spec.slice(name.length)}`, conditions, r);
}

/** Per resolver, a directory's package scope: every file of a directory asks the same. */
const scopes = new WeakMap<JsResolver, Map<string, { dir: string; pkg: unknown } | null>>();

/** The nearest package.json at or above dir, not past a node_modules directory (Node's LOOKUP_PACKAGE_SCOPE). */
function packageScope(dir: string, r: JsResolver): { dir: string; pkg: unknown } | null {
  let cache = scopes.get(r);
  if (cache === undefined) scopes.set(r, (cache = new Map()));
  const known = cache.get(dir);
  if (known !== undefined) return known;
  let scope: { dir: string; pkg: unknown } | null = null;
  if (path.basename(dir) !== 'node_modules') {
    // In the tree, the listing first: most directories hold no package.json,
    // and the tree's listings are recorded anyway. Above it, a directory's
    // listing changes with every file made there (/tmp, a home directory):
    // ask for the file alone.
    const pkgJson = path.join(dir, 'package.json');
    const inTree = dir === r.sourceTree || dir.startsWith(r.sourceTree + path.sep);
    const pkg = !inTree || r.exists(pkgJson) === 'file' ? r.readJson(pkgJson) : null;
    if (pkg !== null) scope = { dir, pkg };
    else if (dir !== path.dirname(dir)) scope = packageScope(path.dirname(dir), r);
  }
  cache.set(dir, scope);
  return scope;
}

/**
 * A file path the way Node and TypeScript accept it: the exact file, a
 * TypeScript source for an emitted name, the name plus an extension, or a
 * directory (its package.json, then index). `withPackageJson` false for a
 * package.json's own "main", so `"main": "."` cannot loop.
 */
function resolvePath(abs: string, conditions: readonly string[], r: JsResolver, withPackageJson = true): string | null {
  // tsc tries the sources of an emitted name before the name itself; Node
  // (and a TS runner, when the name exists) loads the name itself.
  const isTypes = conditions.includes('types');
  if (!isTypes && r.exists(abs) === 'file') return abs;
  const ext = path.extname(abs);
  for (const source of SOURCES_OF_OUTPUT[ext] ?? []) {
    const file = abs.slice(0, -ext.length) + source;
    if (r.exists(file) === 'file') return file;
  }
  if (isTypes && r.exists(abs) === 'file') return abs;
  const withExtension = findWithExtension(abs, conditions, r);
  if (withExtension !== null) return withExtension;
  if (r.exists(abs) !== 'dir') return null;
  return withPackageJson
    ? resolvePackage(abs, '', conditions, r)
    : findWithExtension(path.join(abs, 'index'), conditions, r);
}

function findWithExtension(base: string, conditions: readonly string[], r: JsResolver): string | null {
  for (const ext of conditions.includes('types') ? TYPES_EXTENSIONS : RUNTIME_EXTENSIONS) {
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
  return findWithExtension(path.join(pkgDir, 'index'), conditions, r);
}

/**
 * `#name` specifiers: the "imports" field of the nearest package.json above
 * the importing file, matched like "exports" (Node, "Subpath imports"); a
 * target may also name a package, looked up in node_modules.
 */
function resolveSubpathImport(
  spec: string,
  fromDir: string,
  conditions: readonly string[],
  r: JsResolver,
): string | null {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const pkg = r.readJson(path.join(dir, 'package.json'));
    if (pkg !== null) {
      const imports = isRecord(pkg) ? pkg.imports : undefined;
      // A bare target names a package, looked up in node_modules from the package.json's directory.
      return isRecord(imports)
        ? resolveSubpathMap(dir, imports, spec, conditions, r, (bare) => resolveInNodeModules(bare, dir, conditions, r))
        : null;
    }
    if (dir === path.dirname(dir)) return null;
  }
}

/**
 * `pkg`, `pkg/sub`, `@scope/pkg/sub` in node_modules of `fromDir` and every
 * directory above it up to the file system root, past the source tree as Node
 * goes. A package here that cannot provide the subpath does not stop the
 * search (CommonJS behaviour; ESM would fail instead).
 */
function resolveInNodeModules(
  spec: string,
  fromDir: string,
  conditions: readonly string[],
  r: JsResolver,
): string | null {
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  if (parts.length < nameLength || parts.slice(0, nameLength).some((p) => p === '' || p === '.' || p === '..')) {
    return null;
  }
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.slice(nameLength).join('/');
  const isTypes = conditions.includes('types');
  // tsc looks for a package's types in DefinitelyTyped's @types/name
  // (@types/scope__name for @scope/name) beside the package, when the package
  // itself ships none (node_modules/@types is also what "types" defaults to).
  const typesName =
    isTypes && !name.startsWith('@types/')
      ? `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`
      : null;
  // For types, tsc first looks for a declaration (or source) in every
  // node_modules up to the root, and only then takes a JavaScript file: the
  // nearest JavaScript answer waits for that first pass.
  let javascript: string | null = null;
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== 'node_modules') {
      const pkgDir = path.join(dir, 'node_modules', name);
      const found = r.exists(pkgDir) === 'dir' ? resolvePackage(pkgDir, subpath, conditions, r) : null;
      if (found !== null && (typesName === null || DECLARATION_OR_SOURCE.test(found))) return found;
      const typesDir = typesName === null ? null : path.join(dir, 'node_modules', typesName);
      const types =
        typesDir !== null && r.exists(typesDir) === 'dir' ? resolvePackage(typesDir, subpath, conditions, r) : null;
      if (types !== null) return types;
      javascript ??= found;
    }
    if (path.dirname(dir) === dir) return javascript;
  }
}

/** What tsc takes as a module's types: a declaration file or a TypeScript source. */
const DECLARATION_OR_SOURCE = /\.(?:d\.[cm]?ts|d\.[^./]+\.ts|[cm]?tsx?)$/;

/**
 * JSON with // and /* *\/ comments and trailing commas (tsconfig.json), or
 * null. Comments and commas are blanked outside strings only, so "a//b" and
 * "*\/" inside strings survive.
 */
export function parseJsonc(source: string): unknown | null {
  // A byte order mark (editors on Windows write one) is not JSON, and tsc skips it.
  const text = source.charCodeAt(0) === 0xfeff ? source.slice(1) : source;
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
