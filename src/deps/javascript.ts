// JavaScript and TypeScript imports, read: scanJavaScriptImports() lexes each
// file's import specifiers (reads files, starts no process; never imports or
// runs them). javascript-resolve.ts turns them into files.
// fs.promises, not node:fs/promises: that loads at the first read, not with every run (about 1 ms).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Import } from 'es-module-lexer';
import { type RelPath, assertNever } from '../types.js';
import type { JsFileImports, JsImport } from './javascript-imports.js';
import { parseJavaScriptImports } from './javascript-parse.js';

/** The file names `"deps": "javascript"` covers. */
export const JS_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs', '.ts', '.tsx', '.mts', '.cts', '.jsx'];

/** Files read at once; keeps the number of open descriptors bounded on large trees. */
const READ_BATCH = 64;

// es-module-lexer loads with the first javascript scan, not with this module: the bundle hoists a
// package's static import to its top (scripts/bundle.mjs), and most runs read no javascript.
let loaded: typeof import('es-module-lexer') | null = null;
const lexer = (): typeof import('es-module-lexer') =>
  (loaded ??= createRequire(import.meta.url)('es-module-lexer') as typeof import('es-module-lexer'));

/** Loads the lexer and compiles its WebAssembly: before lexJavaScriptImports() runs. */
export async function initLexer(): Promise<void> {
  await lexer().init();
}

/**
 * Lists the imports of `files` (relative to `sourceTree`). A file that cannot
 * be read or lexed gets an `error` and no imports; this never rejects for one
 * bad file.
 */
export async function scanJavaScriptImports(
  sourceTree: string,
  files: readonly RelPath[],
): Promise<Map<RelPath, JsFileImports>> {
  await initLexer();
  const scanned = new Map<RelPath, JsFileImports>();
  for (let i = 0; i < files.length; i += READ_BATCH) {
    const batch = files.slice(i, i + READ_BATCH);
    const results = await Promise.all(
      batch.map(async (rel): Promise<JsFileImports> => {
        let source: string;
        try {
          source = await fs.promises.readFile(path.join(sourceTree, rel), 'utf8');
        } catch (err) {
          return { imports: [], error: `cannot read: ${err instanceof Error ? err.message : String(err)}` };
        }
        return lexJavaScriptImports(source, rel);
      }),
    );
    batch.forEach((rel, j) => scanned.set(rel, results[j] as JsFileImports));
  }
  return scanned;
}

/**
 * The imports of one file's text, in source order. Pure; call after
 * es-module-lexer's init() (scanJavaScriptImports does), or parse() compiles
 * the lexer synchronously on first use. What the lexer cannot read (JSX with
 * closing tags) is parsed in full instead.
 */
export function lexJavaScriptImports(text: string, file: string): JsFileImports {
  const lexed = lexOnly(text);
  if (lexed.error === null) return withReferences(lexed, text);
  const parsed = parseJavaScriptImports(text, file);
  return parsed.error === null
    ? withReferences(parsed, text)
    : { imports: [], error: `${lexed.error}; ${parsed.error}` };
}

/** Adds the `/// <reference path>` directives (comments to either reader), in line order. */
function withReferences(found: JsFileImports, text: string): JsFileImports {
  if (!text.includes('<reference')) return found;
  const refs = referencedPaths(text);
  if (refs.length === 0) return found;
  const lineOf = lineCounter(text);
  const imports = [
    ...found.imports,
    ...refs.map((r): JsImport => ({ specifier: r.specifier, kind: 'type', line: lineOf(r.at) })),
  ];
  return { imports: imports.sort((a, b) => a.line - b.line), error: null };
}

