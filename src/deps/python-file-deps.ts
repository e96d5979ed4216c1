// One file's direct python dependencies: its imports resolved every way the
// file may be run, and, for a job's file, the conftest.py files pytest loads
// before it. Pure over the resolver's view of the file system.
import path from 'node:path';
import type { RelPath } from '../types.js';
import { type DirectDeps, UNREADABLE_PYTEST_PLUGINS } from './direct-deps.js';
import { fileDep } from './import-dep.js';
import {
  type Exists,
  type PythonDep,
  type PythonFileImports,
  type PythonImport,
  type PythonResolver,
  resolvePythonImport,
} from './python.js';

/** What python-imports.py lists for a pytest_plugins value that is not literal module names. */
const PYTEST_PLUGINS_UNKNOWN = '<pytest_plugins>';

/** Whether dir holds something an import of `top` could load: a package, a module, an extension. */
function hasTopName(exists: Exists, dir: string, top: string, suffixes: readonly string[]): boolean {
  const base = `${dir}/${top}`;
  return (
    exists(base) !== null ||
    exists(`${base}.py`) !== null ||
    exists(`${base}.pyc`) !== null ||
    suffixes.some((s) => exists(base + s) !== null)
  );
}

/**
 * Resolves one file's imports (with the modules its pytest_plugins names,
 * which pytest imports) to its direct dependencies. For a tracked file
 * (a job's file), every conftest.py from its directory up to the source tree
 * root counts too: pytest loads them, with what they import, before the test;
 * and so does each __init__.py of the packages the file sits in.
 * `fronts` are pytest's `pythonpath` lists (pytest-pythonpath.ts): each is one
 * more way the file may be run, with those directories ahead of sys.path.
 */
export function fileResolver(
  base: Omit<PythonResolver, 'searchPath'>,
  sysPath: readonly string[],
  fronts: readonly (readonly string[])[] = [],
) {
  const { sourceTree, exists } = base;
  const fromTree = { ...base, searchPath: [sourceTree, ...sysPath] };
  const fromSysPath = { ...base, searchPath: [...sysPath] };
  // pytest inserts `pythonpath` at sys.path's front when it starts, then the test's rootdir (prepend import mode)
  // ahead of it; `python3 -m pytest` has the current directory behind it.
  const fromFronts = fronts.map((f) => ({ ...base, searchPath: [...f, sourceTree, ...sysPath] }));
  // An absolute import resolves alike from every file: remember each answer.
  const memo = new Map<string, PythonDep[]>();
  const resolve = (imp: PythonImport, from: RelPath, r: PythonResolver, key: string | null): PythonDep[] => {
    if (key === null) return resolvePythonImport(imp, from, r);
    let deps = memo.get(key);
    if (deps === undefined) memo.set(key, (deps = resolvePythonImport(imp, from, r)));
    return deps;
  };
  return (p: RelPath, found: PythonFileImports, isTracked: boolean): DirectDeps => {
    const fileDir = p.startsWith('/') ? path.dirname(p) : path.join(sourceTree, path.dirname(p));
    const filesOut = new Set<RelPath>();
    const external = new Set<string>();
    const unresolved = new Set<string>();
    const add = (dep: PythonDep): void => {
      if (dep.kind === 'file') {
        if (dep.path !== p) filesOut.add(dep.path);
      } else if (dep.kind === 'external') {
        if (dep.path !== p) external.add(dep.path);
      } else unresolved.add(dep.name);
    };
    for (const imp of found.imports) {
      if (imp.module === PYTEST_PLUGINS_UNKNOWN) {
        // Outside the tree, like a computed import_module(), it is not followed: a library's module
        // would re-run every test that imports it, every time.
        if (!p.startsWith('/')) unresolved.add(UNREADABLE_PYTEST_PLUGINS);
        continue;
      }
      const absolute = imp.level === 0;
      const name = `${imp.module}\0${imp.names.join(',')}`;
      // `python3 -m` searches the source tree first, `python3 file.py` the file's own directory:
      // resolve both ways and keep the union, so no way of running it misses a dependency.
      // The second way differs from the sys.path alone only when the file's directory holds the top name.
      const top = imp.module.split('.')[0]!;
      const nearby =
        absolute && top !== '' && fileDir !== sourceTree && hasTopName(exists, fileDir, top, base.extensionSuffixes);
      const ways: [PythonResolver, string | null][] = [
        [fromTree, absolute ? `t\0${name}` : null],
        nearby ? [{ ...base, searchPath: [fileDir, ...sysPath] }, null] : [fromSysPath, absolute ? `s\0${name}` : null],
      ];
      if (absolute) {
        fromFronts.forEach((r, i) =>
          ways.push(nearby ? [{ ...r, searchPath: [fileDir, ...r.searchPath] }, null] : [r, `${i}\0${name}`]),
        );
      }
      for (const [r, key] of ways) for (const dep of resolve(imp, p, r, key)) add(dep);
    }
    if (isTracked) {
      for (let dir = path.dirname(p); ; dir = path.dirname(dir)) {
        const conftest = dir === '.' ? 'conftest.py' : `${dir}/conftest.py`;
        const abs = path.join(sourceTree, conftest);
        if (exists(abs) === 'file') add(fileDep(abs, base));
        if (dir === '.') break;
      }
      // pytest imports a test inside packages by its dotted name (tests.sub.test_x), which runs every
      // __init__.py from the file's directory up to the first directory without one.
      for (let dir = path.dirname(p); dir !== '.'; dir = path.dirname(dir)) {
        const init = path.join(sourceTree, dir, '__init__.py');
        if (exists(init) !== 'file') break;
        add(fileDep(init, base));
      }
    }
    return { files: [...filesOut], external: [...external], unresolved: [...unresolved] };
  };
}
