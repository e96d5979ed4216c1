// The words for imports that resolve nowhere: the scan's warning lines (one
// per specifier, or one summary line past UNRESOLVED_LISTED) and explain's
// line for a job that depends on one.
import type { UnresolvedImport, UnresolvedKind } from '../deps/index.js';
import { assertNever } from '../types.js';

/** Specifiers warned one line each; past this many, a missing `npm install` is the likely cause and one line says so. */
export const UNRESOLVED_LISTED = 5;

function provider(kind: UnresolvedKind, specifier: string): string {
  switch (kind) {
    case 'package':
      return 'no node_modules provides it';
    case 'alias':
      return 'no tsconfig.json "paths" entry provides it';
    case 'subpath':
      return 'no package.json "imports" or tsconfig.json "paths" entry provides it';
    case 'scheme':
      return `runner does not resolve "${specifier.slice(0, specifier.indexOf(':') + 1)}" imports`;
    default:
      return assertNever(kind);
  }
}

function importers(u: UnresolvedImport): string {
  const more = u.files - 1;
  return more === 0 ? u.first : `${u.first} and ${more} more ${more === 1 ? 'file' : 'files'}`;
}

/** The warning lines for one scan's unresolved imports (none for none), each ending in a newline. */
export function renderUnresolvedImports(found: readonly UnresolvedImport[]): string[] {
  if (found.length === 0) return [];
  const lines: string[] = [];
  if (found.length <= UNRESOLVED_LISTED) {
    for (const u of found)
      lines.push(`import "${u.specifier}" in ${importers(u)} resolves nowhere: ${provider(u.kind, u.specifier)}`);
  } else {
    // The most imported one is the likeliest to tell the user what is missing.
    const top = found.reduce((best, u) => (u.files > best.files ? u : best));
    const install = found.some((u) => u.kind === 'package') ? ' (has `npm install` run?)' : '';
    lines.push(
      `${found.length} imports resolve nowhere, e.g. "${top.specifier}" in ${importers(top)}${install}; \`runner scan --json\` lists them all`,
    );
  }
  lines.push(
    'runner sees no code behind these imports, so a change there re-runs no job (a job runs again once its import resolves); list known ones in "ignoreUnresolved" to silence this',
  );
  return lines.map((l) => `runner: warning: ${l}\n`);
}

/** Explain's line for a job that depends on an import resolving nowhere; `via` runs from the job's file to the name. */
export function describeUnresolvedDependency(name: string, via: readonly string[]): string {
  const chain = via.length > 1 ? ` (${via.join(' -> ')})` : '';
  return `depends on import ${name} resolving nowhere${chain}: runs again once it resolves`;
}
