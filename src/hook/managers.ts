// Finds the git-hook manager a repository uses (husky, lefthook,
// simple-git-hooks), from git's hooks directory and the files each tool
// keeps. Reads a few small files; writes nothing.
import fs from 'node:fs';
import path from 'node:path';
import { HOOK_NAME } from './script.js';

/**
 * husky: `dir` is the folder husky keeps (`.husky`), whose `pre-commit` runner adds its line to;
 * `active` when git runs husky's hooks (core.hooksPath names its folder), false before husky is set up in this clone.
 * lefthook, simple-git-hooks: `config` is the file to edit, null when only their installed hook was seen.
 */
export type HookManager =
  | { kind: 'husky'; dir: string; active: boolean }
  | { kind: 'lefthook'; config: string | null }
  | { kind: 'simple-git-hooks'; config: string | null };

/** lefthook's config names (lefthook's docs, "Configuration"; the `.config/` ones from 1.7). */
const LEFTHOOK_CONFIGS = ['yml', 'yaml', 'toml', 'json', 'jsonc'].flatMap((ext) => [
  `lefthook.${ext}`,
  `.lefthook.${ext}`,
  `.config/lefthook.${ext}`,
]);

/** simple-git-hooks' own config files, besides package.json's "simple-git-hooks" key (its README). */
const SIMPLE_GIT_HOOKS_CONFIGS = ['cjs', 'js', 'mjs', 'json'].flatMap((ext) => [
  `.simple-git-hooks.${ext}`,
  `simple-git-hooks.${ext}`,
]);

const isFile = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isFile() === true;
const isDir = (p: string): boolean => fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true;

function readText(p: string): string | null {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return null;
  }
}

function readPackageJson(dir: string): Record<string, unknown> | null {
  const text = readText(path.join(dir, 'package.json'));
  if (text === null) return null;
  try {
    const json: unknown = JSON.parse(text);
    return typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : null;
  } catch {
    return null; // not ours to judge; npm says so
  }
}

function hasHuskyInPackage(pkg: Record<string, unknown>): boolean {
  const has = (key: string): boolean => {
    const deps = pkg[key];
    return typeof deps === 'object' && deps !== null && 'husky' in deps;
  };
  const scripts = pkg.scripts;
  const prepare =
    typeof scripts === 'object' && scripts !== null ? (scripts as Record<string, unknown>).prepare : undefined;
  return has('devDependencies') || has('dependencies') || (typeof prepare === 'string' && /\bhusky\b/.test(prepare));
}

/** The husky folder git's hooks directory belongs to, or null. */
function huskyOfHooksDir(hooks: string): string | null {
  const base = path.basename(hooks);
  // husky 9 sets core.hooksPath to DIR/_ and writes its stubs and `h` there (husky's index.js); husky 5 to 8, to DIR itself.
  if (base === '_' && (path.basename(path.dirname(hooks)) === '.husky' || isFile(path.join(hooks, 'h'))))
    return path.dirname(hooks);
  if (base === '.husky') return hooks;
  return null;
}

/** The directories from the source tree up to the work tree's root, nearest first. */
function upToTop(top: string, sourceTree: string): string[] {
  const dirs: string[] = [];
  for (let d = sourceTree; ; d = path.dirname(d)) {
    dirs.push(d);
    if (d === top || path.dirname(d) === d || !d.startsWith(top + path.sep)) break;
  }
  return dirs;
}

/**
 * The hook manager in charge of `hooks` (git's hooks directory), or null.
 * Git runs husky's hooks when core.hooksPath names husky's folder, so that
 * wins; then a lefthook or simple-git-hooks config, or their installed hook
 * (each rewrites `pre-commit` when it installs); last, a `.husky/` folder with
 * husky in package.json, in a clone where husky has not run yet.
 */
export function detectHookManager(top: string, sourceTree: string, hooks: string): HookManager | null {
  const husky = huskyOfHooksDir(hooks);
  if (husky !== null) return { kind: 'husky', dir: husky, active: true };
  const dirs = upToTop(top, sourceTree);
  const installed = readText(path.join(hooks, HOOK_NAME)) ?? '';
  for (const dir of dirs) {
    const config = LEFTHOOK_CONFIGS.map((n) => path.join(dir, n)).find(isFile);
    if (config !== undefined) return { kind: 'lefthook', config };
  }
  if (/\blefthook\b/.test(installed)) return { kind: 'lefthook', config: null };
  for (const dir of dirs) {
    const own = SIMPLE_GIT_HOOKS_CONFIGS.map((n) => path.join(dir, n)).find(isFile);
    if (own !== undefined) return { kind: 'simple-git-hooks', config: own };
    const pkg = readPackageJson(dir);
    if (pkg !== null && 'simple-git-hooks' in pkg)
      return { kind: 'simple-git-hooks', config: path.join(dir, 'package.json') };
  }
  // simple-git-hooks writes this variable's check into every hook it installs (its simple-git-hooks.js).
  if (installed.includes('SKIP_SIMPLE_GIT_HOOKS')) return { kind: 'simple-git-hooks', config: null };
  for (const dir of dirs) {
    const pkg = readPackageJson(dir);
    if (isDir(path.join(dir, '.husky')) && pkg !== null && hasHuskyInPackage(pkg))
      return { kind: 'husky', dir: path.join(dir, '.husky'), active: false };
  }
  return null;
}
