// `runner init`: writes the starting config decideStarter chose for the tree,
// as .runnerrc.json (or the -c file), never over a config that is there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  SCHEMA_REF,
  SEARCH_PLACES,
  displayPath,
  holdsGit,
  resolveSourceTree,
  validateConfig,
} from '../config/index.js';
import { PYTEST_CONFIG_NAMES, optionList, parseJsonc, readPytestSection } from '../deps/index.js';
import { InitError } from '../errors.js';
import { listTree } from './list-tree.js';
import type { PytestOptions } from './pytest-tool.js';
import { type Found, decideStarter, isTypeScript, passedTypes } from './starter.js';
import { formatStarter } from './format.js';

export interface InitOptions {
  cwd: string;
  /** -C: the source tree (default cwd). */
  sourceTree?: string;
  /** -c: the file to write instead of .runnerrc.json in the source tree. */
  configFile?: string;
  /** Whether the node that runs `node --test` runs .ts files itself. */
  nodeRunsTypeScript: boolean;
}

export interface InitResult {
  /** Absolute path of the file written. */
  file: string;
  /** As the user names it (relative to cwd when inside it). */
  displayFile: string;
  found: Found;
  config: Record<string, unknown>;
  notes: string[];
}

export const STARTER_FILE = '.runnerrc.json';

