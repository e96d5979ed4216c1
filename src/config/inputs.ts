// Digests a tool's declared inputs: a file, a directory (its content,
// recursively), or a glob matched against the source tree at each run. Each
// file is read only when its stat changed (input-cache.ts). What it returns
// enters the latch: keyed by what the config names (paths as written, or
// relative to the source tree), never by an absolute path of this checkout.
import fs from 'node:fs';
import path from 'node:path';
import { hashString } from '../hash.js';
import { describeKind, kindOf } from '../regular-file.js';
import { compileGlobs, digestFile, globBase } from '../scan/index.js';
import { treePath } from '../tree-path.js';
import type { InputCache } from './input-cache.js';
import { isGlobPattern } from './validate/globs.js';

/** Beyond this many files a directory or glob input is latched as one digest: explain then names the entry, not the file. */
export const MAX_LISTED_FILES = 1000;

/** Latch values that are not digests. Each differs from every digest, so a change between them re-runs the jobs. */
export const INPUT_MISSING = 'missing';
export const INPUT_NO_MATCH = 'no match';
export const INPUT_EMPTY_DIR = 'empty directory';

export interface InputProblem {
  /** The entry as the config declares it. */
  entry: string;
  kind: 'missing' | 'no-match' | 'unreadable' | 'not-a-file';
  /** For unreadable: the file below the entry, and why; for not-a-file: the file and what it is. */
  detail?: string;
}

export interface InputScope {
  sourceTree: string;
  /** Source-tree-relative paths no input walks: .git and the state directory. */
  isOwn(rel: string): boolean;
  /**
   * The config's exclude. A glob input matches it against tree paths; a named
   * directory against paths below itself, so `node_modules/x` or an excluded
   * `_vendor` named as an input is walked, its own `__pycache__` still not.
   */
  isExcluded(rel: string): boolean;
  cache: InputCache;
}

export interface InputDigests {
  /** Latch key -> content digest (or one of the INPUT_* values). */
  digests: Record<string, string>;
  /** Absolute paths of every file the inputs cover now, and of every plain entry (watch mode watches them). */
  paths: string[];
  problems: InputProblem[];
}

/** Reads one file's digest, through the cache; a value that names why when it cannot. */
function fileDigest(scope: InputScope, abs: string, st: fs.Stats): string {
  const cached = scope.cache.file(abs, st);
  if (cached !== undefined) return cached;
  const at = Date.now();
  const digest = digestFile(abs); // streamed: a file of any size, never whole in memory
  scope.cache.storeFile(abs, st, digest, at);
  return digest;
}

/** A directory's entries, through the cache. */
function listDir(scope: InputScope, abs: string, st: fs.Stats): { files: string[]; dirs: string[] } {
  const cached = scope.cache.dir(abs, st);
  if (cached !== undefined) return cached;
  const at = Date.now();
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of fs.readdirSync(abs, { withFileTypes: true })) (e.isDirectory() ? dirs : files).push(e.name);
  files.sort();
  dirs.sort();
  scope.cache.storeDir(abs, st, files, dirs, at);
  return { files, dirs };
}