function lexOnly(text: string): JsFileImports {
  // es-module-lexer 3.0.5 reports no imports at all after a byte order mark;
  // a space keeps every offset (and so every line number) in place.
  const source = text.startsWith('\uFEFF') ? ' ' + text.slice(1) : text;
  let imports: readonly Import[];
  let isModule: boolean;
  try {
    [imports, , , isModule] = lexer().parse(source);
  } catch (err) {
    return { imports: [], error: lexFailure(err, source) };
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
          imp: {
            specifier: imp.specifier,
            kind: imp.probablyTypeOnly ? 'type' : 'dynamic',
            line: lineOf(imp.importStart),
          },
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
  // es-module-lexer does not count TypeScript's `export = x` as module syntax; tsc does.
  const declared = source.includes('declare')
    ? lexDeclareModules(source, isModule || EXPORT_ASSIGNMENT.test(source))
    : [];
  if (typeof declared === 'string') return { imports: [], error: `cannot lex declare module: ${declared}` };
  for (const d of declared) found.push({ at: d.at, imp: { specifier: d.specifier, kind: 'type', line: lineOf(d.at) } });
  found.sort((a, b) => a.at - b.at);
  return { imports: found.map((f) => f.imp), error: null };
}

/** `export = x` at the start of a line (in a comment too: a needless edge at most). */
const EXPORT_ASSIGNMENT = /^[ \t]*export[ \t]*=/m;

/** `declare` `module` then a quote, on one line as TypeScript requires of both keywords. */
const DECLARE_MODULE = /(?<![\w$#\\\u0080-\uffff])declare[ \t]+module[ \t]*(?=['"])/g;

/**
 * The specifiers of `declare module 'x'` that name a module: in a module (a
 * file with import or export) it is an augmentation of what 'x' resolves to,
 * which tsc reads with it (TypeScript handbook, "Declaration Merging",
 * "Module Augmentation"). In a script it declares an ambient module and
 * resolves nothing, except a relative name, which only an augmentation may
 * have (tsc reports it otherwise: an edge there costs nothing). A pattern
 * ('*.svg') names no file. Or the lexer's error message.
 *
 * As for require() below: each match becomes `import` and spaces (same
 * length) and es-module-lexer alone decides what is code and what a literal.
 */
function lexDeclareModules(source: string, isModule: boolean): { at: number; specifier: string }[] | string {
  const starts: number[] = [];
  let rewritten = '';
  let copied = 0;
  for (const m of source.matchAll(DECLARE_MODULE)) {
    starts.push(m.index);
    rewritten += source.slice(copied, m.index) + 'import'.padEnd(m[0].length, ' ');
    copied = m.index + m[0].length;
  }
  if (starts.length === 0) return [];
  rewritten += source.slice(copied);
  const imports = lexRewritten(rewritten);
  if (typeof imports === 'string') return imports;
  const isDeclare = new Set(starts);
  const out: { at: number; specifier: string }[] = [];
  for (const imp of imports) {
    if (imp.type !== 'static' || !isDeclare.has(imp.importStart)) continue;
    const s = imp.specifier;
    if (s.includes('*')) continue;
    if (isModule || s.startsWith('./') || s.startsWith('../') || s === '.' || s === '..')
      out.push({ at: imp.importStart, specifier: s });
  }
  return out;
}

/** es-module-lexer's imports of a rewritten source, or its error message. */
function lexRewritten(rewritten: string): readonly Import[] | string {
  try {
    return lexer().parse(rewritten)[0];
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/** A triple-slash `/// <reference path="…" />` directive, alone on its line. */
const REFERENCE_PATH = /^[ \t]*\/\/\/[ \t]*<reference[ \t]+path[ \t]*=[ \t]*(["'])([^"'\n]+)\1/gm;

/**
 * The files `/// <reference path="x" />` directives name, as relative
 * specifiers: tsc reads each with the file (TypeScript handbook,
 * "Triple-Slash Directives"), a path relative to the file's directory.
 * tsc honours them only above the first statement; taking every one is a
 * superset, which costs a needless re-run at most. `types="pkg"` and
 * `lib="…"` name no file of the tree and are left to the tool's "inputs".
 */
function referencedPaths(source: string): { at: number; specifier: string }[] {
  const out: { at: number; specifier: string }[] = [];
  for (const m of source.matchAll(REFERENCE_PATH)) {
    const p = m[2]!;
    const specifier = p.startsWith('/') || p.startsWith('./') || p.startsWith('../') ? p : `./${p}`;
    out.push({ at: m.index + m[0].indexOf('///'), specifier });
  }
  return out;
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
  const imports = lexRewritten(rewritten);
  if (typeof imports === 'string') return imports;
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
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x24 /* $ */ ||
    code === 0x5f /* _ */ ||
    code === 0x5c /* \ of an escape */ ||
    code > 0x7f ||
    // A private method `#require(...)`: `this.# import(...)` would lex as a call.
    code === 0x23
  ); /* # */
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function lexFailure(err: unknown, source: string): string {
  const message = err instanceof Error ? err.message : String(err);
  const idx = typeof err === 'object' && err !== null && 'idx' in err && typeof err.idx === 'number' ? err.idx : null;
  const where = idx === null ? '' : ` (line ${lineCounter(source)(idx)})`;
  return `cannot lex: ${message}${where}`;
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

export type { JsFileImports, JsImport } from './javascript-imports.js';
export { resolveJsImport, parseJsonc, type JsDep } from './javascript-resolve.js';
export type { JsResolver } from './javascript-resolver.js';
