// The git index written out as a tree of files inside the state directory,
// and a session over it: the working tree's config, state directory and
// manifest (so results are shared both ways), with the staged tree as the
// source tree the jobs run in. The manifest's snapshot of the working tree
// is never replaced by the staged tree's files.
import fs from 'node:fs';
import path from 'node:path';
import { type LatchedTool, type ToolLatch, buildToolEnvironment, digestInput } from '../config/index.js';
import { resolveExecutable } from '../config/executable.js';
import { UsageError } from '../errors.js';
import { type WorkTree, checkoutIndex } from '../git/index.js';
import { canonicalJson, hashString } from '../hash.js';
import type { FileEntry } from '../manifest/index.js';
import type { PlanInput } from '../plan/index.js';
import type { Reporter } from '../reporter.js';
import { compileSpec, compileToolFilter, scanTree } from '../scan/index.js';
import type { Session } from '../session.js';
import type { LatchId, RelPath } from '../types.js';
import { type Scanned, loggedFingerprints } from './scan-and-save.js';

/** Staged trees are `<stateDir>/staged-<pid>-XXXXXX`; `runner clean` knows the prefix. */
export const STAGED_TREE_PREFIX = 'staged-';

export interface StagedTree {
  /** The temporary directory (removed by remove()). */
  dir: string;
  /** The source tree's counterpart inside it. */
  root: string;
  remove: () => void;
}

/** Writes the index's content under the source tree into a new directory in the state directory. */
export function writeStagedTree(s: Session, w: WorkTree, pid: number): StagedTree {
  removeAbandonedTrees(s.stateDir);
  const dir = fs.mkdtempSync(path.join(s.stateDir, `${STAGED_TREE_PREFIX}${pid}-`));
  const remove = (): void => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const root = checkoutIndex(w, dir);
    fs.mkdirSync(root, { recursive: true });
    return { dir, root, remove };
  } catch (err) {
    remove();
    throw err;
  }
}

/** Trees left by a runner that was killed outright (its pid is gone). */
function removeAbandonedTrees(stateDir: string): void {
  for (const name of fs.readdirSync(stateDir)) {
    const m = new RegExp(`^${STAGED_TREE_PREFIX}(\\d+)-`).exec(name);
    if (m === null || isAlive(Number(m[1]))) continue;
    fs.rmSync(path.join(stateDir, name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const isInside = (dir: string, p: string): boolean => p.startsWith(dir + path.sep);

/**
 * The tools as they apply to the staged tree: declared inputs are digested
 * there, PYTHONPATH names it, and a program that lives in the source tree
 * runs (and is latched) from it. Everything else is the working tree's, so a
 * job's fingerprint is the one `runner run` gives the same content.
 */
function stagedTools(s: Session, root: string, callerEnv: NodeJS.ProcessEnv): LatchedTool[] {
  const { env } = buildToolEnvironment(s.loaded.config, callerEnv, root);
  return s.tools.map((t) => {
    const executables = t.latch.executables.map((e) => {
      if (!isInside(s.sourceTree, e.path) && !isInside(s.sourceTree, e.realPath)) return e;
      const staged = resolveExecutable(e.name, env.PATH, root);
      if (staged !== null) return staged;
      // The shell would look for it in the staged tree, where it is not.
      if (t.shell && e.name.includes('/')) {
        throw new UsageError(`tool "${t.config.name}" runs ${e.name}, which is in the source tree but not in the git index; `
          + '--staged runs jobs in a copy of the index: add it to git, or name the program by an absolute path or through PATH');
      }
      return e;
    });
    const inputs: Record<string, string> = {};
    for (const rel of t.config.inputs) inputs[rel] = digestInput(root, rel);
    const latch: ToolLatch = { ...t.latch, executables, inputs };
    const program = t.shell ? t.program : executables[0]?.path ?? t.program;
    return { ...t, latch, latchId: hashString(canonicalJson(latch)) as LatchId, env, program };
  });
}

/** A session whose source tree is the staged tree; it shares the working tree's manifest and state directory. */
export function stagedSession(s: Session, root: string, callerEnv: NodeJS.ProcessEnv): Session {
  return { ...s, sourceTree: root, tools: stagedTools(s, root, callerEnv) };
}

export interface StagedScan extends Scanned {
  /** The staged tree's files, by the same include/exclude (or whitelist) as the working tree's. */
  files: Map<RelPath, FileEntry>;
}

/** Walks and digests the staged tree, without adopting it into the manifest. */
export function scanStaged(
  s: Session, st: Session, reporter: Reporter, extra: Pick<PlanInput, 'force' | 'rerunFailed' | 'onlyTools'>,
): StagedScan {
  const stateRel = path.relative(s.sourceTree, s.stateDir);
  const inside = stateRel !== '' && !stateRel.startsWith('..') && !path.isAbsolute(stateRel);
  const { config } = s.loaded;
  const spec = compileSpec({ include: config.include, exclude: config.exclude, whitelist: s.whitelist, skip: inside ? [stateRel] : [] });
  const result = scanTree({
    sourceTree: st.sourceTree, spec,
    prior: { files: new Map(), dirs: new Map(), racyThresholdMs: 0, walkSpec: null },
    onProgress: (visited, hashed) => reporter.scanProgress(visited, hashed),
  });
  for (const issue of result.issues) reporter.scanIssue(issue);
  for (const t of st.tools) s.manifest.addLatch(t.latchId, t.latch);
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
  const filters = st.tools.map((t) => compileToolFilter(t.config.include, t.config.exclude));
  let logged: Set<string> | null = null;
  const planInput: PlanInput = {
    tools: st.tools, toolFilters: filters, files, newFiles,
    history: (tool, p) => s.manifest.history(tool, p),
    latest: (tool, p) => s.manifest.latest(tool, p),
    latchOf: (r) => s.manifest.latch(r.latchId),
    hasLog: (r) => !r.hasLog || (logged ??= loggedFingerprints(s)).has(r.fingerprint),
    ...extra,
  };
  return {
    summary: { tracked: files.size, new: newFiles.size, changed, removed: 0, hashed: result.hashed, issues: result.issues },
    planInput, filters, deps: {}, files,
  };
}