const errCode = (err: unknown): string => (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';

/**
 * Every file below `absDir`, as [key, absolute path, stat], keys being `keyPrefix`
 * plus the path below; `treeRel` (the directory's path in the source tree, or
 * null outside it) decides what is skipped. A symbolic link to a directory is
 * not entered (it could loop); its target is latched instead.
 */
function walkFiles(
  scope: InputScope,
  absDir: string,
  keyPrefix: string,
  treeRel: string | null,
  excludeBase: string,
  visit: (key: string, abs: string, rel: string | null) => void,
  problems: (key: string, detail: string) => void,
): void {
  let st: fs.Stats;
  let listing: { files: string[]; dirs: string[] };
  try {
    st = fs.statSync(absDir);
    listing = listDir(scope, absDir, st);
  } catch (err) {
    problems(keyPrefix, `directory, ${errCode(err)}`);
    return;
  }
  const join = (a: string, b: string): string => (a === '' ? b : `${a}/${b}`);
  const skipped = (rel: string): boolean =>
    scope.isOwn(rel) || scope.isExcluded(excludeBase === '' ? rel : rel.slice(excludeBase.length + 1));
  for (const name of listing.files) {
    const rel = treeRel === null ? null : join(treeRel, name);
    if (rel !== null && skipped(rel)) continue;
    visit(join(keyPrefix, name), path.join(absDir, name), rel);
  }
  for (const name of listing.dirs) {
    const rel = treeRel === null ? null : join(treeRel, name);
    if (rel !== null && skipped(rel)) continue;
    walkFiles(scope, path.join(absDir, name), join(keyPrefix, name), rel, excludeBase, visit, problems);
  }
}

/** The source-tree-relative form of an absolute path, or null when it lies outside the tree. */
function treeRelative(sourceTree: string, abs: string): string | null {
  return treePath(sourceTree, abs);
}

/** Where an entry points: `~/x` under HOME, an absolute path as is, anything else in the source tree. */
export function resolveInput(entry: string, sourceTree: string, home: string | undefined): string | null {
  if (entry === '~' || entry.startsWith('~/'))
    return home === undefined || home === '' ? null : path.join(home, entry.slice(1));
  return path.resolve(sourceTree, entry);
}

/** Digests the entries of one tool's `inputs`. `home` is the HOME the tools see, for `~/` entries. */
export function digestInputs(scope: InputScope, entries: readonly string[], home: string | undefined): InputDigests {
  const out: InputDigests = { digests: {}, paths: [], problems: [] };
  for (const entry of entries) {
    const found: [string, string][] = [];
    const file = (key: string, abs: string): void => {
      out.paths.push(abs);
      let st: fs.Stats;
      try {
        st = fs.statSync(abs);
      } catch (err) {
        // A dangling link, or a file gone since its directory was listed: latched as missing.
        if (errCode(err) !== 'ENOENT')
          out.problems.push({ entry, kind: 'unreadable', detail: `${key} (${errCode(err)})` });
        found.push([key, INPUT_MISSING]);
        return;
      }
      if (st.isDirectory()) {
        found.push([key, 'link to a directory: ' + fs.readlinkSync(abs)]);
        return;
      }
      if (!st.isFile()) {
        // A fifo, socket or device: reading it could wait for ever, so it is never read. Its content is
        // unknown, so, as for an unreadable file, the value differs each run and the jobs run every time.
        const what = describeKind(kindOf(st));
        out.problems.push({ entry, kind: 'not-a-file', detail: `${key} is ${what}` });
        found.push([key, `not a regular file (${what}, ${Date.now()})`]);
        return;
      }
      try {
        found.push([key, fileDigest(scope, abs, st)]);
      } catch (err) {
        out.problems.push({ entry, kind: 'unreadable', detail: `${key} (${errCode(err)})` });
        // Not a digest, and unlike any earlier value: the jobs run while runner cannot read what they depend on.
        found.push([key, `unreadable (${errCode(err)}, ${Date.now()})`]);
      }
    };
    const unreadableDir = (key: string, detail: string): void => {
      out.problems.push({ entry, kind: 'unreadable', detail: `${key === '' ? '.' : key} (${detail})` });
      // Unlike any earlier value: the jobs run while runner cannot list what they depend on.
      found.push([key === '' ? entry : key, `unreadable directory (${Date.now()})`]);
    };

    if (isGlobPattern(entry)) {
      const base = globBase(entry);
      const matches = compileGlobs([entry]);
      const baseAbs = path.join(scope.sourceTree, base);
      const baseStat = fs.statSync(baseAbs, { throwIfNoEntry: false });
      if (baseStat?.isDirectory() === true) {
        walkFiles(
          scope,
          baseAbs,
          base,
          base,
          '',
          (key, abs, rel) => {
            if (rel !== null && matches(rel)) file(key, abs);
          },
          unreadableDir,
        );
      }
      if (found.length === 0) {
        out.problems.push({ entry, kind: 'no-match' });
        out.digests[entry] = INPUT_NO_MATCH;
        continue;
      }
    } else {
      const abs = resolveInput(entry, scope.sourceTree, home);
      const st = abs === null ? undefined : fs.statSync(abs, { throwIfNoEntry: false });
      if (abs !== null) out.paths.push(abs);
      if (abs === null || st === undefined) {
        out.problems.push({ entry, kind: 'missing', ...(abs === null ? { detail: 'HOME is not set' } : {}) });
        out.digests[entry] = INPUT_MISSING;
        continue;
      }
      if (!st.isDirectory()) {
        file(entry, abs);
      } else {
        const rel = treeRelative(scope.sourceTree, abs);
        walkFiles(scope, abs, entry === '.' ? '' : entry, rel, rel ?? '', file, unreadableDir);
        if (found.length === 0) found.push([entry, INPUT_EMPTY_DIR]);
      }
    }
    if (found.length > MAX_LISTED_FILES) {
      found.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      out.digests[entry] = `${found.length} files ${hashString(found.map(([k, d]) => `${k}\0${d}`).join('\n'))}`;
    } else {
      for (const [key, digest] of found) out.digests[key] = digest;
    }
  }
  return out;
}

/** The warning for one problem, naming the tool's key and the entry as the config wrote it. */
export function describeInputProblem(toolIndex: number, toolName: string, p: InputProblem): string {
  const where = `tools[${toolIndex}].inputs (tool "${toolName}")`;
  switch (p.kind) {
    case 'missing':
      return `${where}: ${p.entry} is missing${p.detail === undefined ? '' : ` (${p.detail})`}; latched as missing, so creating it re-runs the tool's jobs`;
    case 'no-match':
      return `${where}: ${p.entry} matches no file; latched as such, so a matching file re-runs the tool's jobs`;
    case 'not-a-file':
      return `${where}: ${p.detail ?? p.entry}${p.detail?.startsWith(p.entry) === true ? '' : ` (in ${p.entry})`}, which runner never reads (it could wait for ever); the tool's jobs run every time`;
    case 'unreadable':
      return `${where}: ${p.detail ?? p.entry} cannot be read${p.detail?.startsWith(p.entry) === true ? '' : ` (in ${p.entry})`}; the tool's jobs run until it can`;
  }
}
