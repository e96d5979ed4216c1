// The inputs a JavaScript test runner's command implies without naming them:
// vitest and jest read a config file, and the setup files it names run before
// every test (as pytest's conftest.py does), yet no test imports either. A
// tool whose command runs one of them gets these files as inputs beside its
// declared ones, with what they import (setup-imports.ts), so an edit to any
// of them re-runs its jobs. Reads the config as text (it is code: runner never
// runs it) and takes the string literals given to its setup keys (setupFiles
// and the like) that name files of the tree; other literals (aliases to a
// package's index) are not inputs of every test.
import fs from 'node:fs';
import path from 'node:path';
import { compileGlobs } from '../scan/index.js';
import { treePath } from '../tree-path.js';
import type { RelPath } from '../types.js';
import type { InputCache } from './input-cache.js';
import { setupImports } from './setup-imports.js';

type TestRunner = 'vitest' | 'jest';

const EXTENSIONS = ['ts', 'mts', 'cts', 'js', 'mjs', 'cjs'];

/** The config files each runner looks for in its working directory, in its order. */
const CONFIG_NAMES: Record<TestRunner, string[]> = {
  vitest: [
    ...EXTENSIONS.map((e) => `vitest.config.${e}`),
    ...EXTENSIONS.map((e) => `vite.config.${e}`),
    ...EXTENSIONS.map((e) => `vitest.workspace.${e}`),
    'vitest.workspace.json',
  ],
  jest: [...EXTENSIONS.map((e) => `jest.config.${e}`), 'jest.config.json'],
};

/** A config bigger than this is not read for file names (it is data, not a config). */
const MAX_CONFIG_BYTES = 256 * 1024;

/** The command's words, quotes taken off: enough to find the runner and its --config. */
function wordsOf(command: string | readonly string[]): string[] {
  if (typeof command !== 'string') return [...command];
  return command
    .split(/\s+/)
    .filter((w) => w !== '')
    .map((w) => w.replace(/^['"]|['"]$/g, ''));
}

function runnerOf(words: readonly string[]): { runner: TestRunner; config: string | null } | null {
  for (let i = 0; i < words.length; i++) {
    const base = path.basename(words[i]!).replace(/\.(c|m)?js$/, '');
    if (base !== 'vitest' && base !== 'jest') continue;
    let config: string | null = null;
    for (let j = i + 1; j < words.length; j++) {
      const w = words[j]!;
      if (w === '--config' || w === '-c') config = words[j + 1] ?? null;
      else if (w.startsWith('--config=')) config = w.slice('--config='.length);
    }
    return { runner: base, config };
  }
  return null;
}

/** The config keys whose values name files that run before or around every test. */
const SETUP_KEYS = ['setupFiles', 'setupFilesAfterEnv', 'globalSetup', 'snapshotSerializers', 'testEnvironment'];

const LITERAL = /'([^'\\\n]{1,400})'|"([^"\\\n]{1,400})"|`([^`\\$\n]{1,400})`/g;

/** A value's text: an array up to its matching ']' (arrays and objects may nest in it), else up to the end of its line. */
function valueText(rest: string): string {
  if (!rest.startsWith('[')) return rest.split('\n')[0]!;
  let depth = 0;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i];
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return rest.slice(0, i + 1);
  }
  return rest;
}

/** String literals (quoted with ', " or `, without interpolation) in what `keys` are given: one, or an array. */
function stringLiterals(text: string, keys: readonly string[] = SETUP_KEYS): string[] {
  const out: string[] = [];
  const key = new RegExp(`\\b(?:${keys.join('|')})['"]?\\s*:\\s*`, 'g');
  for (const k of text.matchAll(key)) {
    const value = valueText(text.slice(k.index + k[0].length));
    for (const m of value.matchAll(LITERAL)) out.push(m[1] ?? m[2] ?? m[3]!);
  }
  return out;
}

