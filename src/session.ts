// Everything a command needs before it scans: the source tree, the validated
// config, the latched tools and the opened manifest. Nothing is written to the
// state directory until the config, the tools and the state directory check out.
import fs from 'node:fs';
import path from 'node:path';
import {
  type Config,
  type ConfigOverrides,
  InputCache,
  type InputScope,
  type LatchedTool,
  type LoadedConfig,
  ProgramIds,
  askShimsAhead,
  findPrograms,
  latchFound,
  loadConfig,
  toolsAhead,
  resolveSourceTree,
} from './config/index.js';
import { ConfigError, LockWaitInterruptedError, StateDirError, StateWriteError } from './errors.js';
import { type GitContext, gitEnv } from './git/index.js';
import { faultOfErrno } from './io-fault.js';
import { makeDirs } from './make-dirs.js';
import { Manifest, StateLock, legacyLogFileName, logFileName } from './manifest/index.js';
import { describeKind, readRegularText } from './regular-file.js';
import { type IgnoreHome, type TreeCheck, compileGlobs } from './scan/index.js';
import {
  INPUT_CACHE_SNAPSHOT,
  PROGRAMS_SNAPSHOT,
  isStateEntry,
  logFilePath,
  logsDir,
  manifestPath,
  runningLogsDir,
} from './state-dir.js';
import { isStateGitignore, writeStateGitignore } from './state-gitignore.js';
import { relativePath, treePath } from './tree-path.js';
import type { EventSink } from './api/events.js';

export interface SessionOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /**
   * -C DIR, relative to cwd: runner works as if started there. The config is searched from it up to
   * the repository root, and the source tree is the config's directory; FILE arguments are relative to it.
   */
  sourceTree?: string;
  configFile?: string;
  /** From the command line: relative to cwd. The config's stateDir is relative to the source tree. */
  stateDir?: string;
  overrides?: ConfigOverrides;
  /** A command's own checks of the loaded config (e.g. the merged log can be written), run before the state directory is touched. */
  beforeState?: (loaded: { loaded: LoadedConfig; sourceTree: string }) => void;
  /** Told (waiting-for-runner) when another runner holds the state directory and this one waits for it. */
  events?: EventSink;
  /** Aborting it stops a wait for another runner's lock. */
  signal?: AbortSignal;
  /**
   * Work that needs the state but not the tools' latch, done while version managers are asked which
   * programs their shims run (once per state directory, then cached): a run walks its tree meanwhile.
   * Called only when a manager is asked. `ahead` gives the tools as their jobs would be spawned, before
   * their latch (config/latch.ts toolsAhead). May return what undoes that work if the session then
   * fails to open (a run's jobs started early: api/early-start.ts).
   */
  whileAsking?: (s: UnlatchedSession, ahead: () => LatchedTool[]) => void | (() => Promise<void>);
  /**
   * The tools the command will run (`--tool`); absent or empty: all. A tool outside them whose program is
   * missing is latched as unavailable (LatchedTool.unavailable) instead of stopping the command.
   */
  neededTools?: readonly string[];
  /**
   * Begins checking the stored tree against the disk as soon as the manifest is loaded (a plain `runner
   * run`: api/settled-run.ts), so that its stats run while the tools are latched; null: no check.
   */
  checkSettled?: (s: Omit<UnlatchedSession, 'treeCheck'>) => TreeCheck | null;
}

/**
 * The tree, config and tools are the ones the session was opened with: a stage is given the tree it works on
 * as a value (api/tree-view.ts), and a watch cycle that reloads the config builds a session value of its own.
 * The manifest and the lock are held resources, replaced when taken again (refreshManifest, a watch's lock).
 */
