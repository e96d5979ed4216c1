// A package's "exports" and "imports" maps resolved as Node resolves them
// (subpath keys, patterns, conditions); reads only through the resolver.
// Shared by import resolution and tsconfig "extends", so neither imports the other.
import path from 'node:path';
import type { JsResolver } from './javascript-resolver.js';

// TypeScript lets a specifier name the emitted file: `./a.js` finds ./a.ts
// (TypeScript handbook, "Modules - Reference", "File extension substitution").
export const SOURCES_OF_OUTPUT: Readonly<Record<string, readonly string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx', '.d.ts'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};

/**
 * Node's PACKAGE_EXPORTS_RESOLVE (Node docs, "Modules: Packages", "Subpath
 * exports" and "Subpath patterns"): an exact subpath key, else the pattern
 * key with one `*` and the longest prefix; a string, array or conditions
 * object as a whole means `{ ".": it }`.
 */
export function resolveExports(
  pkgDir: string,
  exports: unknown,
  subpath: string,
  conditions: readonly string[],
  r: Pick<JsResolver, 'exists'>,
): string | null {
  const isSubpathMap = isRecord(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  const map: Record<string, unknown> = isSubpathMap ? exports : { '.': exports };
  return resolveSubpathMap(pkgDir, map, subpath, conditions, r);
}

/**
 * An exact key, else the longest-prefix pattern with one `*`, as Node matches
 * "exports" and "imports". `bare` resolves a target that names a package
 * ("imports" only; absent: such a target resolves to nothing).
 */
export function resolveSubpathMap(
  pkgDir: string,
  map: Record<string, unknown>,
  subpath: string,
  conditions: readonly string[],
  r: Pick<JsResolver, 'exists'>,
  bare?: (spec: string) => string | null,
): string | null {
  const target = (value: unknown, star: string | null): string | null => {
    if (bare !== undefined && typeof value === 'string' && !value.startsWith('./') && !value.startsWith('/')) {
      return bare(star === null ? value : value.split('*').join(star));
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
  pkgDir: string,
  target: unknown,
  star: string | null,
  conditions: readonly string[],
  r: Pick<JsResolver, 'exists'>,
): string | null {
  if (typeof target === 'string') {
    if (!target.startsWith('./')) return null;
    const file = path.join(pkgDir, star === null ? target : target.split('*').join(star));
    // A target outside its package is invalid (ERR_INVALID_PACKAGE_TARGET).
    if (file !== pkgDir && !file.startsWith(pkgDir + path.sep)) return null;
    // tsc reads the declaration beside an emitted file an export names
    // (`./index.js` is index.d.ts for types), as for relative specifiers.
    if (conditions.includes('types')) {
      const ext = path.extname(file);
      for (const source of SOURCES_OF_OUTPUT[ext] ?? []) {
        const sibling = file.slice(0, -ext.length) + source;
        if (r.exists(sibling) === 'file') return sibling;
      }
    }
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

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