/** Whether a tree path lies in a node_modules directory. */
const inNodeModules = (rel: string): boolean => rel.startsWith('node_modules/') || rel.includes('/node_modules/');

/**
 * Source-tree-relative paths of the tree's files a config's setup keys name:
 * relative to the config, or `<rootDir>/` (jest: its `rootDir`, by default the
 * config's directory; the source tree's root is taken too, as more is safe).
 */
function namedFiles(sourceTree: string, configAbs: string, text: string): string[] {
  const out: string[] = [];
  const configDir = path.dirname(configAbs);
  const rootDirs = [path.resolve(configDir, stringLiterals(text, ['rootDir'])[0] ?? '.'), sourceTree];
  for (const literal of stringLiterals(text)) {
    if (!/\.[cm]?[jt]sx?$|\.json$/.test(literal) || /[*?{}]/.test(literal)) continue;
    const candidates = literal.startsWith('<rootDir>/')
      ? rootDirs.map((d) => path.join(d, literal.slice('<rootDir>/'.length)))
      : path.isAbsolute(literal)
        ? []
        : [path.resolve(configDir, literal)];
    for (const abs of candidates) {
      const rel = treePath(sourceTree, abs);
      if (rel === null || rel === '' || inNodeModules(rel)) continue;
      if (isFile(abs) && !out.includes(rel)) out.push(rel);
    }
  }
  return out;
}

/** Directories a project glob is matched against below its fixed part: enough for `packages/*` and `apps/**`. */
const MAX_PROJECT_DEPTH = 4;
const MAX_PROJECT_ENTRIES = 2000;

/** The files and directories below `base` a glob (relative to `base`) matches; node_modules and dot-directories are not entered. */
function expandProjectGlob(base: string, glob: string): string[] {
  const match = compileGlobs([glob]);
  const parts = glob.split('/');
  const fixed = parts.findIndex((p) => /[*?{}[\]]/.test(p));
  const start = path.join(base, ...parts.slice(0, fixed));
  const out: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (++seen > MAX_PROJECT_ENTRIES || e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const abs = path.join(dir, e.name);
      if (match(path.relative(base, abs))) out.push(abs);
      if (e.isDirectory() && depth < MAX_PROJECT_DEPTH) walk(abs, depth + 1);
    }
  };
  walk(start, 1);
  return out;
}

const VITEST_PROJECT_CONFIGS = CONFIG_NAMES.vitest.filter((n) => !n.startsWith('vitest.workspace.'));

/**
 * A vitest workspace's projects' own configs: what a `vitest.workspace.*`
 * file lists, or the root config's `projects` (or `workspace`) key. An entry
 * is a config file, or a directory (its vitest or vite config), or a glob of
 * either. An inline project (an object) is part of the root config already.
 */
function projectConfigs(sourceTree: string, configAbs: string, text: string): string[] {
  const isWorkspaceFile = /^vitest\.workspace\./.test(path.basename(configAbs));
  const entries = isWorkspaceFile
    ? [...text.matchAll(LITERAL)].map((m) => m[1] ?? m[2] ?? m[3]!)
    : stringLiterals(text, ['projects', 'workspace']);
  const configDir = path.dirname(configAbs);
  const out: string[] = [];
  for (const entry of entries) {
    if (entry.startsWith('!') || path.isAbsolute(entry)) continue;
    const found = /[*?{}[\]]/.test(entry) ? expandProjectGlob(configDir, entry) : [path.resolve(configDir, entry)];
    for (const abs of found) {
      const config = isFile(abs)
        ? /\.[cm]?[jt]s$/.test(abs) && /config/.test(path.basename(abs))
          ? abs
          : null
        : (VITEST_PROJECT_CONFIGS.map((n) => path.join(abs, n)).find(isFile) ?? null);
      const rel = config === null ? null : treePath(sourceTree, config);
      if (config === null || rel === null || rel === '' || inNodeModules(rel) || config === configAbs) continue;
      if (!out.includes(config)) out.push(config);
    }
  }
  return out;
}