export interface Session {
  readonly sourceTree: string;
  readonly loaded: LoadedConfig;
  readonly stateDir: string;
  readonly tools: LatchedTool[];
  readonly whitelist: string[] | null;
  manifest: Manifest;
  /** Program digests and version managers' answers, kept in the manifest (snapshot PROGRAMS_SNAPSHOT). */
  programs: ProgramIds;
  /** Stat cache of the declared inputs' digests, kept in the manifest. */
  inputCache: InputCache;
  /** This runner's hold on the state directory (README, "Two runners on one state directory"). */
  lock: StateLock;
  /** Where the user's git config and excludes file are (the caller's HOME, XDG_CONFIG_HOME). */
  readonly ignoreHome: IgnoreHome;
  /** How to run git for the walk's ignore rules (what git tracks is never ignored). */
  readonly gitContext: GitContext;
  /** The stored tree's check against the disk, begun as the manifest loaded (SessionOptions.checkSettled); null: none. */
  readonly treeCheck: TreeCheck | null;
}

/** A session before its tools are latched (SessionOptions.whileAsking). */
export type UnlatchedSession = Omit<Session, 'tools'>;

export async function loadSessionConfig(
  opts: SessionOptions,
): Promise<{ sourceTree: string; loaded: LoadedConfig; stateDir: string }> {
  // -C DIR is where runner works from, as if started there; the source tree is where the config is found.
  const startDir = resolveSourceTree(opts.cwd, opts.sourceTree);
  const loaded = await loadConfig({
    cwd: opts.cwd,
    startDir,
    configFile: opts.configFile,
    overrides: opts.overrides,
  });
  const sourceTree = loaded.sourceTree === startDir ? startDir : resolveSourceTree(loaded.sourceTree, undefined);
  const stateDir =
    opts.stateDir !== undefined
      ? path.resolve(opts.cwd, opts.stateDir)
      : path.resolve(sourceTree, loaded.config.stateDir);
  checkStatePlace(stateDir, sourceTree, opts.env.HOME);
  return { sourceTree, loaded, stateDir };
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  const { sourceTree, loaded, stateDir } = await loadSessionConfig(opts);
  const whitelist = readWhitelist(loaded, sourceTree);
  // Programs are found before the state directory is touched; identifying them and digesting the
  // declared inputs use the caches the manifest keeps.
  const found = findPrograms({
    config: loaded.config,
    callerEnv: opts.env,
    sourceTree,
    configDisplayFile: loaded.displayFile,
    ...(opts.neededTools === undefined || opts.neededTools.length === 0
      ? {}
      : { needed: (tool: string) => opts.neededTools!.includes(tool) }),
  });
  opts.beforeState?.({ loaded, sourceTree });
  ensureStateDir(stateDir, sourceTree);
  const lock = await lockStateDir(stateDir, opts);
  writeStateGitignore(stateDir);
  let manifest: Manifest;
  try {
    manifest = Manifest.open(manifestPath(stateDir));
    renameLegacyLogs(stateDir, manifest);
  } catch (err) {
    lock.release();
    throw err;
  }
  let undo: void | (() => Promise<void>) = undefined;
  try {
    const programs = ProgramIds.decode(manifest.blob(PROGRAMS_SNAPSHOT));
    const inputCache = InputCache.decode(manifest.blob(INPUT_CACHE_SNAPSHOT));
    const loadedState: Omit<UnlatchedSession, 'treeCheck'> = {
      sourceTree,
      loaded,
      stateDir,
      whitelist,
      manifest,
      programs,
      inputCache,
      lock,
      ignoreHome: { home: opts.env.HOME, xdgConfigHome: opts.env.XDG_CONFIG_HOME },
      gitContext: { cwd: opts.cwd, env: gitEnv(opts.env, opts.cwd) },
    };
    const unlatched: UnlatchedSession = { ...loadedState, treeCheck: opts.checkSettled?.(loadedState) ?? null };
    const asking = askShimsAhead(found, programs);
    if (asking !== null) {
      try {
        undo = opts.whileAsking?.(unlatched, () => toolsAhead(found));
      } finally {
        await asking; // even when the work failed: no manager is left running
      }
    }
    const tools = latchFound(found, programs, inputScope(sourceTree, stateDir, loaded.config, inputCache));
    keepPrograms({ manifest, programs });
    keepInputCache(manifest, inputCache);
    return { ...unlatched, tools };
  } catch (err) {
    if (undo !== undefined) await undo(); // with the state directory still held
    manifest.close();
    lock.release();
    throw err;
  }
}

