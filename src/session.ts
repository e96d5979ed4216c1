// Everything a command needs before it scans: the source tree, the validated
// config, the latched tools and the opened manifest. Nothing is written to the
// state directory until the config, the tools and the state directory check out.
import fs from 'node:fs';
import path from 'node:path';
import {
  type Config, type ConfigOverrides, INPUT_CACHE_SNAPSHOT, InputCache, type InputScope, type LatchedTool, type LoadedConfig,
  ProgramIds, findPrograms, latchFound, loadConfig, resolveSourceTree,
} from './config/index.js';
import { ConfigError, StateDirError } from './errors.js';
import { makeDirs } from './make-dirs.js';
import { describeKind, readRegularText } from './regular-file.js';
import { Manifest } from './manifest/index.js';
import { compileGlobs } from './scan/index.js';

export interface SessionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  sourceTree?: string;
  configFile?: string;
  /** From the command line: relative to cwd. The config's stateDir is relative to the source tree. */
  stateDir?: string;
  overrides?: ConfigOverrides;
}

export interface Session {
  sourceTree: string;
  loaded: LoadedConfig;
  stateDir: string;
  tools: LatchedTool[];
  whitelist: string[] | null;
  manifest: Manifest;
  /** Program digests and version managers' answers, kept in the manifest (snapshot PROGRAMS_SNAPSHOT). */
  programs: ProgramIds;
  /** Stat cache of the declared inputs' digests, kept in the manifest. */
  inputCache: InputCache;
}

export const MANIFEST_FILE = 'manifest.db';
export const LOGS_DIR = 'logs';
export const PROGRAMS_SNAPSHOT = 'programs';

export async function loadSessionConfig(opts: SessionOptions): Promise<{ sourceTree: string; loaded: LoadedConfig; stateDir: string }> {
  const sourceTree = resolveSourceTree(opts.cwd, opts.sourceTree);
  const loaded = await loadConfig({ cwd: opts.cwd, sourceTree, configFile: opts.configFile, overrides: opts.overrides });
  const stateDir = opts.stateDir !== undefined
    ? path.resolve(opts.cwd, opts.stateDir)
    : path.resolve(sourceTree, loaded.config.stateDir);
  if (stateDir === sourceTree || sourceTree.startsWith(stateDir + path.sep)) {
    throw new StateDirError({ path: stateDir, problem: 'is the source tree or contains it' });
  }
  return { sourceTree, loaded, stateDir };
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  const { sourceTree, loaded, stateDir } = await loadSessionConfig(opts);
  const whitelist = readWhitelist(loaded, sourceTree);
  // Programs are found before the state directory is touched; identifying them and digesting the
  // declared inputs use the caches the manifest keeps.
  const found = findPrograms({ config: loaded.config, callerEnv: opts.env, sourceTree, configDisplayFile: loaded.displayFile });
  ensureStateDir(stateDir);
  const manifest = Manifest.open(path.join(stateDir, MANIFEST_FILE));
  try {
    const programs = ProgramIds.decode(manifest.blob(PROGRAMS_SNAPSHOT));
    const inputCache = InputCache.decode(manifest.blob(INPUT_CACHE_SNAPSHOT));
    const tools = latchFound(found, programs, inputScope(sourceTree, stateDir, loaded.config, inputCache));
    keepPrograms({ manifest, programs });
    keepInputCache(manifest, inputCache);
    return { sourceTree, loaded, stateDir, tools, whitelist, manifest, programs, inputCache };
  } catch (err) {
    manifest.close();
    throw err;
  }
}

/** Hands what was learned about programs to the manifest, written with its next save. */
export function keepPrograms(s: Pick<Session, 'manifest' | 'programs'>): void {
  if (!s.programs.changed) return;
  s.manifest.setBlob(PROGRAMS_SNAPSHOT, s.programs.encode());
  s.programs.changed = false;
}

/** Where declared inputs are digested: the tree, what a directory or glob input never walks, the stat cache. */
export function inputScope(sourceTree: string, stateDir: string, config: Config, cache: InputCache): InputScope {
  const stateRel = path.relative(sourceTree, stateDir).split(path.sep).join('/');
  const excluded = compileGlobs(config.exclude);
  return {
    sourceTree, cache,
    isOwn: (rel) => rel === stateRel || rel === '.git' || rel.endsWith('/.git'),
    isExcluded: excluded,
  };
}

/** Stores the input cache with the manifest's next write, when this latching changed it. */
export function keepInputCache(manifest: Manifest, cache: InputCache): void {
  if (cache.changed) manifest.setBlob(INPUT_CACHE_SNAPSHOT, cache.encode());
}

export function readWhitelist(loaded: LoadedConfig, sourceTree: string): string[] | null {
  const w = loaded.config.whitelist;
  if (w === null || Array.isArray(w)) return w;
  let read: ReturnType<typeof readRegularText>;
  try {
    read = readRegularText(path.join(sourceTree, w));
  } catch (err) {
    throw new ConfigError({ file: loaded.displayFile, key: 'whitelist', value: w, expected: 'a readable file listing one path per line' }, { cause: err });
  }
  // A fifo would be read for ever (issue 12).
  if ('kind' in read) throw new ConfigError({ file: loaded.displayFile, key: 'whitelist', value: w, expected: `a regular file listing one path per line, not ${describeKind(read.kind)}` });
  const text = read.text;
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split('/').filter((s) => s !== '' && s !== '.').join('/'));
}

function ensureStateDir(dir: string): void {
  try {
    makeDirs(dir); // not a recursive mkdirSync: under /proc it never returns
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateDirError({ path: dir, problem: code === 'EEXIST' || code === 'ENOTDIR' ? 'is not a directory' : `cannot be created (${code})` }, { cause: err });
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    throw new StateDirError({ path: dir, problem: 'is not writable' }, { cause: err });
  }
  if (!fs.statSync(dir).isDirectory()) throw new StateDirError({ path: dir, problem: 'is not a directory' });
}
