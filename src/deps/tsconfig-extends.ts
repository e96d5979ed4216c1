// Where a tsconfig's "extends" entry points, found as TypeScript finds it:
// a path, or a package in node_modules read as a JSON module. Reads only
// through the resolver, so the kept graph can prove every read unchanged.
import path from 'node:path';
import type { JsResolver } from './javascript-resolver.js';
import { resolveExports } from './package-exports.js';

/**
 * The file an "extends" entry names (TypeScript's getExtendsConfigPath): a
 * relative or absolute path, ".json" added when the file is missing without
 * it; else a package name looked up in node_modules from `dir` upward as
 * NodeNext resolves a JSON module, with "exports" (conditions require, types,
 * node), else the package.json "tsconfig" field, else tsconfig.json.
 */
export function resolveExtends(spec: string, dir: string, r: JsResolver): string | null {
  if (path.isAbsolute(spec) || spec.startsWith('./') || spec.startsWith('../')) {
    const abs = path.resolve(dir, spec);
    if (r.exists(abs) === 'file' || abs.endsWith('.json')) return abs;
    return r.exists(`${abs}.json`) === 'file' ? `${abs}.json` : null;
  }
  const parts = spec.split('/');
  const nameLength = spec.startsWith('@') ? 2 : 1;
  if (parts.length < nameLength || parts.slice(0, nameLength).some((p) => p === '' || p === '.' || p === '..'))
    return null;
  const name = parts.slice(0, nameLength).join('/');
  const subpath = parts.slice(nameLength).join('/');
  for (let d = dir; ; d = path.dirname(d)) {
    if (path.basename(d) !== 'node_modules') {
      const pkgDir = path.join(d, 'node_modules', name);
      if (r.exists(pkgDir) === 'dir') {
        const found = configInPackage(pkgDir, subpath, r);
        if (found !== null) return found;
      }
    }
    if (path.dirname(d) === d) return null;
  }
}

function configInPackage(pkgDir: string, subpath: string, r: JsResolver): string | null {
  const pkg = r.readJson(path.join(pkgDir, 'package.json'));
  if (isRecord(pkg) && pkg.exports !== undefined && pkg.exports !== null) {
    return resolveExports(
      pkgDir,
      pkg.exports,
      subpath === '' ? '.' : `./${subpath}`,
      ['require', 'types', 'node', 'default'],
      r,
    );
  }
  if (subpath === '') return configInDirectory(pkgDir, pkg, r);
  const candidate = path.join(pkgDir, subpath);
  return (
    jsonFile(candidate, r) ??
    (r.exists(candidate) === 'dir'
      ? configInDirectory(candidate, r.readJson(path.join(candidate, 'package.json')), r)
      : null)
  );
}

/** A directory as a JSON module in a config lookup: its package.json "tsconfig" field, else tsconfig.json. */
function configInDirectory(dir: string, pkg: unknown, r: JsResolver): string | null {
  const field = isRecord(pkg) ? pkg.tsconfig : undefined;
  if (typeof field === 'string' && field !== '') {
    const found = jsonFile(path.resolve(dir, field), r);
    if (found !== null) return found;
  }
  return jsonFile(path.join(dir, 'tsconfig.json'), r);
}

/** `candidate` when it is a .json file, else `candidate.json`. */
function jsonFile(candidate: string, r: JsResolver): string | null {
  if (candidate.endsWith('.json') && r.exists(candidate) === 'file') return candidate;
  return r.exists(`${candidate}.json`) === 'file' ? `${candidate}.json` : null;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
