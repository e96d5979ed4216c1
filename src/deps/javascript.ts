// JavaScript and TypeScript dependencies in two parts: scanJavaScriptImports()
// lexes each file's import specifiers (reads files, starts no process), and
// resolveJsImport() turns one import into the files it depends on through a
// given view of the file system (pure). Neither imports or runs the scanned code.
import fs from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { type Import, init, parse } from 'es-module-lexer';
import { type ImportDep, fileDep } from './import-dep.js';
import { type RelPath, assertNever } from '../types.js';

/** The file names `"deps": "javascript"` covers. */
export const JS_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '.jsx'];

export interface JsImport {
  /** As written, escapes decoded: './a.js', 'pkg/sub', 'node:fs'. */
  specifier: string;
  /**
   * 'import' and 'export' are static `import … from`, `import 'x'`, TS
   * `import x = require('x')` and `export … from`; 'type' is TS `import type`,
   * `export type … from` or a `typeof import('x')` type; 'require' a
   * `require('x')` call; 'dynamic' an `import('x')` call.
   */
  kind: 'import' | 'export' | 'require' | 'dynamic' | 'type';
  line: number;
}

export interface JsFileImports {
  imports: JsImport[];
  /** Why the file could not be read or lexed, e.g. "cannot lex: Parse error @:2:17 (line 2)". */
  error: string | null;
}

/** Files read at once; keeps the number of open descriptors bounded on large trees. */
const READ_BATCH = 64;

/**
 * Lists the imports of `files` (relative to `sourceTree`). A file that cannot
 * be read or lexed gets an `error` and no imports; this never rejects for one
 * bad file.
 */
export async function scanJavaScriptImports(
  sourceTree: string, files: readonly RelPath[],
): Promise<Map<RelPath, JsFileImports>> {
  await init();
  const scanned = new Map<RelPath, JsFileImports>();
  for (let i = 0; i < files.length; i += READ_BATCH) {
    const batch = files.slice(i, i + READ_BATCH);
    const results = await Promise.all(batch.map(async (rel): Promise<JsFileImports> => {
      let source: string;
      try {
        source = await fs.readFile(path.join(sourceTree, rel), 'utf8');
      } catch (err) {
        return { imports: [], error: `cannot read: ${err instanceof Error ? err.message : String(err)}` };
      }
      return lexJavaScriptImports(source, rel);
    }));
    batch.forEach((rel, j) => scanned.set(rel, results[j] as JsFileImports));
  }
  return scanned;
}

/**
 * The imports of one file's text, in source order. Pure; call after
 * es-module-lexer's init() (scanJavaScriptImports does), or parse() compiles
 * the lexer synchronously on first use.
 */
export function lexJavaScriptImports(text: string, file: string): JsFileImports {
  // es-module-lexer 3.0.5 reports no imports at all after a byte order mark;
  // a space keeps every offset (and so every line number) in place.
  const source = text.startsWith('\uFEFF') ? ' ' + text.slice(1) : text;
  let imports: readonly Import[];
  try {
    [imports] = parse(source);
  } catch (err) {
    return { imports: [], error: lexFailure(err, source, file) };
  }
  const lineOf = lineCounter(source);
  const found: { at: number; imp: JsImport }[] = [];
  // Statement ranges of static imports: `import x = require('y')` is one
  // already, so the require() pass below must not report it again.
  const statements: [number, number][] = [];
  for (const imp of imports) {
    switch (imp.type) {
      case 'static':
      case 'reexport-star': {
        statements.push([imp.importStart, imp.importEnd]);
        const kind = imp.typeOnly ? 'type' : source.startsWith('export', imp.importStart) ? 'export' : 'import';
        found.push({ at: imp.importStart, imp: { specifier: imp.specifier, kind, line: lineOf(imp.importStart) } });
        break;
      }
      case 'dynamic':
        // A non-literal argument has no specifier; a template with
        // substitutions is a glob, which names no one file.
        if (imp.specifier === undefined || imp.glob) break;
        found.push({
          at: imp.importStart,
          imp: { specifier: imp.specifier, kind: imp.probablyTypeOnly ? 'type' : 'dynamic', line: lineOf(imp.importStart) },
        });
        break;
      case 'import-meta':
        break;
      default:
        assertNever(imp);
    }
  }
  const calls = lexRequireCalls(source);
  if (typeof calls === 'string') return { imports: [], error: `cannot lex require() calls: ${calls}` };
  for (const call of calls) {
    if (statements.some(([start, end]) => call.at >= start && call.at < end)) continue;
    found.push({ at: call.at, imp: { specifier: call.specifier, kind: 'require', line: lineOf(call.at) } });
  }
  found.sort((a, b) => a.at - b.at);
  return { imports: found.map((f) => f.imp), error: null };
}