export function initConfig(opts: InitOptions): InitResult {
  const sourceTree = resolveSourceTree(opts.cwd, opts.sourceTree);
  const shown = (f: string): string => displayPath(opts.cwd, f);
  const file =
    opts.configFile === undefined ? path.join(sourceTree, STARTER_FILE) : path.resolve(opts.cwd, opts.configFile);
  for (const existing of [file, ...SEARCH_PLACES.map((p) => path.join(sourceTree, p))]) {
    if (!holdsConfig(existing)) continue;
    throw new InitError({
      path: shown(existing),
      problem: existing.endsWith('package.json') ? 'holds a runner config already ("runner")' : 'exists already',
      hint: 'runner init never overwrites a config: edit that one, or move it away and run runner init again',
    });
  }
  const listed = listTree(sourceTree);
  const hasLocalTsc = fs.existsSync(path.join(sourceTree, 'node_modules', '.bin', 'tsc'));
  const tsconfig = readJsonc(path.join(sourceTree, 'tsconfig.json'));
  const starter = decideStarter(
    {
      ...listed,
      tsconfig,
      hasLocalTsc,
      typeInputs: typeInputs(sourceTree, tsconfig),
      tscMajor: listed.files.some(isTypeScript) ? tscMajor(sourceTree, hasLocalTsc) : null,
      nodeRunsTypeScript: opts.nodeRunsTypeScript,
      pytest: rootPytestOptions(sourceTree),
    },
    SCHEMA_REF,
  );
  if (starter.config === null) {
    throw new InitError({
      path: shown(sourceTree),
      problem: 'holds no Python, JavaScript or TypeScript file (node_modules, hidden directories and venvs left out)',
      hint: 'write a config by hand: `runner config --dump` prints a template',
    });
  }
  const above = opts.configFile === undefined ? configAbove(sourceTree) : null;
  if (above !== null) {
    starter.notes.push(
      `${shown(above)} above stays the config of the rest of the tree; here and below, runner now finds this one first.`,
    );
  }
  validateConfig(starter.config, shown(file)); // a starter runner itself would refuse is a bug: stop before writing
  try {
    // wx: created here or not at all, even should another config appear meanwhile.
    fs.writeFileSync(file, formatStarter(starter.config), { flag: 'wx' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InitError({
      path: shown(file),
      problem: code === 'EEXIST' ? 'exists already' : `cannot be written (${code})`,
      hint:
        code === 'EEXIST'
          ? 'runner init never overwrites a config'
          : 'expected a writable directory (or give another file with -c)',
    });
  }
  return { file, displayFile: shown(file), found: starter.found, config: starter.config, notes: starter.notes };
}

/** A config file cosmiconfig would load: any search place that exists, and package.json only with a "runner" key. */
function holdsConfig(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  if (path.basename(file) !== 'package.json') return true;
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
    return typeof pkg === 'object' && pkg !== null && 'runner' in pkg;
  } catch {
    return false; // not JSON: cosmiconfig would fail on it, not find a config in it
  }
}

/** The config runner would have found above the tree (the search stops at the repository's root), if any. */
function configAbove(sourceTree: string): string | null {
  for (let dir = sourceTree; !holdsGit(dir);) {
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
    const found = SEARCH_PLACES.map((p) => path.join(dir, p)).find(holdsConfig);
    if (found !== undefined) return found;
  }
  return null;
}

/**
 * The major version of the tsc the starter's command runs, as it says itself (a pnpm tree's .bin/tsc is a
 * shell script, not a link to the package); null when it does not answer.
 */
function tscMajor(sourceTree: string, local: boolean): number | null {
  const r = spawnSync(local ? path.join(sourceTree, 'node_modules', '.bin', 'tsc') : 'tsc', ['--version'], {
    cwd: sourceTree,
    encoding: 'utf8',
    timeout: 30_000,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const m = r.status === 0 ? /^Version (\d+)\./m.exec(r.stdout) : null;
  return m === null ? null : Number(m[1]);
}

/**
 * What tsc loads with no import naming it, as the tsc tool's inputs (a change there can change any file's
 * result, and no file's dependencies hold it): node_modules/@types whole when the command passes no `types`
 * (tsc then loads every package there), else the package.json of each package it names (its version). Only
 * what exists.
 */
function typeInputs(sourceTree: string, tsconfig: unknown): string[] {
  const exists = (rel: string): boolean => fs.existsSync(path.join(sourceTree, rel));
  const types = passedTypes(tsconfig);
  if (types === null) return exists('node_modules/@types') ? ['node_modules/@types'] : [];
  const out: string[] = [];
  for (const t of types) {
    if (t === '') continue;
    // "vite/client" is package vite's; "@scope/x/y" is @scope/x's, whose types package is @types/scope__x.
    const pkg = t
      .split('/')
      .slice(0, t.startsWith('@') ? 2 : 1)
      .join('/');
    const typesPkg = `@types/${pkg.replace(/^@([^/]+)\//, '$1__')}`;
    const found = [`node_modules/${typesPkg}/package.json`, `node_modules/${pkg}/package.json`].find(exists);
    if (found !== undefined && !out.includes(found)) out.push(found);
  }
  return out;
}

function readJsonc(file: string): unknown {
  try {
    return parseJsonc(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * The options of the configuration pytest takes at the root (the first of
 * its names holding its section there); null when there is none, or none
 * runner can read (then the starter takes pytest's defaults).
 */
function rootPytestOptions(sourceTree: string): PytestOptions | null {
  for (const name of PYTEST_CONFIG_NAMES) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(sourceTree, name), 'utf8');
    } catch {
      continue; // none, or unreadable: pytest's defaults
    }
    const section = readPytestSection(name, text);
    if (section.kind === 'none') continue;
    if (section.kind === 'unreadable') return null;
    const list = (key: string): string[] | null => {
      const v = section.options.get(key);
      return v === undefined ? null : optionList(v);
    };
    return {
      testpaths: list('testpaths'),
      norecursedirs: list('norecursedirs'),
      pythonpath: list('pythonpath'),
      ignore: ignoredBy(list('addopts') ?? []),
    };
  }
  return null;
}

/** The paths and globs `--ignore` and `--ignore-glob` name in pytest's addopts (`--ignore=P` or `--ignore P`). */
function ignoredBy(addopts: readonly string[]): string[] {
  const out: string[] = [];
  addopts.forEach((w, i) => {
    const m = /^--ignore(?:-glob)?(?:=(.*))?$/.exec(w);
    if (m === null) return;
    const value = m[1] ?? addopts[i + 1];
    if (value !== undefined) out.push(value);
  });
  return out;
}
