// Python dependencies in two parts: scanPythonImports() lists each file's imports
// with one helper interpreter per scan, one per CPU for large ones (I/O), and resolvePythonImport() turns one
// import into the files it depends on through a given view of the file system
// (pure). Neither imports or runs the scanned code.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ImportDep, fileDep } from './import-dep.js';
import { packageFile } from '../package-root.js';
import { type RelPath, assertNever } from '../types.js';

export interface PythonImport {
  /** Dotted name without the leading dots: 'a.b', or '' for `from . import x`. */
  module: string;
  /** What a from-import names ('*' for a star import); [] for `import a.b`. */
  names: string[];
  /** Leading dots of a relative import; 0 for an absolute one. */
  level: number;
  line: number;
  /** A literal importlib.import_module() or __import__() call, not an import statement. */
  dynamic: boolean;
}

export interface PythonFileImports {
  imports: PythonImport[];
  /** Why the file could not be read or parsed, e.g. "SyntaxError: invalid syntax (line 3)". */
  error: string | null;
  /** The content digest of what was read (hash.ts's digestBytes); null when unreadable. */
  digest?: string | null;
}

export interface PythonScan {
  /** sys.path of the interpreter under the given env, absolute, without the helper's own directory. */
  sysPath: string[];
  /** importlib.machinery.EXTENSION_SUFFIXES, for PythonResolver. */
  extensionSuffixes: string[];
  /** sys.builtin_module_names, for PythonResolver. */
  builtins: string[];
  /** The interpreter's standard library directories (sysconfig stdlib, platstdlib). */
  stdlib: string[];
  /** site-packages directories (their .pth files extend sys.path). */
  siteDirs: string[];
  /** The existing site directories and their .pth files: what sys.path was built from. */
  siteFiles: string[];
  files: Map<RelPath, PythonFileImports>;
}

// tsc copies no .py file into dist/, so both layouts read the helper from src/:
// this module runs as <package>/src/deps/python.ts under vitest and as
// <package>/dist/deps/python.js when compiled, and from either '../../' is the
// package root. So the published package must include src/deps/python-imports.py.
export const PYTHON_IMPORTS_HELPER = packageFile('src/deps/python-imports.py');

/** Files per helper below which a second one would cost more in start-up than it saves. */
const FILES_PER_HELPER = 1000;

/**
 * Lists the imports of `files` (relative to `sourceTree`) with one `python`
 * process for many files: one for a few thousand, one per CPU (`helpers`) for
 * more, since parsing is CPU-bound. A file that cannot be read or parsed gets
 * an `error`; only a failure of a helper itself rejects.
 */
export async function scanPythonImports(opts: {
  python: string;
  env: Record<string, string>;
  sourceTree: string;
  files: readonly RelPath[];
  signal?: AbortSignal;
  helpers?: number;
}): Promise<PythonScan> {
  if (!fs.existsSync(PYTHON_IMPORTS_HELPER)) {
    throw new Error(`python import helper ${PYTHON_IMPORTS_HELPER} is missing; expected it in the installed package`);
  }
  const count = Math.max(
    1,
    Math.min(opts.helpers ?? os.availableParallelism(), Math.floor(opts.files.length / FILES_PER_HELPER)),
  );
  const parts: RelPath[][] = Array.from({ length: count }, () => []);
  opts.files.forEach((f, i) => parts[i % count]!.push(f));
  const scans = await Promise.all(
    parts.map(async (files) => {
      const request = JSON.stringify({ root: opts.sourceTree, files });
      const out = await runHelper(opts.python, opts.sourceTree, opts.env, request, opts.signal);
      if (out.code !== 0) {
        const how = out.code === null ? `was killed by ${out.signal ?? 'a signal'}` : `exited with ${out.code}`;
        throw new Error(
          `python import helper (${opts.python} ${PYTHON_IMPORTS_HELPER}) ${how}: ${out.stderr.trim() || '(no stderr)'}`,
        );
      }
      return parseAnswer(out.stdout, files, opts.python);
    }),
  );
  const first = scans[0]!;
  if (scans.length === 1) return first;
  // In the order asked, as one helper answers.
  const found = new Map<RelPath, PythonFileImports>();
  opts.files.forEach((f, i) => found.set(f, scans[i % count]!.files.get(f)!));
  return { ...first, files: found };
}

interface HelperOutcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

