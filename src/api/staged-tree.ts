// The git index written out as a tree of files inside the state directory,
// the tools as they apply there, and its scan: a view of the staged tree
// (tree-view.ts) that run-staged.ts plans and runs with the working tree's
// config, state directory and manifest (so results are shared both ways).
// The manifest's snapshot of the working tree is never replaced by the staged tree's files.
import fs from 'node:fs';
import path from 'node:path';
import {
  type LatchedTool,
  type ToolLatch,
  buildToolEnvironment,
  findExecutable,
  identifyProgram,
  latchIdOf,
  withInputs,
} from '../config/index.js';
import { UsageError } from '../errors.js';
import { type WorkTree, checkoutIndex, indexTree, syncTreeInto, treeFiles } from '../git/index.js';
import { FileTable, decodeFiles, encodeFiles } from '../manifest/index.js';
import { isProcessAlive } from '../process-probe.js';
import { compileSpec, scanTree } from '../scan/index.js';
import { type Session, inputScope } from '../session.js';
import {
  STAGED_FILES,
  STAGED_SCANNED_AT,
  stagedIndexLockPath,
  stagedIndexPath,
  stagedLockPath,
  stagedTreePath,
  tempTreeOwner,
  tempTreePrefix,
} from '../state-dir.js';
import type { StagedRoot } from '../staged-path.js';
import type { RelPath } from '../types.js';
import type { EventSink } from './events.js';
import { type Scanned, unreadableCounts, unreadablePathsOf } from './scan-and-save.js';
import { NO_CACHES, STAGED_CACHES, treeView } from './tree-view.js';

/**
 * The staged tree lives in `<stateDir>/staged`, kept between runs and brought
 * up to date by rewriting only what changed (with `staged.index`, git's record
 * of what was written there). A run that finds it in use (`staged.lock` held by
 * a live runner) writes a temporary `<stateDir>/staged-<pid>-XXXXXX` instead
 * (the names: state-dir.ts).
 */

export interface StagedTree {
  /** The source tree's counterpart: the index's content under the source tree. */
  root: string;
  /** The tree object it holds. */
  tree: string;
  /** Kept between runs (its file stats are worth keeping), or temporary. */
  persistent: boolean;
  /** Releases it: removes a temporary tree, unlocks the kept one. Safe to call twice. */
  remove: () => void;
}

/**
 * Writes the index's content under the source tree into the state directory.
 * `warn`: says that a lock left by a killed git was taken over.
 */