/**
 * `require('x')` calls with a literal argument, or the lexer's error message.
 *
 * Neither lexer reports them: cjs-module-lexer 2.3 returns only exports and
 * the reexports of `module.exports = require('x')`, and es-module-lexer only
 * ES syntax. So each `require` that is not the tail of a longer identifier and
 * is followed by `(` becomes ` import` (same length, so offsets hold) and
 * es-module-lexer lexes the result: it alone decides what is code (not a
 * comment, string, template text or regular expression), what is a member
 * call (`x.require(…)` stays unreported, as `x. import(…)` is), and whether
 * the argument is one literal.
 */
function lexRequireCalls(source: string): { at: number; specifier: string }[] | string {
  const starts: number[] = [];
  for (let at = source.indexOf('require'); at !== -1; at = source.indexOf('require', at + 1)) {
    if (at > 0 && isIdentifierChar(source.charCodeAt(at - 1))) continue; // myrequire(, #require(
    let next = at + 'require'.length;
    while (next < source.length && isSpace(source.charCodeAt(next))) next += 1;
    if (source[next] === '(') starts.push(at);
  }
  if (starts.length === 0) return [];
  let rewritten = '';
  let copied = 0;
  for (const at of starts) {
    rewritten += source.slice(copied, at) + ' import';
    copied = at + 'require'.length;
  }
  rewritten += source.slice(copied);
  let imports: readonly Import[];
  try {
    [imports] = parse(rewritten);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const isCall = new Set(starts.map((at) => at + 1));
  const calls: { at: number; specifier: string }[] = [];
  for (const imp of imports) {
    if (imp.type !== 'dynamic' || !isCall.has(imp.importStart)) continue;
    if (imp.specifier === undefined || imp.glob) continue;
    calls.push({ at: imp.importStart - 1, specifier: imp.specifier });
  }
  return calls;
}

function isIdentifierChar(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a)
    || code === 0x24 /* $ */ || code === 0x5f /* _ */ || code === 0x5c /* \ of an escape */ || code > 0x7f
    // A private method `#require(…)`: `this.# import(…)` would lex as a call.
    || code === 0x23 /* # */;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function lexFailure(err: unknown, source: string, file: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const idx = typeof err === 'object' && err !== null && 'idx' in err && typeof err.idx === 'number' ? err.idx : null;
  const where = idx === null ? '' : ` (line ${lineCounter(source)(idx)})`;
  // es-module-lexer 3.0.5 has no JSX mode: every closing tag (`</b>`, `</>`)
  // is a parse error; only self-closing elements (`<Foo bar="1" />`) lex.
  const jsx = /\.[jt]sx$/.test(file) ? '; es-module-lexer does not lex JSX: only self-closing elements, no closing tags' : '';
  return `cannot lex: ${message}${where}${jsx}`;
}

/** Maps an offset to its 1-based line. */
function lineCounter(source: string): (offset: number) => number {
  const starts = [0];
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

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
  const fromDir = path.dirname(path.join(r.sourceTree, from));
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
  if (imp.kind === 'type') return [types];
  return TYPESCRIPT_FILE.test(from) ? [runtime, types] : [runtime];
}

function resolveSpecifier(spec: string, fromDir: string, conditions: readonly string[], r: JsResolver): string | null {
  if (spec === '.' || spec === '..' || spec.startsWith('./') || spec.startsWith('../')) {
    return resolvePath(path.resolve(fromDir, spec), conditions, r);
  }
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
  if (Object.hasOwn(map, subpath)) return resolveExportsTarget(pkgDir, map[subpath], null, conditions, r);
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
  return best === null ? null : resolveExportsTarget(pkgDir, map[best.key], best.star, conditions, r);
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
