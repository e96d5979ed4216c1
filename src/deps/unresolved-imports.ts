// Which javascript imports that resolve nowhere deserve a warning, grouped by
// specifier (issue 11, "Never silent"). Pure: the caller gives the graph's
// direct dependencies and the files jobs reach; nothing is read or printed.
import { builtinModules } from 'node:module';
import type { RelPath } from '../types.js';
import { type DirectDeps, UNREADABLE_IMPORTS } from './direct-deps.js';

/**
 * What an unresolved specifier looks like, which says what would provide it:
 * 'package' a package name (`left-pad`, `@ws/lib/sub`) that no node_modules
 * provides; 'alias' a tsconfig "paths"-style alias (`@/x`, `~/x`); 'subpath'
 * a `#x` import (package.json "imports", or "paths" as Nuxt's `#app`);
 * 'scheme' a `name:` import a bundler provides (`virtual:x`, `https://…`).
 */
export type UnresolvedKind = 'package' | 'alias' | 'subpath' | 'scheme';

export interface UnresolvedImport {
  specifier: string;
  kind: UnresolvedKind;
  /** The first importing file, in path order. */
  first: RelPath;
  /** How many files import it (first included). */
  files: number;
}

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

/** `virtual:`, `https:`: a scheme of two letters or more (one letter would be a Windows drive). */
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]+:/;

/**
 * The kind of an unresolved specifier that warns, or null for one that does
 * not: a relative or absolute path (the tool itself reports the missing
 * file), a Node builtin, a `data:` URL (its code is in the specifier), and
 * the marker of a file whose imports could not be read (explain says that).
 */
export function warnedKind(specifier: string): UnresolvedKind | null {
  if (specifier === '' || specifier === UNREADABLE_IMPORTS) return null;
  if (
    specifier === '.' ||
    specifier === '..' ||
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier.startsWith('/')
  )
    return null;
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return null;
  if (specifier.startsWith('#')) return 'subpath';
  if (specifier.startsWith('~') || specifier.startsWith('@/') || specifier === '@') return 'alias';
  const scheme = SCHEME.exec(specifier);
  if (scheme !== null) return scheme[0] === 'data:' ? null : 'scheme';
  return 'package';
}

/**
 * The unresolved specifiers that warn, one entry per specifier in code-unit
 * order, counting the importing files among `reached` (the files some job
 * depends on; a file no job reaches changes no result).
 */
export function groupUnresolved(
  direct: Iterable<readonly [RelPath, DirectDeps]>,
  reached: (file: RelPath) => boolean,
): UnresolvedImport[] {
  const bySpecifier = new Map<string, UnresolvedImport>();
  for (const [file, deps] of direct) {
    if (deps.unresolved.length === 0 || !reached(file)) continue;
    for (const specifier of deps.unresolved) {
      const kind = warnedKind(specifier);
      if (kind === null) continue;
      const known = bySpecifier.get(specifier);
      if (known === undefined) bySpecifier.set(specifier, { specifier, kind, first: file, files: 1 });
      else {
        known.files++;
        if (file < known.first) known.first = file;
      }
    }
  }
  return [...bySpecifier.values()].sort((a, b) => (a.specifier < b.specifier ? -1 : a.specifier > b.specifier ? 1 : 0));
}

/**
 * Every file the given jobs depend on, themselves included, walking the
 * graph's direct file edges once (O(files + imports)).
 */
export function reachedFrom(jobs: Iterable<RelPath>, filesOf: (file: RelPath) => readonly RelPath[]): Set<RelPath> {
  const reached = new Set<RelPath>();
  const queue: RelPath[] = [];
  for (const j of jobs) {
    if (reached.has(j)) continue;
    reached.add(j);
    queue.push(j);
  }
  for (let i = 0; i < queue.length; i++) {
    for (const f of filesOf(queue[i]!)) {
      if (reached.has(f)) continue;
      reached.add(f);
      queue.push(f);
    }
  }
  return reached;
}

/**
 * The config's "ignoreUnresolved" globs as one test: `*` stands for any run
 * of characters, `/` included (`@internal/*` silences `@internal/a/b`);
 * everything else is literal.
 */
export function specifierMatcher(globs: readonly string[]): (specifier: string) => boolean {
  if (globs.length === 0) return () => false;
  const escape = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^(?:${globs.map((g) => g.split('*').map(escape).join('.*')).join('|')})$`, 's');
  return (specifier) => re.test(specifier);
}