export function writeStagedTree(s: Session, w: WorkTree, pid: number, warn: (message: string) => void): StagedTree {
  removeAbandonedTrees(s.stateDir);
  const tree = indexTree(w);
  const lock = stagedLockPath(s.stateDir);
  if (takeLock(lock, pid) && takeIndexLock(stagedIndexLockPath(s.stateDir), lock, warn)) {
    const root = stagedTreePath(s.stateDir);
    const index = stagedIndexPath(s.stateDir);
    let released = false;
    const remove = (): void => {
      if (!released) fs.rmSync(lock, { force: true });
      released = true;
    };
    try {
      fs.mkdirSync(root, { recursive: true });
      try {
        syncTreeInto(w.git, tree, root, index);
      } catch {
        // A damaged private index (a runner killed while writing it): start the tree again.
        fs.rmSync(index, { force: true });
        fs.rmSync(root, { recursive: true, force: true });
        fs.mkdirSync(root, { recursive: true });
        syncTreeInto(w.git, tree, root, index);
      }
      return { root, tree, persistent: true, remove };
    } catch (err) {
      remove();
      throw err;
    }
  }
  const dir = fs.mkdtempSync(tempTreePrefix(s.stateDir, pid));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const root = checkoutIndex(w, dir);
    fs.mkdirSync(root, { recursive: true });
    return { root, tree, persistent: false, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/**
 * The staged trees a job's log may name, with the source tree each stands
 * for: the kept tree (a result recorded there is shared with `runner run`),
 * and `root`, this run's (a temporary one); each also as the kernel names it,
 * symbolic links resolved (what a tool's getcwd() says).
 */
export function stagedRoots(s: Pick<Session, 'stateDir' | 'sourceTree'>, root?: string): StagedRoot[] {
  const roots = new Set<string>();
  for (const r of root === undefined ? [stagedTreePath(s.stateDir)] : [stagedTreePath(s.stateDir), root]) {
    roots.add(r);
    try {
      roots.add(path.join(fs.realpathSync(path.dirname(r)), path.basename(r)));
    } catch {
      // no state directory yet: nothing ran there
    }
  }
  return [...roots].map((staged) => ({ staged, source: s.sourceTree }));
}

/** Takes the kept tree's lock, unless a live runner holds it; a dead runner's lock is taken over. */
function takeLock(lock: string, pid: number): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(lock, `${pid}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10);
    if (Number.isInteger(holder) && holder > 0 && isProcessAlive(holder)) return false;
    fs.rmSync(lock, { force: true });
  }
  return false;
}

/**
 * With the kept tree's lock held, no live runner uses the private index, so
 * git's lock on it is a leftover of a git killed mid-way (with the runner or
 * hook that started it); it would fail every later run. It is removed, and
 * said so, unless a live process still holds it open (a git orphaned by a
 * runner killed outright, still finishing): then the kept tree's lock is
 * released and this run uses a temporary tree.
 */
function takeIndexLock(indexLock: string, treeLock: string, warn: (message: string) => void): boolean {
  if (!fs.existsSync(indexLock)) return true;
  if (isOpenByAnyProcess(indexLock)) {
    fs.rmSync(treeLock, { force: true });
    return false;
  }
  fs.rmSync(indexLock, { force: true });
  warn(`took over ${indexLock}: the git process that locked it is gone (killed mid-way); removed it`);
  return true;
}

/**
 * Whether a live process has `file` open, by /proc/PID/fd (Linux; elsewhere
 * none is seen, and the lock counts as abandoned: its runner is gone).
 */
function isOpenByAnyProcess(file: string): boolean {
  let pids: string[];
  try {
    // /proc shows the path with symlinks resolved.
    file = path.join(fs.realpathSync(path.dirname(file)), path.basename(file));
    pids = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return false;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone, or another user's
    }
    for (const fd of fds) {
      try {
        if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === file) return true;
      } catch {
        // closed meanwhile
      }
    }
  }
  return false;
}

/** Temporary trees left by a runner that was killed outright (its pid is gone). */
function removeAbandonedTrees(stateDir: string): void {
  for (const name of fs.readdirSync(stateDir)) {
    const owner = tempTreeOwner(name);
    if (owner === null || isProcessAlive(owner)) continue;
    fs.rmSync(path.join(stateDir, name), { recursive: true, force: true });
  }
}

const isInside = (dir: string, p: string): boolean => p.startsWith(dir + path.sep);

/**
 * The tools as they apply to the staged tree: declared inputs are digested
 * there, PYTHONPATH names it, and a program that lives in the source tree
 * runs (and is latched) from it. Everything else is the working tree's, so a
 * job's fingerprint is the one `runner run` gives the same content.
 */
export function stagedTools(
  s: Session,
  root: string,
  callerEnv: NodeJS.ProcessEnv,
  onlyTools?: ReadonlySet<string>,
): LatchedTool[] {
  const shared = buildToolEnvironment(s.loaded.config, callerEnv, root);
  const tools = s.tools.map((t) => {
    if (onlyTools !== undefined && !onlyTools.has(t.config.name)) return t; // left out by --tool: never planned
    const env =
      Object.keys(t.config.env).length === 0
        ? shared.env
        : buildToolEnvironment(s.loaded.config, callerEnv, root, t.config.env).env;
    const executables = t.latch.executables.map((e) => {
      // A shim's answer depends on where the job runs (a staged .python-version): asked again from the staged tree.
      if (e.where.shim === null && !isInside(s.sourceTree, e.where.path) && !isInside(s.sourceTree, e.where.realPath))
        return e;
      const staged = findExecutable(e.name, env.PATH, root);
      if (staged !== null) return identifyProgram(e.name, staged, env, root, s.programs);
      // The shell would look for it in the staged tree, where it is not.
      if (t.shell && e.name.includes('/')) {
        throw new UsageError(
          `tool "${t.config.name}" runs ${e.name}, which is in the source tree but not in the git index; ` +
            '--staged runs jobs in a copy of the index: add it to git, or name the program by an absolute path or through PATH',
        );
      }
      return e;
    });
    const latch: ToolLatch = { ...t.latch, executables };
    const program = t.shell ? t.program : (executables[0]?.where.path ?? t.program);
    return { ...t, latch, latchId: latchIdOf(latch), env, program };
  });
  // Declared inputs as the staged tree has them (a per-user or absolute one is the same file as for the working tree).
  const scope = inputScope(root, s.stateDir, s.loaded.config, s.inputCache);
  const digested = withInputs(tools, scope);
  return tools.map((t, i) => (onlyTools !== undefined && !onlyTools.has(t.config.name) ? t : digested[i]!));
}

/**
 * Digests the staged tree's files (those of the index, by the config's
 * include/exclude and whitelist), without adopting them into the manifest;
 * returns the staged tree's view, with `tools` (stagedTools) and, for the
 * kept tree, its own dependency caches (a temporary one keeps none). A kept
 * tree's stats and digests are kept too, so an unchanged file is not read again.
 */
export function scanStaged(
  s: Session,
  tools: readonly LatchedTool[],
  w: WorkTree,
  staged: StagedTree,
  events: EventSink,
): Scanned {
  const { config } = s.loaded;
  // The index's own list, not a walk: files a job left in the staged tree are not part of the commit.
  const inIndex = treeFiles(w.git, staged.tree);
  const whitelisted = new Set(s.whitelist ?? []);
  const listed = s.whitelist === null ? inIndex : inIndex.filter((p) => whitelisted.has(p));
  const spec = compileSpec({ include: config.include, exclude: config.exclude, whitelist: listed, skip: [] });
  const prior = { files: FileTable.empty(), dirs: new Map(), racyThresholdMs: 0, walkSpec: null };
  const kept = staged.persistent ? s.manifest.blob(STAGED_FILES) : undefined;
  if (kept !== undefined) {
    prior.files = decodeFiles(kept);
    prior.racyThresholdMs = Number(s.manifest.blob(STAGED_SCANNED_AT)?.toString('utf8') ?? 0);
  }
  const result = scanTree({
    sourceTree: staged.root,
    spec,
    prior,
    onProgress: (visited, hashed) => events.emit({ type: 'scan-progress', visited, hashed }),
  });
  for (const issue of result.issues) events.emit({ type: 'scan-issue', issue });
  for (const t of tools) for (const message of t.inputWarnings) events.emit({ type: 'warning', message });
  if (staged.persistent && (kept === undefined || result.hashed > 0 || result.removedFiles.length > 0)) {
    s.manifest.setBlob(STAGED_FILES, encodeFiles(result.update.files));
    s.manifest.setBlob(STAGED_SCANNED_AT, Buffer.from(String(result.update.scanStartedMs), 'utf8'));
  }
  for (const t of tools) s.manifest.addLatch(t.latchId, t.latch);
  const files = result.update.files;
  const working = s.manifest.files;
  const newFiles = new Set<RelPath>();
  let changed = 0;
  for (const [p, entry] of files) {
    const w = working.get(p);
    if (w === undefined) newFiles.add(p);
    else if (w.digest !== entry.digest) changed++;
    else entry.changedAt = w.changedAt; // so explain-style reasons name only what really changed
  }
  return {
    summary: {
      tracked: files.size,
      new: newFiles.size,
      changed,
      removed: 0,
      hashed: result.hashed,
      issues: result.issues,
      unreadable: unreadableCounts(result.issues),
    },
    tree: treeView(staged.root, files, tools, staged.persistent ? STAGED_CACHES : NO_CACHES),
    newFiles,
    unreadable: unreadablePathsOf(result.issues, () => []),
  };
}