/**
 * Waits until no other runner uses the state directory, then holds it: two
 * runners never run one job twice, write one log twice, or fold each other's
 * results away. Whoever waits is told once who holds it.
 */
export async function lockStateDir(
  stateDir: string,
  opts: Pick<SessionOptions, 'events' | 'signal'>,
): Promise<StateLock> {
  const lock = await StateLock.acquire(stateDir, opts.signal, (holder) =>
    opts.events?.emit({ type: 'waiting-for-runner', pid: holder.pid, stateDir }),
  );
  if (lock === null) throw new LockWaitInterruptedError({ stateDir, signal: String(opts.signal?.reason) });
  // A log left half-written by a runner that died mid-job (never recorded under any result) is only litter now.
  removeUnfinishedLogs(stateDir);
  return lock;
}

/**
 * Loads the manifest again when another runner wrote the state directory
 * since it was loaded (call with the lock held): what this runner knew may be
 * stale, and folding it would drop the other runner's results.
 */
export function refreshManifest(s: Session): void {
  if (!s.manifest.changedElsewhere()) return;
  const next = Manifest.open(s.manifest.path);
  s.manifest.close();
  s.manifest = next;
}

/** Hands what was learned about programs to the manifest, written with its next save. */
export function keepPrograms(s: Pick<Session, 'manifest' | 'programs'>): void {
  if (!s.programs.changed) return;
  s.manifest.setBlob(PROGRAMS_SNAPSHOT, s.programs.encode());
  s.programs.changed = false;
}

/** Where declared inputs are digested: the tree, what a directory or glob input never walks, the stat cache. */
export function inputScope(sourceTree: string, stateDir: string, config: Config, cache: InputCache): InputScope {
  const stateRel = relativePath(sourceTree, stateDir);
  const excluded = compileGlobs(config.exclude);
  return {
    sourceTree,
    cache,
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
    throw new ConfigError(
      { file: loaded.displayFile, key: 'whitelist', value: w, expected: 'a readable file listing one path per line' },
      { cause: err },
    );
  }
  // A fifo would be read for ever (issue 12).
  if ('kind' in read)
    throw new ConfigError({
      file: loaded.displayFile,
      key: 'whitelist',
      value: w,
      expected: `a regular file listing one path per line, not ${describeKind(read.kind)}`,
    });
  const text = read.text;
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) =>
      l
        .split('/')
        .filter((s) => s !== '' && s !== '.')
        .join('/'),
    );
}

const OWN_PLACE =
  "a directory of runner's own: a new or empty one, or one runner made (the default is .runner in the source tree)";

/**
 * Refuses a state directory whose place is wrong whatever it holds: the
 * filesystem root, the home directory (runner would write manifest.db and
 * logs/ among the user's files; `runner clean` would be asked to remove
 * them), and the source tree or a directory above it (the walk skips the
 * state directory, so nothing would be tracked). HOME is the caller's.
 */
export function checkStatePlace(stateDir: string, sourceTree: string, home: string | undefined): void {
  if (path.parse(stateDir).root === stateDir) {
    throw new StateDirError({ path: stateDir, problem: 'is the filesystem root', expected: OWN_PLACE });
  }
  if (home !== undefined && home !== '' && path.resolve(home) === stateDir) {
    throw new StateDirError({ path: stateDir, problem: 'is your home directory', expected: OWN_PLACE });
  }
  if (treePath(stateDir, sourceTree) !== null) {
    throw new StateDirError({ path: stateDir, problem: 'is the source tree or contains it', expected: OWN_PLACE });
  }
}