function runHelper(
  python: string,
  cwd: string,
  env: Record<string, string>,
  request: string,
  signal: AbortSignal | undefined,
): Promise<HelperOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [PYTHON_IMPORTS_HELPER], {
      cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      signal,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => stdout.push(b));
    child.stderr.on('data', (b: Buffer) => stderr.push(b));
    // A helper that dies early closes its stdin (EPIPE); its exit status and
    // stderr say why, so the write error adds nothing.
    child.stdin.on('error', () => {});
    // 'error' is a failed spawn (no such python) or an abort; 'close' may follow it.
    let settled = false;
    child.on('error', (err) => {
      if (settled) return;
      settled = true;
      reject(
        new Error(`python import helper (${python} ${PYTHON_IMPORTS_HELPER}) did not run: ${err.message}`, {
          cause: err,
        }),
      );
    });
    child.on('close', (code, sig) => {
      if (settled) return;
      settled = true;
      resolve({
        code,
        signal: sig,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
    child.stdin.end(request);
  });
}

function parseAnswer(stdout: string, files: readonly RelPath[], python: string): PythonScan {
  const bad = (why: string, cause?: unknown): Error =>
    new Error(`python import helper (${python}) answered badly: ${why}`, cause === undefined ? {} : { cause });
  let answer: unknown;
  try {
    answer = JSON.parse(stdout);
  } catch (err) {
    throw bad('not JSON', err);
  }
  if (!isRecord(answer) || !isRecord(answer.files)) throw bad('no "files" object');
  const { sysPath, extensionSuffixes, builtins, stdlib, siteDirs, siteFiles } = answer;
  if (
    !isStrings(sysPath) ||
    !isStrings(extensionSuffixes) ||
    !isStrings(builtins) ||
    !isStrings(stdlib) ||
    !isStrings(siteDirs) ||
    !isStrings(siteFiles)
  ) {
    throw bad(
      '"sysPath", "extensionSuffixes", "builtins", "stdlib", "siteDirs" and "siteFiles" must be lists of strings',
    );
  }
  const scanned = new Map<RelPath, PythonFileImports>();
  for (const rel of files) {
    const entry = Object.hasOwn(answer.files, rel) ? answer.files[rel] : undefined;
    if (
      !isRecord(entry) ||
      !Array.isArray(entry.imports) ||
      !(entry.error === null || typeof entry.error === 'string')
    ) {
      throw bad(`no well-formed entry for ${rel}`);
    }
    const digest = typeof entry.digest === 'string' ? entry.digest : null;
    scanned.set(rel, { imports: entry.imports as PythonImport[], error: entry.error, digest });
  }
  return { sysPath, extensionSuffixes, builtins, stdlib, siteDirs, siteFiles, files: scanned };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

/** One thing an import depends on. */
export type PythonDep = ImportDep;

/** The file system as resolution sees it; tests pass in-memory sets. */
export interface PythonResolver {
  sourceTree: string;
  /**
   * Absolute entries searched for absolute imports, in order (sys.path plus the
   * job's own first entry). Entries that are not directories are skipped.
   */
  searchPath: string[];
  /** importlib.machinery.EXTENSION_SUFFIXES, e.g. ['.cpython-311-x86_64-linux-gnu.so', '.abi3.so', '.so']. */
  extensionSuffixes: string[];
  /** sys.builtin_module_names: compiled into the interpreter, so nothing to track. */
  builtins: ReadonlySet<string>;
  isTracked(rel: RelPath): boolean;
  exists(abs: string): 'file' | 'dir' | null;
  /** Whether a search path entry is a directory; defaults to exists(). (A stat of the entry, not a listing of its parent.) */
  isSearchDir?(abs: string): boolean;
}

/** Whether there is a file or a directory at an absolute path, as resolution sees it. */
export type Exists = PythonResolver['exists'];

/** What one name found in a list of directories (the search path or a package's __path__). */
type Found =
  /** A module file; packageDir is set when the file is a package's __init__. */
  | { kind: 'module'; file: string; packageDir: string | null }
  /** Directories without __init__ holding the name: a namespace package, no file runs. */
  | { kind: 'namespace'; portions: string[] };

/**
 * The files `imp`, written in `from`, makes Python run or load: the module, each
 * parent package's __init__, and for `from x import y` the submodule x.y when y
 * is one. Deduplicated, in the order found.
 */
export function resolvePythonImport(imp: PythonImport, from: RelPath, r: PythonResolver): PythonDep[] {
  const deps = new Map<string, PythonDep>();
  const add = (dep: PythonDep): void => {
    deps.set(dep.kind === 'unresolved' ? `?${dep.name}` : dep.path, dep);
  };
  const addFile = (abs: string): void => add(fileDep(abs, r));
  const suffixes = [...r.extensionSuffixes, '.py', '.pyc'];
  const parts = imp.module === '' ? [] : imp.module.split('.');

  // Where the imported module's submodules live; null when it is not found.
  let subDirs: string[] | null;
  if (imp.level === 0) {
    if (parts.length === 0) {
      subDirs = null;
    } else if (r.builtins.has(parts[0] ?? '')) {
      // BuiltinImporter precedes PathFinder on sys.meta_path; builtin modules
      // have no file and no submodules.
      subDirs = parts.length === 1 ? [] : null;
    } else {
      // Only directories: a zip on sys.path (python311.zip) needs zipimport,
      // which we do not follow, and stat() below a file fails with ENOTDIR.
      const dirs = r.searchPath.filter((d) => (r.isSearchDir !== undefined ? r.isSearchDir(d) : r.exists(d) === 'dir'));
      subDirs = resolveDotted(parts, dirs, r, suffixes, addFile);
    }
  } else {
    const base = packageDirOf(from, imp.level, r.sourceTree);
    if (base === null) {
      subDirs = null;
    } else {
      // The importing file's package is a parent of the target: its __init__
      // has run by the time the import executes.
      const init = findInit(base, r, suffixes);
      if (init !== null) addFile(init);
      subDirs = parts.length === 0 ? [base] : resolveDotted(parts, [base], r, suffixes, addFile);
    }
  }
  if (subDirs === null) {
    add({ kind: 'unresolved', name: '.'.repeat(imp.level) + imp.module });
    return [...deps.values()];
  }
  // `from x import y`: y is a submodule (loaded, so a dependency) or just a
  // name defined in x (nothing more to track, and not unresolved).
  for (const name of imp.names) {
    if (name === '*' || subDirs.length === 0) continue;
    const sub = findModule(name, subDirs, r, suffixes);
    if (sub?.kind === 'module') addFile(sub.file);
  }
  return [...deps.values()];
}

/**
 * Finds a.b.c the way importlib does: `a` in `dirs`, then `b` only in a's
 * __path__, and so on, passing each module file found to `addFile` (the
 * parents' __init__ files run too). Returns the last module's __path__ ([] for
 * a plain module), or null when some level is missing; the files of the
 * levels above still count then.
 */
function resolveDotted(
  parts: readonly string[],
  dirs: string[],
  r: PythonResolver,
  suffixes: readonly string[],
  addFile: (abs: string) => void,
): string[] | null {
  let searched = dirs;
  for (const part of parts) {
    // A plain module has no submodules.
    if (searched.length === 0) return null;
    const found = findModule(part, searched, r, suffixes);
    if (found === null) return null;
    if (found.kind === 'module') addFile(found.file);
    searched = packageDirs(found);
  }
  return searched;
}

/**
 * One name in a list of directories, in importlib's order (FileFinder.find_spec):
 * in each directory a package (dir with __init__) first, then a module file
 * (extension, source, bytecode); the first directory with either wins. Dirs
 * without __init__ count only when no directory has a module: together they
 * make a namespace package.
 */
function findModule(
  name: string,
  dirs: readonly string[],
  r: PythonResolver,
  suffixes: readonly string[],
): Found | null {
  const portions: string[] = [];
  for (const dir of dirs) {
    const pkgDir = child(dir, name);
    const isDir = r.exists(pkgDir) === 'dir';
    if (isDir) {
      const init = findInit(pkgDir, r, suffixes);
      if (init !== null) return { kind: 'module', file: init, packageDir: pkgDir };
    }
    for (const suffix of suffixes) {
      const file = child(dir, name + suffix);
      if (r.exists(file) === 'file') return { kind: 'module', file, packageDir: null };
    }
    if (isDir) portions.push(pkgDir);
  }
  return portions.length > 0 ? { kind: 'namespace', portions } : null;
}

function findInit(pkgDir: string, r: PythonResolver, suffixes: readonly string[]): string | null {
  for (const suffix of suffixes) {
    const init = child(pkgDir, '__init__' + suffix);
    if (r.exists(init) === 'file') return init;
  }
  return null;
}

/** Where submodules of a found module are searched: its __path__. */
function packageDirs(found: Found): string[] {
  switch (found.kind) {
    case 'module':
      return found.packageDir === null ? [] : [found.packageDir];
    case 'namespace':
      return found.portions;
    default:
      return assertNever(found);
  }
}

/**
 * The directory a relative import of `level` dots starts from: level 1 is the
 * importing file's directory, each further dot one directory up. Null above
 * the source tree root (or, for a file outside it, given by its absolute
 * path, above /), where we cannot know the package.
 */
function packageDirOf(from: RelPath, level: number, sourceTree: string): string | null {
  if (from.startsWith('/')) {
    const up = from.split('/').slice(1, -1);
    if (level - 1 > up.length) return null;
    return '/' + up.slice(0, up.length - (level - 1)).join('/');
  }
  const dirs = from.split('/').slice(0, -1);
  if (level - 1 > dirs.length) return null;
  return path.join(sourceTree, ...dirs.slice(0, dirs.length - (level - 1)));
}

/** A tracked file of the source tree by its RelPath; anything else by absolute path. */

/**
 * dir/name for a normalised absolute dir and a module name (no '/', no '..'):
 * path.join would normalise again, and resolution builds millions of these.
 */
function child(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}