function isFile(abs: string): boolean {
  try {
    return fs.statSync(abs).isFile();
  } catch {
    return false;
  }
}

/** Whether a command runs vitest or jest, whose config then implies inputs (cheap: reads no file). */
export function runsTestRunner(command: string | readonly string[]): boolean {
  return runnerOf(wordsOf(command)) !== null;
}

/** The `jest` key of the tree's package.json, as JSON text, or null when there is none (jest then reads it from there). */
function jestKeyOf(packageJson: string): string | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(packageJson, 'utf8')) as { jest?: unknown };
    return parsed.jest === undefined ? null : JSON.stringify(parsed.jest);
  } catch {
    return null;
  }
}

/** The config a runner reads, absolute, and its text as far as it names files; null when there is none. */
function configOf(
  found: { runner: TestRunner; config: string | null },
  sourceTree: string,
): { abs: string; text: string } | null {
  const abs =
    found.config !== null
      ? path.resolve(sourceTree, found.config)
      : (CONFIG_NAMES[found.runner].map((n) => path.join(sourceTree, n)).find(isFile) ?? null);
  if (abs !== null && isFile(abs)) {
    let text = '';
    try {
      if (fs.statSync(abs).size <= MAX_CONFIG_BYTES) text = fs.readFileSync(abs, 'utf8');
    } catch {
      // Unreadable: still an input, whose digest then says so.
    }
    return { abs, text };
  }
  // jest without a config file reads the `jest` key of package.json.
  if (found.runner !== 'jest' || found.config !== null) return null;
  const packageJson = path.join(sourceTree, 'package.json');
  const text = isFile(packageJson) ? jestKeyOf(packageJson) : null;
  return text === null ? null : { abs: packageJson, text };
}

/**
 * How a tool's test runner finds snapshot files: null when its command runs
 * no test runner; 'default' for `__snapshots__/<test file>.snap` beside each
 * test; else the config key that moves them (`snapshotResolver`,
 * `resolveSnapshotPath`), which runner does not follow.
 */
export function snapshotLayout(command: string | readonly string[], sourceTree: string): string | null {
  const found = runnerOf(wordsOf(command));
  if (found === null) return null;
  const config = configOf(found, sourceTree);
  return /\b(snapshotResolver|resolveSnapshotPath)\b/.exec(config?.text ?? '')?.[1] ?? 'default';
}

/**
 * The source-tree-relative files a tool's command implies as inputs: when it
 * runs vitest or jest, the config it reads (`--config`/`-c`, else the first
 * of the runner's own names in the source tree, else for jest a package.json
 * with a `jest` key), the tree's files that config's setup keys name, and
 * what the config and those files import (setup-imports.ts); [] for any other
 * command, or when no config exists. Never a missing path: a config created
 * later appears then.
 */
export function testRunnerInputs(
  command: string | readonly string[],
  sourceTree: string,
  cache?: InputCache,
): string[] {
  const found = runnerOf(wordsOf(command));
  if (found === null) return [];
  const config = configOf(found, sourceTree);
  if (config === null) return [];
  const configRel = treePath(sourceTree, config.abs);
  if (configRel === null || configRel === '') return [];
  const named = new Set([configRel, ...namedFiles(sourceTree, config.abs, config.text)]);
  if (found.runner === 'vitest') {
    for (const project of projectConfigs(sourceTree, config.abs, config.text)) {
      named.add(treePath(sourceTree, project)!);
      let text = '';
      try {
        if (fs.statSync(project).size <= MAX_CONFIG_BYTES) text = fs.readFileSync(project, 'utf8');
      } catch {
        // Unreadable: still an input, whose digest then says so.
      }
      for (const f of namedFiles(sourceTree, project, text)) named.add(f);
    }
  }
  const roots = [...named] as RelPath[];
  return [...roots, ...setupImports(sourceTree, roots, cache)];
}