/**
 * Refuses an existing directory runner never used (no manifest.db) that
 * holds something: inside the source tree (e.g. "stateDir": "src") its files
 * would silently stop being tracked, as the walk never enters the state
 * directory; outside it, runner's files would land among someone else's.
 */
function checkOwnDirectory(dir: string, sourceTree: string): void {
  if (fs.existsSync(manifestPath(dir))) return;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return; // missing (created next), or not a directory: ensureStateDir says which
  }
  // One entry of runner's own is enough: a run killed before its first save leaves logs, a staged tree or its lock.
  if (entries.length === 0 || entries.some(isStateEntry)) return;
  // runner's .gitignore alone is a state directory whose first run stopped before the rest (checked after the cheap test above).
  if (entries.length === 1 && isStateGitignore(dir, entries[0] ?? '')) return;
  const some = entries.sort().slice(0, 3).join(', ') + (entries.length > 3 ? ', ...' : '');
  const inside = treePath(sourceTree, dir) !== null;
  throw new StateDirError({
    path: dir,
    problem: inside
      ? `is a directory of the source tree that holds other files (${some}): runner never scans its state directory, so they would no longer be checked`
      : `holds files that are not runner's (${some}); runner would write its own among them`,
    expected: OWN_PLACE,
  });
}

function ensureStateDir(dir: string, sourceTree: string): void {
  checkOwnDirectory(dir, sourceTree);
  try {
    makeDirs(dir); // not a recursive mkdirSync: under /proc it never returns
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new StateDirError(
      {
        path: dir,
        problem: code === 'EEXIST' || code === 'ENOTDIR' ? 'is not a directory' : `cannot be created (${code})`,
      },
      { cause: err },
    );
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK | fs.constants.X_OK);
  } catch (err) {
    // Read-only or not ours: said as such, never as something to clean (the results in it are kept).
    throw new StateWriteError(
      { path: dir, fault: faultOfErrno((err as NodeJS.ErrnoException).code ?? 'EUNKNOWN', dir) },
      { cause: err },
    );
  }
  if (!fs.statSync(dir).isDirectory()) throw new StateDirError({ path: dir, problem: 'is not a directory' });
}

/**
 * Removes the logs of jobs whose runner died before they ended (a small
 * directory, empty unless a runner died). Called with the lock held: no live
 * runner has a job running then (watch lets go of the lock only between
 * cycles), so each file there is a dead runner's, and no result names it.
 */
function removeUnfinishedLogs(stateDir: string): void {
  const dir = runningLogsDir(stateDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return; // no job ever ran here
  }
  for (const n of names) {
    try {
      fs.rmSync(path.join(dir, n), { force: true, recursive: true });
    } catch {
      // litter that will not go (a read-only directory) is tried again at the next start; it never stops a run
    }
  }
}

const LOG_NAMES_SETTING = 'log_names';
const LOG_NAMES_PER_RESULT = 'per-result';

/**
 * Once per state directory: gives the logs of results recorded before issue
 * 12 (one file per fingerprint) their result's own name, so no job reruns
 * for a log that only moved.
 */
function renameLegacyLogs(stateDir: string, manifest: Manifest): void {
  if (manifest.setting(LOG_NAMES_SETTING) === LOG_NAMES_PER_RESULT) return;
  const dir = logsDir(stateDir);
  if (fs.existsSync(dir)) {
    for (const [tool, byPath] of manifest.results) {
      for (const p of byPath.keys()) {
        for (const r of manifest.history(tool, p)) {
          if (!r.hasLog) continue;
          try {
            fs.renameSync(
              logFilePath(stateDir, legacyLogFileName(r.fingerprint)),
              logFilePath(stateDir, logFileName(r)),
            );
          } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
              throw new StateDirError(
                { path: dir, problem: `cannot rename a log (${(err as NodeJS.ErrnoException).code})` },
                { cause: err },
              );
          }
        }
      }
    }
  }
  manifest.putSetting(LOG_NAMES_SETTING, LOG_NAMES_PER_RESULT);
}
